/**
 * Repairs of a caller's word against one business's vocabulary: two of its words run together, or
 * a word that sounds like one of them. The phonetic table is made on the first word that needs it.
 */
import { doubleMetaphone } from "double-metaphone";
import { stem } from "./stem.ts";
import { isKnownWord } from "./terms.ts";

/** What a business's vocabulary (vocabulary.ts) holds for repairs. */
export interface RepairTables {
  /** Terms the FAQs themselves use: what a split word may be split into. */
  readonly own: ReadonlySet<string>;
  /**
   * The FAQ words a phonetic repair may find, each followed by its term, in the order written
   * (long enough to compare, no digits): the table of their codes is made from them on the first
   * caller word that needs it (see phoneticTable), as most indexes never need one.
   */
  readonly soundable: readonly string[];
  /** Double Metaphone code → the FAQ word (and its term) it spells, for codes only one term has; made by phoneticTable. */
  phonetic: Map<string, { readonly word: string; readonly term: string }> | undefined;
}

/** Words shorter than this are not compared phonetically. */
export const PHONETIC_MIN_LENGTH = 4;

/** The code a word is matched on phonetically, or undefined for words too short to compare. */
export function phoneticCode(word: string): string | undefined {
  if (word.length < PHONETIC_MIN_LENGTH) return undefined;
  let code = phoneticCache.get(word);
  if (code === undefined) {
    code = doubleMetaphone(word)[0];
    if (phoneticCache.size >= PHONETIC_CACHE_LIMIT) phoneticCache.clear();
    phoneticCache.set(word, code);
  }
  return code.length >= 3 ? code : undefined;
}

const phoneticCache = new Map<string, string>();
const PHONETIC_CACHE_LIMIT = 20_000;

/**
 * Double Metaphone code → the FAQ word (and its term) it spells, for codes only one term has:
 * made on first use from the vocabulary's soundable words, then kept in it.
 *
 * @example
 * ```ts
 * phoneticTable(buildVocabulary([{ question: "Do you do balayage?", answer: "Yes.", keywords: [] }])).get(phoneticCode("baliage")!)?.word // "balayage"
 * ```
 */
export function phoneticTable(vocabulary: RepairTables): ReadonlyMap<string, { readonly word: string; readonly term: string }> {
  if (vocabulary.phonetic !== undefined) return vocabulary.phonetic;
  const { soundable } = vocabulary;
  const termsOf = new Map<string, Map<string, string>>();
  for (let at = 0; at < soundable.length; at += 2) {
    const code = phoneticCode(soundable[at]!);
    if (code === undefined) continue;
    const terms = termsOf.get(code) ?? new Map<string, string>();
    if (!terms.has(soundable[at + 1]!)) terms.set(soundable[at + 1]!, soundable[at]!);
    termsOf.set(code, terms);
  }
  const phonetic = new Map<string, { word: string; term: string }>();
  for (const [code, terms] of termsOf) {
    if (terms.size === 1) for (const [term, word] of terms) phonetic.set(code, { word, term });
  }
  vocabulary.phonetic = phonetic;
  return phonetic;
}

/**
 * The FAQ terms an unknown word may be a slip for: two of the business's own words run together
 * ("glutenfree", "daypasses"), or a word that sounds like one of them ("baliage" for
 * "balayage"). Empty when nothing fits. Only for words the lexicon does not know (see isKnownWord).
 *
 * @example
 * ```ts
 * repairWord(vocabulary, "glutenfree") // ["gluten", "free"] when the FAQs use both words
 * ```
 */
export function repairWord(vocabulary: RepairTables, word: string): string[] {
  if (isKnownWord(word)) return [];
  for (let split = 2; split <= word.length - 2; split++) {
    const left = stem(word.slice(0, split));
    // Most first pieces are no word of the business: the rest need not be stemmed then (a
    // caller's new word would otherwise take the stemmer's rules through every piece of it).
    if (!vocabulary.own.has(left)) continue;
    const right = stem(word.slice(split));
    if (vocabulary.own.has(right)) return [left, right];
  }
  const code = phoneticCode(word);
  const found = code === undefined ? undefined : phoneticTable(vocabulary).get(code);
  // Sounding alike is not enough: the spelling must be close too ("brekkie" is not "park").
  return found !== undefined && editDistance(word, found.word) <= Math.max(2, Math.floor(0.3 * found.word.length)) ? [found.term] : [];
}

/** Levenshtein distance, for the few candidate pairs a phonetic match proposes. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
