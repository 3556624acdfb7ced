/**
 * A business's vocabulary, prepared at index-build time so that a query is a few map lookups:
 * each FAQ's own words (by field), its words' WordNet relations at lower weight, and the tables
 * that repair speech-recognition slips against this vocabulary only (joined and split words,
 * phonetic near-misses: see repairs.ts).
 */
import type { Faq } from "../business.ts";
import { EXPANSION_GROUPS, lemmaExpansionsOf, lemmasOf } from "./lexicon/index.ts";
import { answerTypeWords } from "./answer-types.ts";
import { stem } from "./stem.ts";
import { STOP_WORDS } from "./stopwords.ts";
import { SYNONYM_GROUPS } from "./synonyms.ts";
import { PHONETIC_MIN_LENGTH, type RepairTables } from "./repairs.ts";
import { PARTICLES, tokensOf, type Token } from "./terms.ts";

export { phoneticCode, phoneticTable, repairWord } from "./repairs.ts";

/** How much an FAQ's own words count, by where the owner wrote them. */
export const FIELD_WEIGHT = { question: 1, keyword: 1, answer: 0.4 } as const;

/** How much an expansion counts against the owner's own word it came from. */
export const RELATION_WEIGHT = {
  /** Same sense in WordNet ("elevator" for "lift"). */
  synonym: 0.5,
  /** A hand group of synonyms.ts ("suspend" for "freeze"): chosen as interchangeable in callers' use, so surer than WordNet's senses. */
  handSynonym: 0.6,
  /** The caller names a kind of it ("terrier" for "dog"). */
  narrower: 0.45,
  /** The caller names what it is a kind of ("animal" for "dog"): says less. */
  broader: 0.35,
  /** Derived forms ("cancellation" for "cancel") the stemmer does not join. */
  related: 0.75,
  /** The two words of an FAQ phrase said as one ("checkin" for "check-in"). */
  joined: 0.9,
} as const;

/** How a term reaches one FAQ: its best weight, and whether through the question or keywords (the FAQ's topic) rather than only its answer. */
export interface Posting {
  /** The FAQ's index. */
  readonly faq: number;
  weight: number;
  topical: boolean;
  /** Whether the FAQ writes the term itself (not only an expansion of its words). */
  written: boolean;
}

/**
 * A term's postings: one per FAQ it reaches, the best of its ways in, in no particular order. An
 * array rather than a map by FAQ: an index holds thousands, and a term reaches two FAQs on average.
 */
export type FaqWeights = Posting[];

/** What an index holds about a business's words: its postings, and its repair tables (repairs.ts: own terms, sounds). */
export interface Vocabulary extends RepairTables {
  /** term → its postings, weights in (0, 1]. */
  readonly postings: Map<string, FaqWeights>;
  /** Per FAQ, the terms of its question: how much of it a caller touched counts too. */
  readonly questionTerms: string[][];
  /** First word → the owner's keyword phrases that hold a stop word ("to go"), each with the term it is posted under. */
  readonly phrases: Map<string, Array<{ readonly words: readonly string[]; readonly term: string }>>;
  /**
   * Head term → FAQ → the modifiers it always comes with there ("night" → specials → {"family"}):
   * the owner never writes the head alone in that FAQ's question or keywords.
   */
  readonly bound: Map<string, Map<number, ReadonlySet<string>>>;
}

const DIGIT = /\d/;

/** The term an owner's phrase is posted under: no word's stem can look like it. */
export const phraseTerm = (words: readonly string[]): string => `"${words.join(" ")}"`;

let groupOf: Map<string, readonly string[]> | undefined;

/** The hand-group words (synonyms.ts) that share a group with `wordStem`. */
function handSynonyms(wordStem: string): readonly string[] {
  if (groupOf === undefined) {
    groupOf = new Map();
    for (const group of SYNONYM_GROUPS) for (const word of group) groupOf.set(stem(word), group);
  }
  return groupOf.get(wordStem) ?? [];
}

/** Word → the terms WordNet (and the hand groups) relate it to, with the relation's weight; per process. */
const expansionCache = new Map<string, Expansions>();
const EXPANSION_CACHE_LIMIT = 20_000;

/** A word's expansions: terms in the order first reached, and the best weight of each (a dozen or two: lists serve better than a map). */
interface Expansions {
  readonly terms: string[];
  readonly weights: number[];
}

/**
 * The best weight of a stem reached through the groups of bitset `groups` (bit k: EXPANSION_GROUPS[k]),
 * for each of the 16 bitsets: the lexicon stores a stem once with every group it came through.
 */
