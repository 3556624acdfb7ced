/**
 * The vocabulary bridges of a phone bot: words callers use interchangeably, multi-word
 * expressions that mean one thing, and irregular forms the stemmer cannot reach. Every group maps
 * onto its first word's stem, on both sides (FAQ and question), so a synonym costs nothing at
 * query time.
 *
 * A word belongs to one group at most (a test checks it): a word in two groups would pull unrelated
 * FAQs together.
 */
import { stem } from "./stem.ts";

/** Groups of interchangeable words; the first word names the group. */
export const SYNONYM_GROUPS: ReadonlyArray<readonly string[]> = [
  ["cost", "price", "pricing", "charge", "fee", "rate", "expensive", "cheap", "afford", "affordable"],
  ["pay", "payment", "paid", "card", "credit", "debit", "cash", "visa", "mastercard", "amex", "venmo", "paypal", "applepay"],
  ["open", "hour", "opening"],
  ["deliver", "delivery", "ship", "shipping", "doordash", "ubereats", "grubhub"],
  ["car", "vehicle", "auto", "automobile", "truck", "suv", "van", "minivan"],
  ["kid", "child", "children", "toddler", "infant", "baby"],
  ["book", "booking", "reserve", "reservation", "appointment", "appt", "schedule", "slot"],
  ["cancel", "cancelled", "canceled", "cancelling", "canceling", "cancellation", "reschedule", "rescheduling"],
  ["address", "location", "located", "locate", "directions", "direction"],
  ["emergency", "urgent", "urgently", "asap", "immediately"],
  ["insurance", "insured", "insure", "coverage", "covered", "cover", "copay"],
  ["wifi", "internet", "wireless"],
  ["gift", "voucher", "certificate"],
  ["duration", "wait", "waiting", "minutes", "quick", "quickly", "fast"],
  ["pet", "dog", "dogs", "cat", "animal"],
  ["accessible", "accessibility", "wheelchair", "disabled", "disability", "ramp", "handicap", "stroller"],
  ["vegetarian", "vegan", "veggie", "meatless", "plant"],
  ["gluten", "celiac", "coeliac"],
  ["allergy", "allergic", "allergen", "allergens"],
  ["warranty", "guarantee", "guaranteed"],
  ["estimate", "quote", "quotation"],
  ["cater", "catering", "caterer", "event", "events"],
  ["discount", "deal", "deals", "coupon", "coupons", "promo", "promotion", "special", "specials"],
  ["finance", "financing", "installment", "installments", "loan"],
  ["tooth", "teeth", "dental"],
  ["pickup", "carryout", "takeout", "takeaway"],
  ["walkin", "walkins"],
];

/** Word sequences that mean one thing; longest first, matched on normalised words before stop words. */
export const PHRASES: ReadonlyArray<readonly [readonly string[], string]> = [
  [["how", "much", "time"], "duration"],
  [["how", "much"], "cost"],
  [["how", "long"], "duration"],
  [["wi", "fi"], "wifi"],
  [["walk", "in"], "walkin"],
  [["walk", "ins"], "walkin"],
  [["without", "an", "appointment"], "walkin"],
  [["x", "ray"], "xray"],
  [["x", "rays"], "xray"],
  [["check", "up"], "checkup"],
  [["check", "ups"], "checkup"],
  [["drop", "off"], "dropoff"],
  [["pick", "up"], "pickup"],
  [["take", "out"], "takeout"],
  [["carry", "out"], "carryout"],
  [["e", "mail"], "email"],
  [["apple", "pay"], "applepay"],
  [["google", "pay"], "applepay"],
  [["check", "engine"], "checkengine"],
];

/** Forms no suffix rule can reach, mapped to the word whose stem they should share. */
export const IRREGULAR: Readonly<Record<string, string>> = {
  children: "child",
  kiddos: "kid",
  people: "person",
  teeth: "tooth",
  feet: "foot",
  men: "man",
  women: "woman",
  menus: "menu",
  paid: "pay",
  bought: "buy",
  took: "take",
  ate: "eat",
  ran: "run",
  broke: "break",
  broken: "break",
};

let synonymIndex: Map<string, string> | undefined;

/**
 * The group stem for a word's stem (itself when it has no group). Built on first use.
 *
 * @example
 * ```ts
 * canonicalStem(stem("price"))   // "cost"
 * canonicalStem(stem("vehicles")) // "car"
 * ```
 */
export function canonicalStem(wordStem: string): string {
  synonymIndex ??= buildSynonymIndex();
  return synonymIndex.get(wordStem) ?? wordStem;
}

/** Stem → group stem for every word of every group; exported so a test can check for collisions. */
export function buildSynonymIndex(): Map<string, string> {
  const index = new Map<string, string>();
  for (const group of SYNONYM_GROUPS) {
    const canonical = stem(group[0]!);
    for (const word of group) index.set(stem(IRREGULAR[word] ?? word), canonical);
  }
  return index;
}
