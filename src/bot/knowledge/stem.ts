/**
 * Morphology: the matching key of one word. Irregular inflections go to their lemma (WordNet's
 * words, see lexicon/), British spellings to the American form WordNet also holds, then the
 * Porter stemmer (the `stemmer` package) strips regular inflections and derivations, so that the
 * forms a caller uses meet the forms an FAQ was written in.
 *
 * A stem is a matching key, not a word: "delivery" → "deliv".
 */
import britishSpellings from "american-british-english-translator/data/british_spellings.json" with { type: "json" };
import { stemmer } from "stemmer";
import { frequencyRank, irregularLemma, lemmasOf, lexiconStem } from "./lexicon/index.ts";

/** British endings and their American forms; applied only when the lexicon holds the result. */
const SPELLING_VARIANTS: ReadonlyArray<readonly [RegExp, string]> = [
  [/our(s|ed|ing)?$/, "or$1"], // colour, neighbours
  [/ise(s|d)?$/, "ize$1"], // organise, apologised
  [/ising$/, "izing"],
  [/isation(s)?$/, "ization$1"],
  [/yse(s|d)?$/, "yze$1"], // analyse
  [/tre(s)?$/, "ter$1"], // centre, theatre
  [/ogue(s)?$/, "og$1"], // catalogue
  [/ll(ed|ing|er|ers)$/, "l$1"], // travelling, cancelled
];

/** Any of the endings above: most words have none, and are let through with one test instead of eight. */
const BRITISH_ENDING = /(?:our(?:s|ed|ing)?|ise[sd]?|ising|isations?|yse[sd]?|tres?|ogues?|ll(?:ed|ing|ers?))$/;

/**
 * British spellings and their American forms, word by word ("tyres" → "tires", "instalment" →
 * "installment", "paediatric" → "pediatric"): the list of the american-british-english-translator
 * package, for the words no ending rule below spells.
 */
const BRITISH_TO_AMERICAN: ReadonlyMap<string, string> = new Map(Object.entries(britishSpellings as Record<string, string>));

/**
 * The spelling a text's word is read in: the list's American form of a British spelling, else
 * the word (tokensOf reads every word through it, so the stems below meet one form; the ending
 * rules of {@link americanSpelling} stay what the lexicon's stored stems were computed with).
 *
 * @example
 * ```ts
 * readingSpelling("tyres")      // "tires"
 * readingSpelling("instalment") // "installment"
 * readingSpelling("four")       // "four"
 * ```
 */
export function readingSpelling(word: string): string {
  return BRITISH_TO_AMERICAN.get(word) ?? word;
}

/** The American spelling of a British word when the lexicon knows it, else the word. */
export function americanSpelling(word: string): string {
  // The longest ending has 8 letters: the test reads no more (a regular expression anchored at the end still tries every start).
  if (word.length < 5 || !BRITISH_ENDING.test(word.length > 8 ? word.slice(-8) : word)) return word;
  for (const [pattern, replacement] of SPELLING_VARIANTS) {
    if (!pattern.test(word)) continue;
    const variant = word.replace(pattern, replacement);
    // Lemma check on the bare form: "colours" → "colors" is known through "color".
    const bare = variant.replace(/(s|ed|ing|er|ers)$/, "");
    if (frequencyRank(variant) !== undefined || frequencyRank(bare) !== undefined || frequencyRank(`${bare}e`) !== undefined) return variant;
  }
  return word;
}

/**
 * The stem of one lowercase word.
 *
 * @example
 * ```ts
 * ["parking", "parked", "parks"].map(stem)  // ["park", "park", "park"]
 * stem("children") === stem("child")       // true (irregular plural)
 * stem("weekly") === stem("week")          // true (-ly onto a word the lexicon knows)
 * stem("colour") === stem("color")         // true
 * ```
 */
export function stem(word: string): string {
  let known = stems.get(word);
  if (known === undefined) {
    // A word the lexicon holds has its stem stored, computed by stemByRules when it was built;
    // so, through its lemma, has a regular inflection of one ("orders", "reservations").
    known = lexiconStem(word) ?? inflectionStem(word) ?? stemByRules(word);
    if (stems.size >= STEM_CACHE_LIMIT) stems.clear();
    stems.set(word, known);
  }
  return known;
}

/**
 * The stored stem of the lemma a word the lexicon does not hold regularly inflects ("orders" →
 * "order"), when stemByRules would compute it from that lemma alone: neither the word, nor its
 * lemma, nor either without a final "s" (a possessive, see stemByRules) is an irregular form.
 * Undefined otherwise: a first-time word of an index or a caller then skips the Porter stemmer.
 */
function inflectionStem(word: string): string | undefined {
  if (hasIrregularForm(word)) return undefined;
  const lemma = lemmasOf(word)[0];
  if (lemma === undefined || lemma === word || lemma.length <= 2 || hasIrregularForm(lemma)) return undefined;
  return lexiconStem(lemma);
}

/** Whether a word, or the word without its final "s", is an irregular form the lexicon folds. */
const hasIrregularForm = (word: string): boolean => irregularLemma(word) !== word || (word.endsWith("s") && irregularLemma(word.slice(0, -1)) !== word.slice(0, -1));

/** Stems seen so far: index builds stem the same few thousand words again and again. */
const stems = new Map<string, string>();
const STEM_CACHE_LIMIT = 50_000;

/**
 * The stem of one lowercase word computed from the rules above, never read from the lexicon's
 * stored stems: what `bun run build:lexicon` stores for each of its words, and what stem() gives
 * every other word.
 *
 * @example
 * ```ts
 * stemByRules("deliveries") // "deliv"
 * ```
 */
export function stemByRules(word: string): string {
  if (word.length <= 2 || !/^\p{L}+$/u.test(word)) return word;
  let base = irregularLemma(word);
  // A possessive written without its apostrophe: "childrens", "mens", "womens".
  if (base === word && word.endsWith("s") && irregularLemma(word.slice(0, -1)) !== word.slice(0, -1)) base = irregularLemma(word.slice(0, -1));
  // A derived form the lexicon folds onto its base ("deliveries" → "delivery" → "deliver").
  if (base === word) {
    const lemma = lemmasOf(word)[0];
    if (lemma !== undefined && lemma !== word) base = irregularLemma(lemma);
  }
  base = americanSpelling(base);
  // An adverb or adjective in -ly on a word the lexicon knows: "weekly" → "week", "friendly" → "friend".
  if (base.length >= 6 && base.endsWith("ly") && frequencyRank(base.slice(0, -2)) !== undefined) base = base.slice(0, -2);
  return stemmer(base);
}
