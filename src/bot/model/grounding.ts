/**
 * The grounded prompt: what the model is told about a business, and nothing else. The model sees
 * the business's own facts only (its FAQs, address, hours with today's status computed on its
 * clock, whether a person can take the call) and is told to answer in one or two short spoken
 * sentences, or to say {@link DONT_KNOW_MARKER} exactly when the facts do not answer. The check
 * (check.ts) then refuses anything the facts do not support.
 *
 * Both halves are versioned so a cached answer never outlives what it was answered from:
 * {@link PROMPT_VERSION} changes with the wording below, {@link factsVersion} with the facts.
 */
import { createHash } from "node:crypto";
import type { Business } from "../business.ts";
import { WEEKDAYS, WEEKDAY_NAMES, clock, localMoment, openingStatus, weekdayAfter, type OpeningStatus, type Weekday } from "../hours.ts";
import { describeHours, spokenTime } from "../hours-spoken.ts";
import type { ChatMessage } from "./client.ts";

/**
 * The version of the instructions below. Change it with any change to their wording or to the
 * facts layout, so answers cached under the old prompt are not served.
 */
export const PROMPT_VERSION = "grounded-2026-12-01";

/** What the model is told to say, exactly, when the facts do not answer the question. */
export const DONT_KNOW_MARKER = "NOT_IN_FACTS";

/** The parts of a business the prompt reads. A full Business fits; `address` is used when present. */
export type GroundingBusiness = Pick<Business, "id" | "name" | "language" | "timezone" | "hours" | "faqs" | "transferNumber"> & {
  readonly address?: string;
};

const INSTRUCTIONS = [
  "You answer the phone for {name}. A caller asked the question in the next message.",
  'Answer only from the lines under "Facts:" below. Do not use anything else you know, and do not guess.',
  "Reply in one or two short sentences, the way you would say them on the phone: no lists, no markdown, no links.",
  "Reply in the language of the caller's phone line, {language}.",
  "Do not say any number, price, time, date or phone number unless it appears in the facts.",
  `If the facts do not answer the question, reply with exactly "${DONT_KNOW_MARKER}" and nothing else.`,
];

/**
 * The system prompt for `business` at `now`: the instructions, then one fact per line.
 *
 * @example
 * ```ts
 * groundingPrompt(bella, new Date())
 * // "You answer the phone for Bella Pizza. …\nFacts:\n- Business name: Bella Pizza\n- Opening hours: …\n- Q: Do you have parking? A: Yes, …"
 * ```
 */
export function groundingPrompt(business: GroundingBusiness, now: Date): string {
  const lines = INSTRUCTIONS.map((line) => line.replace("{name}", business.name).replace("{language}", business.language));
  lines.push("Facts:", `- Business name: ${business.name}`);
  if (business.address) lines.push(`- Address: ${business.address}`);
  lines.push(...hoursFacts(business, now));
  lines.push(
    business.transferNumber
      ? "- A person can take the call: if the caller asks for one, say you can put them through."
      : "- No person can take the call now; do not offer to put the caller through.",
  );
  for (const faq of business.faqs) lines.push(`- Q: ${oneLine(faq.question)} A: ${oneLine(faq.answer)}`);
  return lines.join("\n");
}

/**
 * The chat messages for one question: the grounded system prompt and the caller's question.
 *
 * @example
 * ```ts
 * await model.answer(groundedMessages(bella, "Can I bring my dog?", new Date()));
 * ```
 */
export function groundedMessages(business: GroundingBusiness, question: string, now: Date): ChatMessage[] {
  return [
    { role: "system", content: groundingPrompt(business, now) },
    { role: "user", content: oneLine(question) },
  ];
}

/** The hours lines: the week as the bot says it, then today and right now on the business's clock. */
function hoursFacts(business: GroundingBusiness, now: Date): string[] {
  const { hours, timezone } = business;
  if (WEEKDAYS.every((day) => hours[day] === undefined)) return ["- Opening hours: not known; do not guess them."];
  const { day, minute } = localMoment(timezone, now);
  return [
    `- Opening hours: ${describeHours(hours)}`,
    `- Today is ${WEEKDAY_NAMES[day]}, ${spokenTime(minute)} (${clock(minute)}) local time. ${describeHours(hours, { day, today: day })}`,
    `- Right now: ${statusSentence(openingStatus(hours, timezone, now), day)}`,
  ];
}

function statusSentence(status: OpeningStatus, today: Weekday): string {
  if (!status.known) return "it is not known whether we are open.";
  if (status.open) {
    if (status.closesAt === undefined) return "we are open, around the clock.";
    const on = status.closesOn ? ` on ${WEEKDAY_NAMES[status.closesOn]}` : "";
    return `we are open until ${spokenTime(status.closesAt)}${on}.`;
  }
  if (status.opensNext) {
    const { day, time } = status.opensNext;
    const when = day === today ? "today" : day === weekdayAfter(today, 1) ? "tomorrow" : `on ${WEEKDAY_NAMES[day]}`;
    return `we are closed; we open ${when} at ${spokenTime(time)}.`;
  }
  return "we are closed.";
}

/** Newlines would start a new "fact" line; a business's text stays on its own line. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/**
 * A short hash of everything the prompt reads from `business` (not the time of day: today's status
 * follows from the hours and the clock). Two businesses with the same facts get the same version;
 * any change to a FAQ, the hours, the zone, the address or the transfer number gives a new one.
 *
 * @example
 * ```ts
 * factsVersion(bella)                                   // "3f9a1c0b7d2e4a61"
 * factsVersion({ ...bella, faqs: [] }) !== factsVersion(bella) // true
 * ```
 */
export function factsVersion(business: GroundingBusiness): string {
  // Fixed field order: the version must not depend on how the business file was written.
  const facts = {
    name: business.name,
    language: business.language,
    address: business.address ?? null,
    timezone: business.timezone,
    hours: WEEKDAYS.map((day) => business.hours[day]?.map((range) => [range.opens, range.closes]) ?? null),
    transfer: business.transferNumber !== undefined,
    faqs: business.faqs.map((faq) => [faq.question, faq.answer]),
  };
  return createHash("sha256").update(JSON.stringify(facts)).digest("hex").slice(0, 16);
}
