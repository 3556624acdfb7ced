/**
 * The few vocabulary bridges WordNet cannot give a phone bot, as groups of interchangeable words;
 * everything else comes from the lexicon (lexicon/), and idioms live in idioms.ts. What is here:
 * brand names and trade jargon of payments and ordering that WordNet either lacks ("venmo",
 * "doordash", "byob") or holds in another sense only ("visa" is a travel document, "amex" is
 * missing), with the American and British names of ordering to take away; the "cost" family,
 * because WordNet keeps "price", "fee", "charge" and "rate" in different senses a caller does not
 * distinguish when asking what something costs; the trades' "quote", "estimate" and "quotation"
 * for the price of a job; pausing ("freeze", "suspend", "pause"); childcare ("babysitting",
 * "creche", "daycare", "toddler", which WordNet lacks); video calls by the apps' names; languages
 * in their own names ("espanol"); and what coeliac callers say ("wheat", "coeliac" for gluten).
 *
 * Groups are applied at index-build time, like WordNet's synonyms: an FAQ word of a group gets
 * postings for the group's other words. A word belongs to one group at most (a test checks it).
 */
/** Groups of interchangeable words; the first word names the group. */
export const SYNONYM_GROUPS: ReadonlyArray<readonly string[]> = [
  ["cost", "price", "pricing", "charge", "fee", "rate", "expensive", "cheap", "afford", "affordable"],
  ["pay", "payment", "card", "credit", "debit", "cash", "visa", "mastercard", "amex", "venmo", "paypal", "applepay"],
  ["deliver", "delivery", "doordash", "ubereats", "grubhub"],
  ["pickup", "carryout", "takeout", "takeaway"],
  ["wifi", "internet", "wireless"],
  ["quote", "estimate", "quotation"],
  // Booking a place, a table, a class or an appointment: WordNet keeps the verb "book" behind the noun's senses.
  ["book", "booking", "reserve", "reservation"],
  // Pausing a membership, a subscription or an account.
  ["freeze", "suspend", "pause"],
  // Looking after children while the parent is busy, in the words WordNet lacks or keeps apart.
  ["childcare", "babysitting", "babysitter", "creche", "daycare"],
  ["child", "toddler", "kiddo"],
  // Meeting by video, named by the apps callers use.
  ["video", "zoom", "facetime", "skype", "videocall"],
  // Languages named in their own language.
  ["spanish", "espanol", "castellano"],
  ["french", "francais"],
  ["portuguese", "portugues"],
  ["german", "deutsch"],
  ["italian", "italiano"],
  // Pets in the words owners and callers use for them.
  ["dog", "doggy", "doggie", "doggo", "pooch", "mutt"],
  ["cat", "kitty", "moggy", "moggie", "puss", "pussycat"],
  // Fear, which a business may call nerves: "scared of strangers", "terrified of dentists".
  ["nervous", "anxious", "scared", "afraid", "frightened", "terrified", "fearful", "jumpy", "skittish", "anxiety", "phobia"],
  // What coeliac callers ask about.
  ["gluten", "wheat", "celiac", "coeliac"],
];
