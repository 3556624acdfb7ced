/**
 * Ranked retrieval over one business's FAQs, with a confidence that means the same thing for
 * every business so that one threshold serves them all.
 *
 * Scoring, per FAQ, with terms weighted by a normalised IDF (1 for a term that only this FAQ has,
 * less for terms many FAQs share, a fixed weight for words the business never mentions):
 *
 * - coverage of the question: how much of what the caller said this FAQ explains. A term in the
 *   FAQ's question or keywords counts fully, one only in its answer counts half.
 * - coverage of the FAQ: how much of the FAQ's own question the caller touched. Keywords are
 *   alternatives, not requirements: a matched keyword counts (at half weight) as touched question
 *   weight, an unmatched one costs nothing. That is their boost over question words, which all
 *   count.
 *
 * confidence = callerCoverage × (FAQ_FLOOR + (1 − FAQ_FLOOR) × faqCoverage), in 0..1.
 *
 * Both factors are ratios of weights within one business, so neither the number of FAQs nor their
 * length moves the scale; an off-topic question is mostly unknown words and lands near zero.
 */
import type { Faq } from "../business.ts";
import { termsOf } from "./terms.ts";

/** Answers at or above this confidence are given; below it the bot falls back (and offers a transfer). */
export const DEFAULT_CONFIDENCE_THRESHOLD = 0.5;

/** Weight of a word the business's FAQs never use: it counts against a match, a bit less than a rare known word. */
const UNKNOWN_TERM_WEIGHT = 0.45;
/** How much a term found only in an FAQ's answer counts, against one in its question or keywords. */
const ANSWER_ONLY_STRENGTH = 0.5;
/** How much a matched keyword counts as touching the FAQ: keywords are often side words ("car" on a parking FAQ). */
const KEYWORD_TOUCH = 0.5;
/** The share of the confidence a match keeps even when it touches none of the FAQ's question words. */
const FAQ_FLOOR = 0.6;

/** Terms that point somewhere but weakly: a missed one costs little, a hit adds little. */
const WEAK_TERMS: ReadonlyMap<string, number> = new Map([["where", 0.3]]);

interface Posting {
  readonly faq: number;
  /** 1 for question or keyword, ANSWER_ONLY_STRENGTH for answer only. */
  readonly strength: number;
  readonly field: "question" | "keyword" | "answer";
}

/** An FAQ knowledge base prepared for queries; build once per business, query many times. */
export interface KnowledgeIndex {
  readonly faqs: readonly Faq[];
  /** @internal term → the FAQs it occurs in */
  readonly postings: ReadonlyMap<string, readonly Posting[]>;
  /** @internal term → normalised IDF weight in (0, 1] */
  readonly weights: ReadonlyMap<string, number>;
  /** @internal per FAQ, the summed weight of its question terms */
  readonly questionWeights: Float64Array;
  /** @internal terms of the business name the FAQs never use: ignored, not counted as unknown */
  readonly ignoredTerms: ReadonlySet<string>;
  /** @internal every term of the business name: all ignored when the caller says the whole name */
  readonly nameTerms: readonly string[];
}

export interface KnowledgeMatch {
  readonly answer: string;
  readonly question: string;
  /** Confidence in 0..1, comparable across businesses; compare with DEFAULT_CONFIDENCE_THRESHOLD. */
  readonly score: number;
  readonly faqIndex: number;
  /** The second-best FAQ, when another one matched at all. */
  readonly runnerUp?: { faqIndex: number; question: string; answer: string; score: number };
  /** Both best FAQs are strong and close: the caller should be asked which one they mean. */
  readonly ambiguous: boolean;
}

/** Options of one query. */
export interface KnowledgeQueryOptions {
  /** Rank only these FAQs (by index), e.g. the two a clarifying question offered. */
  readonly among?: readonly number[];
}

// PLACEHOLDER for the ranking rewrite of issue 11 (another branch replaces this file): `among`,
// `runnerUp` and `ambiguous` computed simply over the existing score, so that the clarifying
// question can be built and tested against the agreed contract.
/** Two FAQs at or above the threshold whose scores are within this margin are ambiguous. */
const AMBIGUOUS_MARGIN = 0.1;

export interface KnowledgeIndexOptions {
  /**
   * The business name. Said whole, it is ignored ("does Bella Pizza deliver" asks "do you
   * deliver"); its words alone are ignored only when no FAQ uses them ("pizza ovens" keeps pizza).
   */
  readonly businessName?: string;
}

/**
 * Prepares a business's FAQs for {@link queryKnowledge}. Cost is linear in the FAQ text (tens of
 * microseconds for a dozen FAQs); the result is immutable and may be shared.
 *
 * @example
 * ```ts
 * const index = buildKnowledgeIndex(business.faqs, { businessName: business.name });
 * queryKnowledge(index, "is there somewhere to park my car")?.question // "Do you have parking?"
 * ```
 */
