/**
 * The answer check: a model's answer is spoken only when it is a real answer and every number it
 * names is in the facts it was given. A model that does not know says the marker; a model that
 * invents a price, a time or a phone number is caught here, so the caller hears the honest fallback
 * instead. Numbers are compared as quantities (quantities.ts): "twenty dollars" matches "$20".
 */
import { DONT_KNOW_MARKER } from "./grounding.ts";
import { quantities } from "./quantities.ts";

/**
 * Why an answer is not spoken:
 * - `dont_know`: the model said the marker (the facts do not answer);
 * - `empty`: nothing, or only punctuation;
 * - `too_long`: longer than a spoken answer should be (a list, an essay);
 * - `unsupported_number`: it names a number, price, time or digit string the facts do not.
 */
export type AnswerRejection = "dont_know" | "empty" | "too_long" | "unsupported_number";

/** The check's verdict. `timeSensitive` answers speak of hours or "now": cache them no longer than the hours. */
export type AnswerCheck =
  | { readonly ok: true; readonly text: string; readonly timeSensitive: boolean }
  | { readonly ok: false; readonly reason: AnswerRejection };

/** Options of {@link checkAnswer}. */
export interface AnswerCheckOptions {
  /** Longest answer spoken, in characters. Default 400 (about four short sentences). */
  readonly maxChars?: number;
}

const TIME_WORDS = /\b(now|today|tonight|tomorrow|open|opens|closed|closes|close|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b/i;

/**
 * The quantities of a business's facts, computed once and reused for every answer checked against
 * them.
 *
 * @example
 * ```ts
 * const facts = factQuantities(groundingPrompt(bella, now));
 * checkAnswer("Delivery is 3 dollars.", facts).ok // true
 * ```
 */
export function factQuantities(facts: string): ReadonlySet<string> {
  return quantities(factsPart(facts));
}

/**
 * Checks a model's answer against the facts it was grounded on (the prompt text, or its
 * {@link factQuantities}). Only the lines after "Facts:" count when the text has them, so the
 * instructions' own words ("one or two sentences") never vouch for a number.
 *
 * @example
 * ```ts
 * checkAnswer("A large pizza is eighteen dollars.", prompt) // { ok: true, text: "A large pizza is eighteen dollars.", timeSensitive: false }
 * checkAnswer("A large pizza is 25 dollars.", prompt)       // { ok: false, reason: "unsupported_number" }
 * checkAnswer("NOT_IN_FACTS", prompt)                       // { ok: false, reason: "dont_know" }
 * ```
 */
export function checkAnswer(answer: string, facts: string | ReadonlySet<string>, options: AnswerCheckOptions = {}): AnswerCheck {
  const text = answer.replace(/\s+/g, " ").trim();
  if (text.includes(DONT_KNOW_MARKER) || /\bnot[_ ]in[_ ]facts\b/i.test(text)) return { ok: false, reason: "dont_know" };
  if (!/[\p{L}\p{N}]/u.test(text)) return { ok: false, reason: "empty" };
  if (text.length > (options.maxChars ?? 400)) return { ok: false, reason: "too_long" };
  const known = typeof facts === "string" ? factQuantities(facts) : facts;
  const said = quantities(text);
  let namesTime = false;
  for (const quantity of said) {
    if (!known.has(quantity)) return { ok: false, reason: "unsupported_number" };
    if (quantity.startsWith("time:")) namesTime = true;
  }
  const timeSensitive = namesTime || TIME_WORDS.test(text);
  return { ok: true, text, timeSensitive };
}

/** The facts lines of a grounding prompt, or the whole text when it has no "Facts:" line. */
function factsPart(text: string): string {
  const at = text.search(/^Facts:\s*$/m);
  return at < 0 ? text : text.slice(at);
}
