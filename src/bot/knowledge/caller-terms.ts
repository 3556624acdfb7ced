/**
 * What a caller's words stand for in one business: the terms they match after repair (joined and
 * sound-alike slips, owner's phrases), what their own WordNet relations reach, how distinctive each
 * term is among the business's FAQs, and what the words no FAQ explains cost. The ranking
 * (retrieval.ts) turns these into evidence and a confidence.
 */
import { CALIBRATION } from "./calibration.ts";
import type { KnowledgeIndex } from "./index-types.ts";
import { lemmasOf, stemmedRelationsOf, type Neighbour } from "./lexicon/index.ts";
import type { Analysis } from "./terms.ts";
import { repairWord } from "./repairs.ts";
import { RELATION_WEIGHT, type FaqWeights, type Posting } from "./vocabulary.ts";
import { unexplainedWordCost } from "./word-weights.ts";

/** Caller's words remembered per index (their WordNet reach); bounds memory on a long-lived index. */
const CALLER_WORD_CACHE_LIMIT = 5000;

/**
 * How distinctive a term is within the business, in [0, 1]: an IDF over its postings, 0 for a
 * term no FAQ is reached by. Worked out on first use and remembered: a question reads a few of
 * an index's thousands of terms, most of which no caller ever says.
 */
export function distinctiveness(index: KnowledgeIndex, term: string): number {
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

/** The terms the caller's words stand for in this business, after repair; each with its postings. */
export function resolve(
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
      // The word a question asks about, reached only through a relation ("capital" is a kind of
      // the owner's "seat"), is only partly explained: it costs the share its relation leaves.
      // The business's own name word is what it does ("what kind of law"): no other thing asked for.
      if (analysis.focus.has(term) && !index.nameTerms.includes(term)) {
        let best = 0;
        for (const posting of direct.values()) best = Math.max(best, posting.written ? 1 : posting.weight);
        unknownCost += (1 - best) * unexplainedWordCost(analysis, term, analysis.words.get(term));
      }
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
      unknownCost += CALIBRATION.unlistedWordCost * (analysis.narrative.has(term) || analysis.trailing.has(term) ? CALIBRATION.situationShare : 1);
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