const GROUPS_WEIGHT: readonly number[] = Array.from({ length: 1 << EXPANSION_GROUPS.length }, (_, groups) =>
  Math.max(0, ...EXPANSION_GROUPS.map((group, k) => ((groups & (1 << k)) !== 0 ? RELATION_WEIGHT[group] : 0))),
);

function expansionsOf(word: string): Expansions {
  const cached = expansionCache.get(word);
  if (cached !== undefined) return cached;
  const best: Expansions = { terms: [], weights: [] };
  const wordStem = stem(word);
  for (const synonym of handSynonyms(wordStem)) addExpansion(best, synonym, stem(synonym), RELATION_WEIGHT.handSynonym);
  const lemmas = lemmasOf(word);
  for (let at = 0; at < lemmas.length && at < 2; at++) {
    // Stored de-duplicated and without stop words (lexicon/expansions.ts): with nothing reached
    // yet, the lemma's list is taken as it stands.
    const { stems, groups } = lemmaExpansionsOf(lemmas[at]!);
    const fresh = best.terms.length === 0;
    for (let entry = 0; entry < stems.length; entry++) {
      if (fresh) {
        best.terms.push(stems[entry]!);
        best.weights.push(GROUPS_WEIGHT[groups[entry]!]!);
      } else addTerm(best, stems[entry]!, GROUPS_WEIGHT[groups[entry]!]!);
    }
  }
  const own = best.terms.indexOf(wordStem);
  if (own >= 0) {
    best.terms.splice(own, 1);
    best.weights.splice(own, 1);
  }
  if (expansionCache.size >= EXPANSION_CACHE_LIMIT) expansionCache.clear();
  expansionCache.set(word, best);
  return best;
}

function addExpansion(best: Expansions, related: string, relatedStem: string, relation: number): void {
  // A hand group's words are lemmas already: no inflection to look through.
  if (!STOP_WORDS.has(related)) addTerm(best, relatedStem, relation);
}

function addTerm(best: Expansions, relatedStem: string, relation: number): void {
  const at = best.terms.indexOf(relatedStem);
  if (at < 0) {
    best.terms.push(relatedStem);
    best.weights.push(relation);
  } else if (best.weights[at]! < relation) best.weights[at] = relation;
}

function post(postings: Map<string, FaqWeights>, term: string, faq: number, weight: number, topical: boolean, written: boolean): void {
  const list = postings.get(term);
  if (list === undefined) {
    postings.set(term, [{ faq, weight, topical, written }]);
    return;
  }
  // From the end: an FAQ's words are posted together, so its posting is most likely the last.
  for (let at = list.length - 1; at >= 0; at--) {
    const previous = list[at]!;
    if (previous.faq !== faq) continue;
    if (previous.weight < weight) previous.weight = weight;
    previous.topical ||= topical;
    previous.written ||= written;
    return;
  }
  list.push({ faq, weight, topical, written });
}

/**
 * Builds the vocabulary of a business's FAQs.
 *
 * @example
 * ```ts
 * const vocabulary = buildVocabulary([{ question: "Is there a lift?", answer: "Yes.", keywords: [] }]);
 * vocabulary.postings.get(stem("elevator"))?.find((posting) => posting.faq === 0)?.weight // 0.5: a synonym of the owner's word
 * ```
 */
