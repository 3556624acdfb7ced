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
import { lemmasOf, stemmedRelationsOf, type Neighbour } from "./lexicon/index.ts";
import { CALIBRATION } from "./calibration.ts";
import { analyze, type Analysis } from "./terms.ts";
import { RELATION_WEIGHT, buildVocabulary, repairWord, type FaqWeights, type Posting, type Vocabulary } from "./vocabulary.ts";
import { commonness, otherModifierShare, unexplainedWordCost } from "./word-weights.ts";

/** Caller's words remembered per index (their WordNet reach); bounds memory on a long-lived index. */
const CALLER_WORD_CACHE_LIMIT = 5000;

/** Answers at or above this confidence are given; below it the bot falls back (and offers a transfer). */
export const DEFAULT_CONFIDENCE_THRESHOLD = 0.48;


/** An FAQ knowledge base prepared for queries; build once per business, query many times. */
export interface KnowledgeIndex {
  readonly faqs: readonly Faq[];
  /** @internal the business's vocabulary and repair tables */
  readonly vocabulary: Vocabulary;
  /** @internal term → distinctiveness in (0, 1], worked out when a question first needs it (see distinctiveness) */
  readonly idf: Map<string, number>;
  /** @internal caller's words the business never uses → what their WordNet relations reach (null: nothing) */
  readonly callerWords: Map<string, FaqWeights | null>;
  /** @internal terms of the business name the FAQs never use: ignored, not counted as unknown */
  readonly ignoredTerms: ReadonlySet<string>;
  /** @internal every term of the business name: all ignored when the caller says the whole name */
  readonly nameTerms: readonly string[];
}

/** The FAQ that comes second, when one does. */
export interface RunnerUp {
  readonly faqIndex: number;
  readonly question: string;
  readonly answer: string;
  readonly score: number;
}

export interface KnowledgeMatch {
  readonly answer: string;
  readonly question: string;
  /** Confidence in 0..1, comparable across businesses; compare with DEFAULT_CONFIDENCE_THRESHOLD. */
  readonly score: number;
  readonly faqIndex: number;
  readonly runnerUp?: RunnerUp;
  /**
   * True when the two best FAQs would each be answered on their own and are too close to choose
   * between: a receptionist would ask "Do you mean A or B?" (see `among` in queryKnowledge).
   */
  readonly ambiguous: boolean;
}

export interface KnowledgeIndexOptions {
  /**
   * The business name. Said whole, it is ignored ("does Bella Pizza deliver" asks "do you
   * deliver"); its words alone are ignored only when no FAQ uses them ("pizza ovens" keeps pizza).
   */
  readonly businessName?: string;
}

export interface QueryOptions {
  /** Rank only these FAQs (by index): to read the caller's answer to "Do you mean A or B?". */
  readonly among?: readonly number[];
}

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
 * How distinctive a term is within the business, in [0, 1]: an IDF over its postings, 0 for a
 * term no FAQ is reached by. Worked out on first use and remembered: a question reads a few of
 * an index's thousands of terms, most of which no caller ever says.
 */
function distinctiveness(index: KnowledgeIndex, term: string): number {
  const known = index.idf.get(term);
  if (known !== undefined) return known;
  const weights = index.vocabulary.postings.get(term);
  if (weights === undefined) return 0;
  const total = index.faqs.length;
  // Document frequency over the FAQs that write the term; a term only expansions reach counts
  // them by weight. WordNet's side senses ("bar" is a kind of room) so do not blunt an owner's word.
  let frequency = 0;
  let expanded = 0;
  for (const { weight, written } of weights) {
    if (written) frequency++;
    else expanded += weight;
  }
  if (frequency === 0) frequency = expanded;
  let idf = total === 0 ? 0 : Math.min(1, Math.log(1 + total / Math.max(1, frequency)) / Math.log(1 + total));
  // A name word the FAQs also use mostly names the business ("is there a bar in the hotel").
  if (index.nameTerms.includes(term)) idf *= CALIBRATION.nameWeight;
  index.idf.set(term, idf);
  return idf;
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
  return rank(index, { terms: [...terms], joins: [], unknown: new Map(), words: new Map(), sequence: [], implied: new Set(), narrative: new Set(), focus: new Set() }, options.among);
}

