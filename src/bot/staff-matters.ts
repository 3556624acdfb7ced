/**
 * Questions only the business's people can answer, whatever its trade: about the caller's own
 * order, booking, bill or case ("my card got charged twice", "has the court set a date yet"),
 * something left behind ("i think i left my scarf at my table"), or a job ("are you hiring").
 * No FAQ answers them and no model should guess at them; a receptionist would say so and put the
 * caller through. Detecting them first keeps a shared word ("the locker room", "my card") from
 * pulling in an FAQ answer that sounds confident and is beside the point.
 *
 * The rules read the shape of the sentence — a possessive record plus a complaint, a status
 * question or a past time; a verb of leaving plus a place; hiring — not any business's nouns.
 */
import { spokenForm } from "./spoken-form.ts";

/** Things a caller has with a business: what "my …" refers to when they call about their own. */
const RECORD = String.raw`(order|orders|booking|reservation|case|bill|invoice|statement|account|card|payment|charge|refund|receipt|stay|claim|settlement|check|cheque|application|appointment|delivery|package|parcel|subscription|policy|file|paperwork|visit)`;
const OWN_RECORD = new RegExp(String.raw`\b(my|our|the) (\w+ ){0,2}${RECORD}\b`);

/** A charge disputed: about the caller's own bill whatever else is said. */
const WRONG_CHARGE: readonly RegExp[] = [
  /\b(charged|billed) (me |us )?(twice|double|two times|too much|the wrong)\b/,
  /\b(double|over) ?(charged|billed)\b/,
];

/** What is said about one's own record when something went wrong or is awaited. */
const ABOUT_OWN_RECORD: readonly RegExp[] = [
  /\b(was|were|is|are|came|arrived|got here) (missing|wrong|late|cold|damaged|broken)\b/,
  /\bnever (came|arrived|showed up|turned up|got here|went through)\b/,
  /\b(yet|status|any news|an update|going out|gone out|been sent|been processed|come through|gone through)\b/,
  /\b(last (night|week|month|time|year|weekend)|yesterday|the other day|earlier today)\b/,
];

/** Paying or settling what one already owes. */
const PAY_OWN = /\b(pay|settle|clear) (off )?(my|our) (\w+ )?(bill|invoice|balance|account|tab|statement)\b/;

/** Something left behind: a verb of leaving and a place ("left my headphones in the locker room"), or asking who found it. */
const LEFT_BEHIND: readonly RegExp[] = [
  /\b(left|lost|forgot|dropped|misplaced) (my|our|his|her|a|an|the) (\w+ ){0,2}(in|at|on|behind|under|inside|by) (the|your|my|our|a|room|table)\b/,
  /\b(left|forgot|dropped|misplaced) (my|our|his|her) (\w+ ){0,2}(there|here|behind|yesterday|last (night|week|time))\b/,
  /\bdid (anyone|anybody|someone|somebody|housekeeping|you|ye|the staff|your staff)( guys)? (find|found|turn|hand|pick|see)\b/,
  /\blost (and|n) found\b/,
  /\blost property\b/,
];

/** Work at the business rather than its services. */
const JOBS: readonly RegExp[] = [
  /\b(are|is) (you|ye|yall|you all|anyone|anybody|the \w+)( guys)? (currently |still |now )?hiring\b/,
  /\b(job|jobs|vacancy|vacancies|position|positions|opening|openings) (available|going|open)\b/,
  /\b(looking for|apply for|applying for) (a |an |any )?(job|work|position|role)\b/,
  /\b(drop off|send|hand in|email) (in )?(my|a) (cv|resume|application)\b/,
];

/**
 * Every rule above needs one of these words, so a question without any (nearly every FAQ
 * question) is ruled out by one expression. A new rule must keep this true.
 */
const TRIGGERS = new RegExp(
  String.raw`\b(?:${RECORD.slice(1, -1)}|balance|tab|left|lost|forgot|dropped|misplaced|find|found|turn|hand|pick|see|hiring|jobs?|vacanc(?:y|ies)|positions?|openings?|work|role|cv|resume|charged|billed|overcharged|overbilled)\b`,
);

const TRIGGERS_ANY_CASE = new RegExp(TRIGGERS.source, "i");
const ASCII = /^[\x00-\x7f]*$/;

/**
 * Whether the caller asks about something only the business's people can look up or decide.
 *
 * @example
 * ```ts
 * isStaffMatter("my card got charged twice this month can somebody fix that") // true
 * isStaffMatter("what forms of payment do you take")                          // false
 * isStaffMatter("hi i think i left my headphones in the locker room")         // true
 * isStaffMatter("can i leave my bags before check in")                        // false
 * ```
 */
export function isStaffMatter(speech: string): boolean {
  // Most turns are ruled out on the words as heard: in ASCII, normalising only lowercases, drops
  // punctuation and expands contractions, none of which can make a trigger word appear.
  if (ASCII.test(speech) && !TRIGGERS_ANY_CASE.test(speech)) return false;
  const text = spokenForm(speech, false).normalized;
  if (!TRIGGERS.test(text)) return false;
  if (JOBS.some((rule) => rule.test(text)) || LEFT_BEHIND.some((rule) => rule.test(text))) return true;
  if (PAY_OWN.test(text) || WRONG_CHARGE.some((rule) => rule.test(text))) return true;
  return OWN_RECORD.test(text) && ABOUT_OWN_RECORD.some((rule) => rule.test(text));
}
