/**
 * The clarifying question: when two FAQs fit a question about equally well, the bot asks "Do you
 * mean A or B?", and the caller's next words are understood among those two FAQs only ("the
 * men's one", "the second", "both"). An answer that names neither is handled as a new question.
 *
 * When one FAQ fits but not surely enough to answer, the bot checks instead: "Are you asking about
 * parking?" (kept as a clarification between that FAQ and itself); yes gets the answer, no the
 * honest fallback, anything else is a new question.
 */
import type { Business } from "./business.ts";
import { knowledgeIndexOf } from "./business-index.ts";
import { queryKnowledge } from "./knowledge/index.ts";
import { yesOrNo } from "./yes-no.ts";
import { spokenForm } from "./spoken-form.ts";
import { normalizeText } from "./knowledge/text.ts";
import type { KnowledgeAnswer } from "./lookups.ts";
import { replies } from "./replies.ts";
import { faqTopic } from "./topics.ts";

/** How much better one of the two must fit the caller's reply to count as chosen. */
const CHOICE_MARGIN = 0.05;


/**
 * The clarifying question for an ambiguous answer, with the two FAQs it offers; undefined when
 * the answer is not ambiguous (or names FAQs the business no longer has in that place).
 *
 * @example
 * ```ts
 * const ask = clarifyingQuestion(salon, found); // { say: "Do you mean a women's haircut or a men's haircut?", between: [0, 1] }
 * ```
 */
export function clarifyingQuestion(business: Business, found: KnowledgeAnswer): { say: string; between: readonly [number, number] } | undefined {
  const other = found.runnerUp;
  if (found.ambiguous !== true || other === undefined || other.faqIndex === found.faqIndex) return undefined;
  const a = business.faqs[found.faqIndex];
  const b = business.faqs[other.faqIndex];
  // A cached answer from before an FAQ edit may point elsewhere: then answer, do not ask.
  if (a === undefined || b === undefined || a.question !== found.question || b.question !== other.question) return undefined;
  return { say: replies.clarify(faqTopic(a), faqTopic(b)), between: [found.faqIndex, other.faqIndex] };
}

/** Share of the answer threshold from which a match is checked with the caller rather than dropped. */
export const CONFIRM_SHARE = 0.5;

/**
 * "Are you asking about X?" for a match below the answer threshold but above half of it, with the
 * FAQ it checks (twice: a clarification between it and itself); undefined otherwise.
 *
 * @example
 * ```ts
 * confirmingQuestion(salon, { ...found, score: 0.35 }, 0.48) // { say: "Are you asking about parking?", between: [3, 3] }
 * ```
 */
export function confirmingQuestion(business: Business, found: KnowledgeAnswer | null, minConfidence: number): { say: string; between: readonly [number, number] } | undefined {
  if (found === null || found.ambiguous === true || found.score >= minConfidence || found.score < CONFIRM_SHARE * minConfidence) return undefined;
  const faq = business.faqs[found.faqIndex];
  if (faq === undefined || faq.question !== found.question) return undefined;
  return { say: replies.confirm(faqTopic(faq)), between: [found.faqIndex, found.faqIndex] };
}

/**
 * The caller's answer to "Are you asking about X?": yes, no, or undefined when they said something
 * else (a new question, which is then handled as one).
 *
 * @example
 * ```ts
 * confirmation("yeah thats right") // "yes"
 * confirmation("no i meant the gift cards") // undefined: a new question
 * ```
 */
export function confirmation(speech: string): "yes" | "no" | undefined {
  return yesOrNo(spokenForm(speech, false).normalized);
}

const FIRST = /\b(first|former|1st|the one you said first)\b/;
const SECOND = /\b(second|latter|last|2nd|the other)\b/;
/** "number two", "option one": a choice by number, whatever words of the FAQs it shares ("options"). */
const BY_NUMBER = /\b(number|option) (one|two|1|2)\b/;
/** "not the kids one": the caller names the one they do not mean. */
const NOT_THAT = /^(no )?not (the )?/;
const BOTH = /\b(both|either|the two of them)\b/;

/**
 * Which of the two offered FAQs the caller's reply chooses: their indexes (both when they asked
 * for both), or an empty list when the reply names neither.
 *
 * @example
 * ```ts
 * chooseBetween(salon, "the mens one please", [0, 1]) // [1]
 * chooseBetween(salon, "actually do you have parking", [0, 1]) // []
 * ```
 */
export function chooseBetween(business: Business, speech: string, between: readonly [number, number]): number[] {
  const [a, b] = between;
  if (business.faqs[a] === undefined || business.faqs[b] === undefined) return [];
  const text = normalizeText(speech);
  if (NOT_THAT.test(text)) {
    const named = chooseBetween(business, text.replace(NOT_THAT, ""), between);
    return named.length === 1 ? [named[0] === a ? b : a] : [];
  }
  if (BOTH.test(text)) return [a, b];
  const numbered = BY_NUMBER.exec(text);
  if (numbered !== null) return [numbered[2] === "one" || numbered[2] === "1" ? a : b];
  // Not cached by question: a reply to "Do you mean A or B?" means something only after that question.
  const match = queryKnowledge(knowledgeIndexOf(business), speech, { among: between });
  if (match !== null && match.score > 0) {
    const runnerUp = match.runnerUp?.score ?? 0;
    if (match.score - runnerUp >= CHOICE_MARGIN) return [match.faqIndex];
  }
  const first = FIRST.test(text);
  const second = SECOND.test(text);
  if (first !== second) return [first ? a : b];
  return [];
}