/** The terms the caller's words stand for in this business, after repair; each with its postings. */
function resolve(
  index: KnowledgeIndex,
  analysis: Analysis,
  unwritten?: string[],
): { matched: Map<string, FaqWeights>; derived: Map<string, FaqWeights>; unknownCost: number } {
  const { postings } = index.vocabulary;
  const matched = new Map<string, FaqWeights>();
  const derived = new Map<string, FaqWeights>();
  const consumed = new Set<string>();
  for (const join of analysis.joins) {
    const targets = postings.has(join.joined) ? [join.joined] : join.sounded ? repairWord(index.vocabulary, join.word) : [];
    if (targets.length === 0) continue;
    for (const target of targets) matched.set(target, postings.get(target)!);
    consumed.add(join.parts[0]).add(join.parts[1]);
  }
  // An owner's phrase said as written ("to go", "drop in", "check out") is evidence its words
  // alone do not give: most of them are stop words, or mean something else apart.
  const { phrases } = index.vocabulary;
  analysis.sequence.forEach((word, at) => {
    for (const phrase of phrases.get(word) ?? []) {
      if (phrase.words.every((part, k) => analysis.sequence[at + k] === part)) matched.set(phrase.term, postings.get(phrase.term)!);
    }
  });
  const saidName = index.nameTerms.length > 0 && index.nameTerms.every((term) => analysis.terms.includes(term));
  let unknownCost = 0;
  for (const term of analysis.terms) {
    if (consumed.has(term) || matched.has(term) || (saidName && index.nameTerms.includes(term))) continue;
    const direct = postings.get(term);
    if (direct !== undefined) {
      matched.set(term, direct);
      continue;
    }
    const word = analysis.unknown.get(term);
    const repaired = word === undefined ? [] : repairWord(index.vocabulary, word);
    if (repaired.length > 0) {
      for (const part of repaired) matched.set(part, postings.get(part)!);
      continue;
    }
    // The business's name, numbers and what an idiom implies cost nothing.
    if (index.ignoredTerms.has(term) || /^\d+$/.test(term) || analysis.implied.has(term)) continue;
    unwritten?.push(word ?? analysis.words.get(term) ?? term);
    if (word !== undefined) {
      // A word the lexicon does not know: a name, a slip, or a rare word that may be the real topic.
      unknownCost += CALIBRATION.unlistedWordCost;
      continue;
    }
    // A word the owner never wrote is unexplained even when WordNet relates it to an FAQ: it
    // costs, and what it reaches counts as (weak) evidence.
    const spoken = analysis.words.get(term);
    const related = spoken === undefined ? undefined : relatedPostings(index, term, spoken);
    if (related !== undefined) derived.set(term, related);
    unknownCost += unexplainedWordCost(analysis, term, spoken);
  }
  return { matched, derived, unknownCost };
}

/**
 * The FAQs a caller's word reaches through its own WordNet relations, when the business never
 * uses the word itself ("tyke" is a narrower word for "child"). Weights include the
 * distinctiveness of the FAQ term reached. Memoised per index: a word is looked up once.
 */
function relatedPostings(index: KnowledgeIndex, term: string, word: string): FaqWeights | undefined {
  const cache = index.callerWords;
  if (cache.has(term)) return cache.get(term) ?? undefined;
  let found: Map<number, Posting> | undefined;
  const { postings } = index.vocabulary;
  for (const lemma of lemmasOf(word).slice(0, 2)) {
    const relations = stemmedRelationsOf(lemma);
    const groups: Array<readonly [readonly Neighbour[], number]> = [
      [relations.synonyms, RELATION_WEIGHT.synonym],
      [relations.broader, RELATION_WEIGHT.narrower],
      [relations.narrower, RELATION_WEIGHT.broader],
      [relations.related, RELATION_WEIGHT.related],
    ];
    for (const [neighbours, relation] of groups) {
      for (const { stem: neighbourTerm } of neighbours) {
        const reached = postings.get(neighbourTerm);
        if (reached === undefined) continue;
        const distinct = distinctiveness(index, neighbourTerm);
        found ??= new Map();
        for (const posting of reached) {
          const weight = posting.weight * relation * distinct * CALIBRATION.callerRelationWeight;
          const previous = found.get(posting.faq);
          if (previous === undefined || previous.weight < weight) found.set(posting.faq, { faq: posting.faq, weight, topical: posting.topical, written: false });
        }
      }
    }
  }
  const list = found === undefined ? undefined : [...found.values()];
  if (cache.size < CALLER_WORD_CACHE_LIMIT) cache.set(term, list ?? null);
  return list;
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
 * could add as keywords ("zumba", "babysitting"), WordNet's weak links to them included.
 *
 * @example
 * ```ts
 * explainQuery(index, "um do you have babysitting").unwritten // ["babysitting"]
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
    for (const { faq, weight, topical: onTopic } of weights) {
      if (allowed !== undefined && !allowed.has(faq)) continue;
      const share = (heads === undefined ? 1 : otherModifierShare(analysis, term, heads.get(faq))) * (analysis.focus.has(term) ? CALIBRATION.focusWeight : 1);
      if (onTopic) topical[faq]! += distinct * weight * share;
      else incidental[faq]! += distinct * weight * share;
    }
  }
  for (const [term, weights] of derived) {
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