export function buildKnowledgeIndex(faqs: readonly Faq[], options: KnowledgeIndexOptions = {}): KnowledgeIndex {
  const postings = new Map<string, Posting[]>();
  const questionTermsPerFaq: string[][] = [];

  faqs.forEach((faq, index) => {
    const questionTerms = termsOf(faq.question);
    const keywordTerms = faq.keywords.flatMap((keyword) => termsOf(keyword));
    const answerTerms = termsOf(faq.answer);
    questionTermsPerFaq.push(questionTerms);
    const seen = new Map<string, Posting>();
    for (const term of questionTerms) seen.set(term, { faq: index, strength: 1, field: "question" });
    for (const term of keywordTerms) if (!seen.has(term)) seen.set(term, { faq: index, strength: 1, field: "keyword" });
    for (const term of answerTerms) if (!seen.has(term)) seen.set(term, { faq: index, strength: ANSWER_ONLY_STRENGTH, field: "answer" });
    for (const [term, posting] of seen) {
      const list = postings.get(term);
      if (list) list.push(posting);
      else postings.set(term, [posting]);
    }
  });

  const weights = new Map<string, number>();
  const total = faqs.length;
  const maxIdf = Math.log(1 + total);
  for (const [term, list] of postings) {
    const idf = Math.log(1 + total / list.length) / maxIdf;
    // A word only answers use says little about which FAQ is meant: leaving it unexplained costs less.
    const topical = list.some((posting) => posting.field !== "answer") ? 1 : ANSWER_ONLY_STRENGTH;
    weights.set(term, idf * topical * (WEAK_TERMS.get(term) ?? 1));
  }

  const questionWeights = new Float64Array(total);
  questionTermsPerFaq.forEach((terms, index) => {
    let sum = 0;
    for (const term of terms) sum += weights.get(term) ?? 0;
    questionWeights[index] = sum;
  });

  const nameTerms = options.businessName ? termsOf(options.businessName) : [];
  const ignoredTerms = new Set(nameTerms.filter((term) => !postings.has(term)));

  return { faqs, postings, weights, questionWeights, ignoredTerms, nameTerms };
}

/**
 * The FAQ that best answers `text`, with its confidence; null when no FAQ shares a single term
 * with it (or it has no content words at all, like "um, okay"). The best match is returned even
 * when weak: compare `score` with a threshold before speaking it.
 *
 * @example
 * ```ts
 * const match = queryKnowledge(index, "how much does delivery cost");
 * if (match && match.score >= DEFAULT_CONFIDENCE_THRESHOLD) say(match.answer);
 * ```
 */
export function queryKnowledge(index: KnowledgeIndex, text: string, options: KnowledgeQueryOptions = {}): KnowledgeMatch | null {
  return queryTerms(index, termsOf(text), options);
}

/** {@link queryKnowledge} for terms already taken from the text (see termsOf). */
export function queryTerms(index: KnowledgeIndex, terms: readonly string[], options: KnowledgeQueryOptions = {}): KnowledgeMatch | null {
  const count = index.faqs.length;
  if (count === 0 || terms.length === 0) return null;

  const matched = new Float64Array(count);
  const questionMatched = new Float64Array(count);
  const keywordMatched = new Float64Array(count);
  let callerWeight = 0;
  let anyMatch = false;
  // Set-based, not positional, so that a question's answer depends on its set of terms only (see canonicalQuery).
  const saidName = index.nameTerms.length > 0 && index.nameTerms.every((term) => terms.includes(term));
  for (const term of terms) {
    if (saidName && index.nameTerms.includes(term)) continue;
    const list = index.postings.get(term);
    if (list === undefined) {
      if (!index.ignoredTerms.has(term)) callerWeight += (WEAK_TERMS.get(term) ?? 1) * UNKNOWN_TERM_WEIGHT;
      continue;
    }
    const weight = index.weights.get(term)!;
    callerWeight += weight;
    anyMatch = true;
    for (const posting of list) {
      matched[posting.faq]! += weight * posting.strength;
      if (posting.field === "question") questionMatched[posting.faq]! += weight;
      else if (posting.field === "keyword") keywordMatched[posting.faq]! += weight;
    }
  }
  if (!anyMatch) return null;

  const allowed = options.among === undefined ? undefined : new Set(options.among);
  let best = -1;
  let bestScore = -1;
  let bestRaw = -1;
  let second = -1;
  let secondScore = -1;
  for (let faq = 0; faq < count; faq++) {
    const raw = matched[faq]!;
    if (raw === 0 || (allowed !== undefined && !allowed.has(faq))) continue;
    const callerCoverage = raw / callerWeight;
    const keywordTouch = KEYWORD_TOUCH * keywordMatched[faq]!;
    const touched = questionMatched[faq]! + keywordTouch;
    const faqWeight = index.questionWeights[faq]! + keywordTouch;
    const faqCoverage = faqWeight > 0 ? touched / faqWeight : 0;
    const score = callerCoverage * (FAQ_FLOOR + (1 - FAQ_FLOOR) * faqCoverage);
    // Ties go to the FAQ with more matched weight, then to the earlier one.
    if (score > bestScore || (score === bestScore && raw > bestRaw)) {
      second = best;
      secondScore = bestScore;
      best = faq;
      bestScore = score;
      bestRaw = raw;
    } else if (score > secondScore) {
      second = faq;
      secondScore = score;
    }
  }
  if (best < 0) return null;
  const faq = index.faqs[best]!;
  const score = Math.min(1, bestScore);
  if (second < 0) return { answer: faq.answer, question: faq.question, score, faqIndex: best, ambiguous: false };
  const other = index.faqs[second]!;
  const runnerUpScore = Math.min(1, secondScore);
  const ambiguous = runnerUpScore >= DEFAULT_CONFIDENCE_THRESHOLD && score - runnerUpScore <= AMBIGUOUS_MARGIN;
  return {
    answer: faq.answer,
    question: faq.question,
    score,
    faqIndex: best,
    runnerUp: { faqIndex: second, question: other.question, answer: other.answer, score: runnerUpScore },
    ambiguous,
  };
}