export function buildVocabulary(faqs: readonly Faq[]): Vocabulary {
  const postings = new Map<string, FaqWeights>();
  const own = new Set<string>();
  const soundable: string[] = [];
  // Expansions go in after every FAQ's own words, so that they never outweigh an owner's word;
  // one per word and FAQ (its best field), since posting keeps the best weight anyway.
  const expansions: Array<{ word: string; faq: number; weight: number; topical: boolean }> = [];

  const questionTerms: string[][] = [];
  const phrases: Vocabulary["phrases"] = new Map();
  const bound: Vocabulary["bound"] = new Map();
  faqs.forEach((faq, index) => {
    const keywordTokens = faq.keywords.map((keyword) => tokensOf(keyword));
    for (const tokens of keywordTokens) {
      if (tokens.length < 2 || tokens.every((token) => token.term !== "")) continue;
      const words = tokens.map((token) => token.word);
      const term = phraseTerm(words);
      if (!postings.has(term)) {
        const list = phrases.get(words[0]!) ?? [];
        list.push({ words, term });
        phrases.set(words[0]!, list);
      }
      post(postings, term, index, FIELD_WEIGHT.keyword, true, true);
    }
    const questionTokens = tokensOf(faq.question);
    addBoundHeads(bound, index, [questionTokens, ...keywordTokens]);
    questionTerms.push([...new Set(questionTokens.map((token) => token.term).filter((term) => term !== ""))]);
    const fields: Array<readonly [readonly Token[], number]> = [
      [questionTokens, FIELD_WEIGHT.question],
      ...keywordTokens.map((tokens) => [tokens, FIELD_WEIGHT.keyword] as const),
      [tokensOf(faq.answer), FIELD_WEIGHT.answer],
    ];
    // This FAQ's words to expand, each once (its best field).
    const toExpand = new Map<string, (typeof expansions)[number]>();
    for (const [list, weight] of fields) {
      const topical = weight !== FIELD_WEIGHT.answer;
      // Where pairs are joined (fields weighing as keywords do, the question's too) every word is
      // read for digits; in the answer only a content word, and no array is made.
      const digits = weight === FIELD_WEIGHT.keyword ? list.map((token) => DIGIT.test(token.word)) : undefined;
      for (let position = 0; position < list.length; position++) {
        const { word, term: wordStem } = list[position]!;
        const next = list[position + 1]?.word;
        // "check-in", "drop in": the pair said as one word reaches this FAQ too. As on the caller's
        // side (see analyze), a content word and a content word or particle: "do you" is no word.
        const nextToken = list[position + 1];
        if (next !== undefined && digits !== undefined && !digits[position] && !digits[position + 1] && wordStem !== "" && (nextToken!.term !== "" || PARTICLES.has(next))) {
          post(postings, stem(word + next), index, weight * RELATION_WEIGHT.joined, true, true);
        }
        if (wordStem === "") continue;
        post(postings, wordStem, index, weight, topical, true);
        own.add(wordStem);
        if (digits === undefined ? DIGIT.test(word) : digits[position]) continue;
        if (word.length >= PHONETIC_MIN_LENGTH) soundable.push(word, wordStem);
        const seen = toExpand.get(word);
        if (seen === undefined) {
          const expansion = { word, faq: index, weight, topical };
          toExpand.set(word, expansion);
          expansions.push(expansion);
        } else {
          seen.weight = Math.max(seen.weight, weight);
          seen.topical ||= topical;
        }
      }
    }
    // What the answer states (a price, a time) in the words a caller asks for it by; not written,
    // so that an FAQ about prices keeps its word's distinctiveness.
    for (const word of answerTypeWords(faq.answer)) {
      for (const asked of [word, ...handSynonyms(stem(word))]) post(postings, stem(asked), index, FIELD_WEIGHT.answer, false, false);
    }
  });

  for (const { word, faq, weight, topical } of expansions) {
    // A compound's head is not the word alone: a "gift card" is no payment card, so the head's
    // synonyms ("visa", "credit") would reach the wrong FAQ.
    if (bound.get(stem(word))?.has(faq) === true) continue;
    const { terms, weights } = expansionsOf(word);
    for (let at = 0; at < terms.length; at++) post(postings, terms[at]!, faq, weight * weights[at]!, topical, false);
  }

  return { postings, own, soundable, phonetic: undefined, questionTerms, phrases, bound };
}

/**
 * Records the heads of an FAQ's compound keywords ("family night", "gift card", "day pass") that
 * it never uses alone: said after another modifier ("friday night", "credit card") they are a
 * different thing, and count less (see rank in retrieval.ts).
 */
function addBoundHeads(bound: Vocabulary["bound"], faq: number, texts: ReadonlyArray<readonly Token[]>): void {
  const modifiers = new Map<string, Set<string>>();
  const alone = new Set<string>();
  for (const tokens of texts) {
    tokens.forEach(({ term }, at) => {
      if (term === "") return;
      const before = at > 0 ? tokens[at - 1]!.term : "";
      const after = tokens[at + 1]?.term ?? "";
      // The last content word of a compound is its head; a word before it modifies it.
      if (before !== "" && after === "") modifiers.set(term, (modifiers.get(term) ?? new Set()).add(before));
      else if (before === "" && after === "") alone.add(term);
    });
  }
  for (const [head, set] of modifiers) {
    if (alone.has(head)) continue;
    const entry = bound.get(head) ?? new Map<number, ReadonlySet<string>>();
    entry.set(faq, set);
    bound.set(head, entry);
  }
}
