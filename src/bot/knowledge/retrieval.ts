/**
 * Ranked retrieval over one business's FAQs, with a confidence that means the same thing for
 * every business so that one threshold serves them all.
 *
 * Evidence for an FAQ is BM25-like: each of the caller's terms adds its weight for the FAQ (owner's
 * words 1, answer words less, WordNet expansions less again; see vocabulary.ts) times its
 * distinctiveness: an IDF within the business (1 for a term one FAQ writes) and a discount for
 * words English uses everywhere. Words found only in answers add a capped amount; saying much of
 * an FAQ's question adds a little more. The caller is not punished for talking: a word the
 * business never uses adds a small cost to "none of them", names and numbers nothing.
 *
 * The confidence, in 0..1, is a softmax over the FAQs with evidence and "none of them" (a base
 * that one distinctive owner's word beats, plus those costs): a lone synonym or answer word does
 * not carry a match, and a runner-up nearly as good takes confidence away, so a question sharing
 * only common words with several FAQs falls back. When the two best would each be answered alone
 * and are close, the match is `ambiguous`: ask the caller which one they mean. See calibration.ts.
 */
import type { Faq } from "../business.ts";
import { CALIBRATION } from "./calibration.ts";
import { distinctiveness, resolve } from "./caller-terms.ts";
import type { KnowledgeIndex, KnowledgeIndexOptions, KnowledgeMatch, QueryOptions } from "./index-types.ts";
import { analyze, type Analysis } from "./terms.ts";
import { buildVocabulary } from "./vocabulary.ts";
import { commonness, otherModifierShare } from "./word-weights.ts";

export type { KnowledgeIndex, KnowledgeIndexOptions, KnowledgeMatch, QueryOptions, RunnerUp } from "./index-types.ts";

/** Answers at or above this confidence are given; below it the bot falls back (and offers a transfer). */
export const DEFAULT_CONFIDENCE_THRESHOLD = 0.48;


/**
 * Prepares a business's FAQs for {@link queryKnowledge}: their own words, WordNet expansions and
 * repair tables. A few milliseconds for 50 FAQs; the result may be shared (it only memoises the
 * callers' words it has looked up and the distinctiveness of the terms they reached).
 *
 * @example
 * ```ts
 * const index = buildKnowledgeIndex(business.faqs, { businessName: business.name });
 * queryKnowledge(index, "is there somewhere to park my car")?.question // "Do you have parking?"
 * ```
 */
export function buildKnowledgeIndex(faqs: readonly Faq[], options: KnowledgeIndexOptions = {}): KnowledgeIndex {
  const vocabulary = buildVocabulary(faqs);
  const nameTerms = options.businessName ? analyze(options.businessName).terms : [];
  const ignoredTerms = new Set(nameTerms.filter((term) => !vocabulary.postings.has(term)));
  return { faqs, vocabulary, idf: new Map(), ignoredTerms, nameTerms, callerWords: new Map() };
}

/**
 * The FAQ that best answers `text`, with its confidence; null when no FAQ shares a single term
 * with it (or it has no content words at all, like "um, okay"). The best match is returned even
 * when weak: compare `score` with a threshold before speaking it, and ask when `ambiguous`.
 *
 * @example
 * ```ts
 * const match = queryKnowledge(index, "how much does delivery cost");
 * if (match?.ambiguous) ask(`Do you mean ${match.question} or ${match.runnerUp!.question}?`);
 * else if (match && match.score >= DEFAULT_CONFIDENCE_THRESHOLD) say(match.answer);
 * // the caller's reply to the question, among the two offered:
 * queryKnowledge(index, "the first one about delivery", { among: [match.faqIndex, match.runnerUp!.faqIndex] });
 * ```
 */
export function queryKnowledge(index: KnowledgeIndex, text: string, options: QueryOptions = {}): KnowledgeMatch | null {
  return rank(index, analyze(text), options.among);
}

/** {@link queryKnowledge} for terms already taken from the text (see termsOf); no join repair. */
export function queryTerms(index: KnowledgeIndex, terms: readonly string[], options: QueryOptions = {}): KnowledgeMatch | null {
  return rank(index, { terms: [...terms], joins: [], unknown: new Map(), words: new Map(), sequence: [], implied: new Set(), narrative: new Set(), trailing: new Set(), focus: new Set() }, options.among);
}

/**
 * How much of an FAQ's question the caller's topical evidence amounts to, up to 1: "do you
 * deliver" covers "Do you deliver?" fully and "Is there a delivery fee?" half.
 */
function questionCoverage(index: KnowledgeIndex, faq: number, topicalEvidence: number): number {
  let total = 0;
  for (const term of index.vocabulary.questionTerms[faq]!) total += distinctiveness(index, term) * commonness(term);
  return total > 0 ? Math.min(1, topicalEvidence / total) : 0;
}

