/**
 * The English lexicon the knowledge base expands a business's vocabulary with: a compact slice of
 * WordNet 3.1 written by `bun run build:lexicon` (see build.ts) and bundled as a JSON module, so
 * no file is read at run time; store.ts reads it in place. Each word's stem is stored too (see
 * stem-edits.ts): an index reaches thousands of WordNet neighbours, and reading a stem costs a
 * fraction of computing it.
 */
import type { LemmaExpansions } from "./expansions.ts";
import { decodeRelations, expansionsAt, formOf, frequencyBandAt, hasOtherLemmas, hasStems, isModifierAt, neighbourAt, positionOf, stemAt, wordAt, wordCount, type Neighbour } from "./store.ts";

export type { Neighbour } from "./store.ts";
export { EXPANSION_GROUPS, type ExpansionGroup, type LemmaExpansions } from "./expansions.ts";

/** What WordNet relates to a word; every list holds common words only, commonest first. */
export interface WordRelations {
  /** Same sense: "elevator" for "lift". */
  readonly synonyms: readonly string[];
  /** More general: "bird" for "parrot". */
  readonly broader: readonly string[];
  /** More specific: "puppy" for "dog". */
  readonly narrower: readonly string[];
  /** Derived and pertaining forms ("cancellation" for "cancel"), and words of its side senses. */
  readonly related: readonly string[];
}

/** What WordNet relates to a word (as in {@link WordRelations}), each neighbour with its stem. */
export interface StemmedRelations {
  readonly synonyms: readonly Neighbour[];
  readonly broader: readonly Neighbour[];
  readonly narrower: readonly Neighbour[];
  readonly related: readonly Neighbour[];
}

const NO_RELATIONS: WordRelations = { synonyms: [], broader: [], narrower: [], related: [] };
const NO_STEMMED_RELATIONS: StemmedRelations = { synonyms: [], broader: [], narrower: [], related: [] };
/**
 * The lemma of an irregular inflection ("children" → "child", "paid" → "pay"), else the word.
 *
 * @example
 * ```ts
 * irregularLemma("teeth") // "tooth"
 * irregularLemma("teeth") === irregularLemma("tooth") // true
 * ```
 */
export function irregularLemma(word: string): string {
  return formOf(word) ?? word;
}

/**
 * How common a word is, as its rank among the lexicon's words (0 = commonest), or undefined when
 * the lexicon does not hold it (a name, a brand, a recognition slip, a rare word).
 *
 * @example
 * ```ts
 * frequencyRank("time")! < frequencyRank("luggage")! // true
 * frequencyRank("balayage")                          // undefined
 * ```
 */
export function frequencyRank(word: string): number | undefined {
  const position = positionOf(word);
  if (position < 0) return undefined;
  // The band is a half-octave of the rank: the rank back to within a factor of 1.4.
  return Math.round(2 ** (frequencyBandAt(position) / 2)) - 1;
}

/**
 * Whether a word (every lemma it may inflect) is mostly an adjective or adverb in WordNet: it
 * qualifies what a caller asks about ("usually", "small", "plain") rather than naming it.
 *
 * @example
 * ```ts
 * isModifier("usually") // true
 * isModifier("parking") // false
 * ```
 */
export function isModifier(word: string): boolean {
  // Every lemma must be one: "booked" is an adjective in WordNet, but also the verb "book".
  const lemmas = lemmasOf(word);
  return lemmas.length > 0 && lemmas.every((lemma) => {
    const position = positionOf(lemma);
    return position >= 0 && isModifierAt(position);
  });
}

/** How many words the lexicon holds. */
export function lexiconSize(): number {
  return wordCount();
}

/**
 * The lemmas a word may be an inflection of that the lexicon holds ("parties" → ["party"],
 * "booked" → ["book"]); empty for an unknown word. WordNet's detachment rules, in its order.
 *
 * @example
 * ```ts
 * lemmasOf("suitcases") // ["suitcase"]
 * ```
 */
export function lemmasOf(word: string): readonly string[] {
  let found = lemmaCache.get(word);
  if (found === undefined) {
    found = findLemmas(word);
    if (lemmaCache.size >= LEMMA_CACHE_LIMIT) lemmaCache.clear();
    lemmaCache.set(word, found);
  }
  return found;
}

/** Words already looked up: index builds and callers repeat the same few thousand. */
const lemmaCache = new Map<string, readonly string[]>();
const LEMMA_CACHE_LIMIT = 50_000;

function findLemmas(word: string): string[] {
  const position = positionOf(word);
  // Most words the lexicon holds are their own only lemma, as build.ts noted: no rule to try.
  return position >= 0 && hasOtherLemmas(position) === false ? [word] : lemmasByRules(word);
}

