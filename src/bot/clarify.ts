/**
 * The clarifying question: when two FAQs fit a question about equally well, the bot asks "Do you
 * mean A or B?", and the caller's next words are understood among those two FAQs only ("the
 * men's one", "the second", "both"). An answer that names neither is handled as a new question.
 */
import type { Business } from "./business.ts";
import { knowledgeIndexOf } from "./business-index.ts";
import { queryKnowledge } from "./knowledge/index.ts";
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

const FIRST = /\b(first|former|1st|the one you said first)\b/;
const SECOND = /\b(second|latter|last|2nd|the other)\b/;
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
  if (BOTH.test(text)) return [a, b];
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
