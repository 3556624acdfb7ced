/**
 * The English lexicon the knowledge base expands a business's vocabulary with: a compact slice of
 * WordNet 3.1 written by `bun run build:lexicon` (see build.ts) and bundled as a JSON module, so
 * no file is read at run time. Loading finds where each word and each word's relations line start
 * (about two milliseconds, once per process); both are read in place, so the lexicon adds no
 * string per word to the heap (66 000 of them would be marked by every full collection), and a
 * line is decoded only when an index asks for it. Each word's stem is stored
 * too (see stem-edits.ts): an index reaches thousands of WordNet neighbours, and reading a stem
 * costs a fraction of computing it.
 */
import data from "./lexicon.json" with { type: "json" };
import { decodePrefixStarts, prefixKey } from "./prefixes.ts";
import { applyStemEdit, decodeStemEdits, type StemEdit } from "./stem-edits.ts";

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

interface Loaded {
  /** Every word, sorted, a space after each but the last. */
  readonly words: string;
  /** Where word p starts in `words`; it ends one before the next one starts. */
  readonly wordStarts: Int32Array;
  /** How many words there are. */
  readonly count: number;
  /** Where each two-letter prefix's words start (see prefixes.ts). */
  readonly prefixStarts: Int32Array;
  readonly bands: string;
  readonly modifiers: string;
  /** Every word's relations line, one after the other, "\n" between. */
  readonly relations: string;
  /** Where word p's line starts in `relations`; it ends one before the next one starts. */
  readonly relationStarts: Int32Array;
  readonly forms: Readonly<Record<string, string>>;
  /** One character per word naming its stem's edit in `stemEdits`; empty while build.ts computes them. */
  readonly stems: string;
  readonly stemEdits: ReadonlyArray<StemEdit | undefined>;
  /** Each word as a neighbour with its stem, made on first use: one object and one stem string per word however many relate to it. */
  readonly neighbours: Array<Neighbour | undefined>;
}

/** A word WordNet relates to another, with its stem: the term an index posts it under. */
export interface Neighbour {
  readonly word: string;
  readonly stem: string;
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
let loaded: Loaded | undefined;

function load(): Loaded {
  if (loaded === undefined) {
    const count = data.bands.length; // one band character per word
    loaded = {
      words: data.words,
      wordStarts: lineStarts(data.words, " ", count),
      count,
      prefixStarts: decodePrefixStarts(data.prefixStarts),
      bands: data.bands,
      modifiers: data.modifiers,
      relations: data.relations,
      relationStarts: lineStarts(data.relations, "\n", count),
      forms: data.forms as Record<string, string>,
      stems: data.stems,
      stemEdits: decodeStemEdits(data.stemEdits),
      neighbours: new Array<Neighbour | undefined>(count),
    };
  }
  return loaded;
}

/** Where each of the `count` parts of `text` between separators starts, and where a part after the last would. */
function lineStarts(text: string, separator: string, count: number): Int32Array {
  const starts = new Int32Array(count + 1);
  let start = 0;
  for (let line = 0; line < count; line++) {
    starts[line] = start;
    const end = text.indexOf(separator, start);
    start = end < 0 ? text.length + 1 : end + 1;
  }
  starts[count] = text.length + 1;
  return starts;
}

/** The lemma of an irregular form, read so that "constructor" or "toString" find nothing of Object's. */
function formOf(word: string): string | undefined {
  const { forms } = load();
  return Object.hasOwn(forms, word) ? forms[word] : undefined;
}

/** The word's position in the sorted word list, or -1. */
function positionOf(word: string): number {
  const { words, wordStarts, prefixStarts } = load();
  const key = prefixKey(word);
  if (key < 0) return -1;
  let low = prefixStarts[key]!;
  let high = prefixStarts[key + 1]! - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const order = compareAfterPrefix(words, wordStarts[middle]!, wordStarts[middle + 1]! - 1, word);
    if (order === 0) return middle;
    if (order < 0) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}

/**
 * How `text` from `start` to `end` sorts against `word` (as `<` compares strings): negative
 * before, 0 equal, positive after. Both begin with the same two letters, their prefix.
 */
function compareAfterPrefix(text: string, start: number, end: number, word: string): number {
  const length = end - start;
  const common = length < word.length ? length : word.length;
  for (let at = 2; at < common; at++) {
    const difference = text.charCodeAt(start + at) - word.charCodeAt(at);
    if (difference !== 0) return difference;
  }
  return length - word.length;
}

/** The word at `position`. */
function wordAt(position: number): string {
  const { words, wordStarts } = load();
  return words.slice(wordStarts[position]!, wordStarts[position + 1]! - 1);
}

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
  return Math.round(2 ** (parseInt(load().bands[position]!, 36) / 2)) - 1;
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
    return position >= 0 && (parseInt(load().modifiers[position >> 2]!, 16) & (1 << (position & 3))) !== 0;
  });
}

/** How many words the lexicon holds. */
export function lexiconSize(): number {
  return load().count;
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
  return position < 0 || !hasStems() ? undefined : neighbourAt(position).stem;
}

/** Whether lexicon.json holds the stems (build.ts writes it once without them, to compute them). */
function hasStems(): boolean {
  const { count, stems } = load();
  return stems.length === count;
}

/** The word at `position` with its stored stem. */
function neighbourAt(position: number): Neighbour {
  const { count, stems, stemEdits, neighbours } = load();
  let neighbour = neighbours[position];
  if (neighbour === undefined) {
    const edit = stems.length === count ? stemEdits[stems.charCodeAt(position)] : undefined;
    if (edit === undefined) throw new Error("lexicon.json holds no stems: run `bun run build:lexicon`");
    const word = wordAt(position);
    neighbours[position] = neighbour = { word, stem: applyStemEdit(word, edit) };
  }
  return neighbour;
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

/**
 * The four groups on a word's relations line (synonyms|broader|narrower|related, neighbours as
 * base-36 positions), each neighbour as `at` makes it of its position; undefined for none.
 */
function decodeRelations<T>(position: number, at: (position: number) => T): T[][] | undefined {
  if (position < 0) return undefined;
  const { relations, relationStarts } = load();
  const start = relationStarts[position]!;
  const end = relationStarts[position + 1]! - 1;
  if (end === start) return undefined;
  const groups: T[][] = [[], [], [], []];
  let group = 0;
  let value = 0;
  let digits = 0;
  for (let index = start; index <= end; index++) {
    const code = index < end ? relations.charCodeAt(index) : PIPE;
    if (code === COMMA || code === PIPE) {
      if (digits > 0) groups[group]!.push(at(value));
      value = 0;
      digits = 0;
      if (code === PIPE) group++;
    } else {
      // Base 36: "0"–"9" then "a"–"z".
      value = value * 36 + (code <= NINE ? code - ZERO : code - LOWER_A + 10);
      digits++;
    }
  }
  return groups;
}

const COMMA = 44;
const PIPE = 124;
const ZERO = 48;
const NINE = 57;
const LOWER_A = 97;