/**
 * {@link lemmasOf} worked out by the rules, never from what build.ts noted: what it notes, and
 * what every word the lexicon does not hold gets.
 *
 * @example
 * ```ts
 * lemmasByRules("parties") // ["party"]
 * ```
 */
export function lemmasByRules(word: string): string[] {
  const found: string[] = [];
  const irregular = formOf(word);
  if (irregular !== undefined) found.push(irregular);
  if (positionOf(word) >= 0) found.push(word);
  for (const [suffix, replacement] of DETACHMENTS_BY_LAST_LETTER.get(word[word.length - 1] ?? "") ?? []) {
    if (word.length > suffix.length + 1 && word.endsWith(suffix)) {
      const base = word.slice(0, word.length - suffix.length) + replacement;
      if (!found.includes(base) && positionOf(base) >= 0) found.push(base);
    }
  }
  return found;
}

/** WordNet's morphy detachment rules for nouns and verbs, plus doubled consonants ("-er" is left out: "trainer" is no "train"). */
const DETACHMENTS: ReadonlyArray<readonly [string, string]> = [
  ["s", ""], ["ses", "s"], ["xes", "x"], ["zes", "z"], ["ches", "ch"], ["shes", "sh"], ["men", "man"], ["ies", "y"],
  ["es", "e"], ["es", ""], ["ed", "e"], ["ed", ""], ["ing", "e"], ["ing", ""],
  ["ied", "y"], ["pped", "p"], ["tted", "t"], ["nned", "n"], ["gged", "g"], ["pping", "p"], ["tting", "t"], ["nning", "n"], ["gging", "g"],
];

/** The rules by the last letter of their suffix, each list in the rules' order: a word ending in any other letter has none to try. */
const DETACHMENTS_BY_LAST_LETTER = new Map<string, Array<readonly [string, string]>>();
for (const rule of DETACHMENTS) {
  const last = rule[0][rule[0].length - 1]!;
  DETACHMENTS_BY_LAST_LETTER.set(last, [...(DETACHMENTS_BY_LAST_LETTER.get(last) ?? []), rule]);
}

/**
 * The stem of a word the lexicon holds, as build.ts stored it (what stem() computes for it), or
 * undefined for a word it does not hold.
 *
 * @example
 * ```ts
 * lexiconStem("delivery") // "deliv"
 * lexiconStem("balayage") // undefined
 * ```
 */
export function lexiconStem(word: string): string | undefined {
  const position = positionOf(word);
  return position < 0 || !hasStems() ? undefined : stemAt(position);
}

/**
 * What WordNet relates to a lemma (empty lists when it holds none).
 *
 * @example
 * ```ts
 * relationsOf("elevator").synonyms // ["lift"]
 * ```
 */
export function relationsOf(lemma: string): WordRelations {
  const groups = decodeRelations(positionOf(lemma), wordAt);
  return groups === undefined ? NO_RELATIONS : { synonyms: groups[0]!, broader: groups[1]!, narrower: groups[2]!, related: groups[3]! };
}

/**
 * What WordNet relates to a lemma, each neighbour with its stem (empty lists when it holds none):
 * what an index posts a word's expansions under, without stemming each neighbour again.
 *
 * @example
 * ```ts
 * stemmedRelationsOf("elevator").synonyms // [{ word: "lift", stem: "lift" }]
 * ```
 */
export function stemmedRelationsOf(lemma: string): StemmedRelations {
  const groups = decodeRelations(positionOf(lemma), neighbourAt);
  return groups === undefined ? NO_STEMMED_RELATIONS : { synonyms: groups[0]!, broader: groups[1]!, narrower: groups[2]!, related: groups[3]! };
}


const NO_EXPANSIONS: LemmaExpansions = { stems: [], groups: [] };

/**
 * The terms an index posts a lemma's WordNet relations under, as build.ts stored them: its
 * neighbours' stems, each once, in the order synonyms, narrower, broader, related, stop words left
 * out, each with the bitset of the groups (EXPANSION_GROUPS) it came through. Empty for a word the
 * lexicon does not hold.
 *
 * @example
 * ```ts
 * const { stems, groups } = lemmaExpansionsOf("elevator");
 * stems[0] // "lift", groups[0] & 1 // a synonym
 * ```
 */
export function lemmaExpansionsOf(lemma: string): LemmaExpansions {
  const position = positionOf(lemma);
  if (position < 0) return NO_EXPANSIONS;
  const found = expansionsAt(position);
  if (found === undefined) throw new Error("lexicon.json holds no expansions: run `bun run build:lexicon`");
  return found;
}
