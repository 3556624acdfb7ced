/**
 * Two questions in one breath ("do you have parking and whats the wifi password"): a receptionist
 * answers both. The utterance is cut where "and", "also" or "plus" joins two parts that each name
 * something; each part is ranked on its own, and when both are answered confidently by different
 * FAQs, both answers are given, in the caller's order.
 */
import type { Business } from "./business.ts";
import type { KnowledgeAnswer } from "./lookups.ts";
import { normalizeText } from "./knowledge/text.ts";
import { analyze } from "./knowledge/terms.ts";

/** A joining word anywhere in the raw text, in any case. */
const MAY_JOIN = /\b(?:and|also|plus)\b/i;
/** Where a second question may start. */
const JOINS = / (?:and also|and then|and|also|plus|as well as) /g;

/**
 * The two parts of an utterance around a joining word, each with a content word of its own; the
 * first such cut from the left. Undefined when there is none.
 *
 * @example
 * ```ts
 * splitQuestions("do you have parking and whats the wifi password") // ["do you have parking", "whats the wifi password"]
 * splitQuestions("gluten free and vegan options") // ["gluten free", "vegan options"]
 * splitQuestions("salt and pepper") // ["salt", "pepper"]: the ranking decides whether both are questions
 * ```
 */
export function splitQuestions(speech: string): readonly [string, string] | undefined {
  // Most utterances join nothing: a test of the raw text spares them normalising.
  if (!MAY_JOIN.test(speech)) return undefined;
  const text = normalizeText(speech);
  if (!text.includes(" and ") && !text.includes(" also ") && !text.includes(" plus ") && !text.includes(" as well as ")) return undefined;
  for (const join of text.matchAll(JOINS)) {
    const first = text.slice(0, join.index);
    const second = text.slice(join.index + join[0].length);
    if (analyze(first).terms.length > 0 && analyze(second).terms.length > 0) return [first, second];
  }
  return undefined;
}

/**
 * Both answers when the two parts of an utterance (see splitQuestions) are answered confidently
 * by two different FAQs; undefined otherwise (then the utterance is ranked whole, as one question).
 *
 * @example
 * ```ts
 * const both = await twoAnswers(business, splitQuestions("is there parking and do you have wifi")!, answer, 0.48);
 * both?.map((found) => found.question) // ["Is there parking?", "Do you have WiFi?"]
 * ```
 */
export async function twoAnswers(
  business: Business,
  parts: readonly [string, string],
  answer: (business: Business, question: string) => Promise<KnowledgeAnswer | null>,
  minConfidence: number,
): Promise<readonly [KnowledgeAnswer, KnowledgeAnswer] | undefined> {
  const [first, second] = await Promise.all([answer(business, parts[0]), answer(business, parts[1])]);
  const sure = (found: KnowledgeAnswer | null): found is KnowledgeAnswer => found !== null && !found.ambiguous && found.score >= minConfidence;
  if (!sure(first) || !sure(second) || first.faqIndex === second.faqIndex) return undefined;
  return [first, second];
}