/**
 * Why a question got the match it got, for the business's owner: the match (as
 * {@link queryKnowledge} gives it) and the caller's words that no FAQ writes — the words an owner
 * could add as keywords ("zumba", "playroom"), WordNet's weak links to them included.
 *
 * @example
 * ```ts
 * explainQuery(index, "um do you have a playroom").unwritten // ["playroom"]
 * ```
 */
export function explainQuery(index: KnowledgeIndex, text: string): { match: KnowledgeMatch | null; unwritten: string[] } {
  const analysis = analyze(text);
  const unwritten: string[] = [];
  resolve(index, analysis, unwritten);
  return { match: rank(index, analysis), unwritten };
}

function rank(index: KnowledgeIndex, analysis: Analysis, among?: readonly number[]): KnowledgeMatch | null {
  const count = index.faqs.length;
  if (count === 0 || analysis.terms.length === 0) return null;
  const allowed = among === undefined ? undefined : new Set(among.filter((faq) => faq >= 0 && faq < count));
  const { matched, derived, unknownCost } = resolve(index, analysis);

  const topical = new Float64Array(count);
  const incidental = new Float64Array(count);
  const { bound } = index.vocabulary;
  for (const [term, weights] of matched) {
    const distinct = distinctiveness(index, term) * commonness(term);
    const heads = bound.get(term);
    for (const { faq, weight, topical: onTopic, written } of weights) {
      if (allowed !== undefined && !allowed.has(faq)) continue;
      // The question's focus weighs more where the business writes it, not where it is only related.
      const share = (heads === undefined ? 1 : otherModifierShare(analysis, term, heads.get(faq))) * (analysis.focus.has(term) && written ? CALIBRATION.focusWeight : 1) * (analysis.trailing.has(term) ? CALIBRATION.trailingMatchShare : 1);
      if (onTopic) topical[faq]! += distinct * weight * share;
      else incidental[faq]! += distinct * weight * share;
    }
  }
  for (const [term, weights] of derived) {
    // The caller's situation counts only through words the business writes: what WordNet relates
    // to it ("my friend told me about you": friend → guest) is no evidence of the question.
    if (analysis.narrative.has(term) || analysis.trailing.has(term)) continue;
    const distinct = commonness(term);
    for (const { faq, weight, topical: onTopic } of weights) {
      if (allowed !== undefined && !allowed.has(faq)) continue;
      if (onTopic) topical[faq]! += distinct * weight;
      else incidental[faq]! += distinct * weight;
    }
  }
  // Words found only in an answer support a match but cannot make one: "front desk" is in the
  // day-pass answer, yet "do you sell protein shakes at the front desk" asks about something else.
  const evidence = new Float64Array(count);
  for (let faq = 0; faq < count; faq++) {
    evidence[faq] = topical[faq]! + Math.min(incidental[faq]!, CALIBRATION.answerEvidenceCap);
    if (evidence[faq]! > 0) evidence[faq]! += CALIBRATION.coverageWeight * questionCoverage(index, faq, topical[faq]!);
  }

  let best = -1;
  let second = -1;
  for (let faq = 0; faq < count; faq++) {
    if (evidence[faq]! <= 0) continue;
    if (best < 0 || evidence[faq]! > evidence[best]!) {
      second = best;
      best = faq;
    } else if (second < 0 || evidence[faq]! > evidence[second]!) second = faq;
  }
  if (best < 0) return null;

  // A softmax over the candidate FAQs and "none of them": the evidence for "none" is a base
  // (what one distinctive word must beat) plus what the caller said that no FAQ explains.
  // A reply to "Do you mean A or B?" is expected to name one of them: "none" starts lower.
  const noneEvidence = CALIBRATION.noneBase * (allowed === undefined ? 1 : CALIBRATION.clarifiedNoneShare) + unknownCost;
  const beta = CALIBRATION.sharpness;
  let total = Math.exp(beta * (noneEvidence - evidence[best]!));
  for (let faq = 0; faq < count; faq++) if (evidence[faq]! > 0) total += Math.exp(beta * (evidence[faq]! - evidence[best]!));
  const confidence = (faq: number) => Math.exp(beta * (evidence[faq]! - evidence[best]!)) / total;
  /** As if the FAQ were the only candidate: would it be answered on its own? */
  const alone = (faq: number) => 1 / (1 + Math.exp(beta * (noneEvidence - evidence[faq]!)));
  const faq = index.faqs[best]!;
  const match: { -readonly [K in keyof KnowledgeMatch]: KnowledgeMatch[K] } = {
    answer: faq.answer,
    question: faq.question,
    score: confidence(best),
    faqIndex: best,
    ambiguous: false,
  };
  if (second >= 0) {
    const other = index.faqs[second]!;
    match.runnerUp = { faqIndex: second, question: other.question, answer: other.answer, score: confidence(second) };
    match.ambiguous =
      evidence[second]! >= CALIBRATION.ambiguousRatio * evidence[best]! &&
      alone(best) >= DEFAULT_CONFIDENCE_THRESHOLD &&
      alone(second) >= DEFAULT_CONFIDENCE_THRESHOLD;
  }
  return match;
}
