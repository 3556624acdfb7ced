/**
 * How the lexicon is held in memory: lexicon.json's strings as they are, with where each word and
 * each word's relations line start (found once, on first use: loading takes about 4 ms), so that
 * the lexicon adds no string per word to the heap (66 000 of them would be marked by every full
 * collection). Words are found by binary search within their two-letter prefix (prefixes.ts), a
 * relations line is decoded where it stands, and a word becomes an object (with its stored stem,
 * stem-edits.ts) only when an index reaches it.
 */
import data from "./lexicon.json" with { type: "json" };
import { decodePrefixStarts, prefixKey } from "./prefixes.ts";
import { decodeExpansions, type LemmaExpansions } from "./expansions.ts";
import { decodeStemEdits, type StemEdit } from "./stem-edits.ts";

/** A word WordNet relates to another, with its stem: the term an index posts it under. */
export interface Neighbour {
  readonly word: string;
  readonly stem: string;
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
  /** Which words have a lemma besides themselves (a hex bitset like `modifiers`); empty while build.ts computes it. */
  readonly otherLemmas: string;
  /** Every word's relations line, one after the other, "\n" between. */
  readonly relations: string;
  /** Where word p's line starts in `relations`; it ends one before the next one starts. */
  readonly relationStarts: Int32Array;
  /** Irregular form → its lemma: a Map, so that looking a caller's word up adds no property name to the engine's tables. */
  readonly forms: ReadonlyMap<string, string>;
  /** One character per word naming its stem's edit in `stemEdits`; empty while build.ts computes them. */
  readonly stems: string;
  readonly stemEdits: ReadonlyArray<StemEdit | undefined>;
  /** Each word as a neighbour with its stem, made on first use: one object and one stem string per word however many relate to it. */
  readonly neighbours: Array<Neighbour | undefined>;
  /** Each word's stem, made on first use (one string per word, however many expansions name it). */
  readonly stemsByPosition: Array<string | undefined>;
  /** Every word's expansions line (expansions.ts), "\n" between; empty while build.ts computes them. */
  readonly expansions: string;
  /** Where word p's expansions line starts, found on first use (only index builds read them). */
  expansionStarts: Int32Array | undefined;
}

let loaded: Loaded | undefined;

/** The lexicon, read on first use. */
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
      otherLemmas: data.otherLemmas,
      relations: data.relations,
      relationStarts: lineStarts(data.relations, "\n", count),
      forms: new Map(Object.entries(data.forms as Record<string, string>)),
      stems: data.stems,
      stemEdits: decodeStemEdits(data.stemEdits),
      neighbours: new Array<Neighbour | undefined>(count),
      stemsByPosition: new Array<string | undefined>(count),
      expansions: data.expansions,
      expansionStarts: undefined,
    };
  }
  return loaded;
}

/**
 * How many words the lexicon holds.
 *
 * @example
 * ```ts
 * wordCount() // 33551
 * ```
 */
export function wordCount(): number {
  return load().count;
}

/**
 * The frequency band of the word at `position`: twice the log2 of its frequency rank, rounded down (0 = commonest).
 *
 * @example
 * ```ts
 * frequencyBandAt(positionOf("time")) < frequencyBandAt(positionOf("luggage")) // true
 * ```
 */
export function frequencyBandAt(position: number): number {
  return digitAt(load().bands, position);
}

/**
 * Whether the word at `position` is mostly an adjective or adverb in WordNet.
 *
 * @example
 * ```ts
 * isModifierAt(positionOf("usually")) // true
 * ```
 */
export function isModifierAt(position: number): boolean {
  return bitAt(load().modifiers, position);
}

/**
 * Whether the word at `position` has a lemma besides itself (an irregular form's, or a base the
 * detachment rules find), as build.ts stored it; undefined while it has not.
 *
 * @example
 * ```ts
 * hasOtherLemmas(positionOf("glasses")) // true: "glass"
 * hasOtherLemmas(positionOf("dog"))     // false
 * ```
 */
export function hasOtherLemmas(position: number): boolean | undefined {
  const { otherLemmas, count } = load();
  if (otherLemmas.length !== Math.ceil(count / 4)) return undefined;
  return bitAt(otherLemmas, position);
}

/** The base-36 digit at `index` of `text` (a hex digit is one too), read without making a one-letter string. */
function digitAt(text: string, index: number): number {
  const code = text.charCodeAt(index);
  return code <= 57 ? code - 48 : code - 87;
}

/** Bit `position` of a bitset written as hex digits, four bits each. */
function bitAt(bits: string, position: number): boolean {
  return (digitAt(bits, position >> 2) & (1 << (position & 3))) !== 0;
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

/**
 * The lemma of an irregular form ("constructor" or "toString" find nothing: a Map, not an object).
 *
 * @example
 * ```ts
 * formOf("children") // "child"
 * ```
 */
export function formOf(word: string): string | undefined {
  return load().forms.get(word);
}

/**
 * The word's position in the sorted word list, or -1.
 *
 * @example
 * ```ts
 * wordAt(positionOf("dog")) // "dog"
 * positionOf("balayage")    // -1
 * ```
 */
export function positionOf(word: string): number {
  let position = positions.get(word);
  if (position === undefined) {
    position = searchPosition(word);
    if (positions.size >= POSITION_CACHE_LIMIT) positions.clear();
    positions.set(word, position);
  }
  return position;
}

/**
 * Positions looked up so far: a word is looked up again for its stem, its lemmas, its relations
 * and its frequency (a 50-FAQ build asks 1400 times for 600 words; 290 questions, 14 000 times
 * for 2000).
 */
const positions = new Map<string, number>();
const POSITION_CACHE_LIMIT = 20_000;

function searchPosition(word: string): number {
  const { words, wordStarts, prefixStarts } = load();
  const key = prefixKey(word);
  if (key < 0) return -1;
  let low = prefixStarts[key]!;
  let high = prefixStarts[key + 1]! - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    // A short-lived slice compared natively: cheaper, before the code is compiled, than comparing letter by letter.
    const candidate = words.slice(wordStarts[middle]!, wordStarts[middle + 1]! - 1);
    if (candidate === word) return middle;
    if (candidate < word) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}

/**
 * The word at `position` (a new string each time).
 *
 * @example
 * ```ts
 * wordAt(0) // "aah", the first word
 * ```
 */
export function wordAt(position: number): string {
  const { words, wordStarts } = load();
  return words.slice(wordStarts[position]!, wordStarts[position + 1]! - 1);
}

/**
 * Whether lexicon.json holds the stems (build.ts writes it once without them, to compute them).
 *
 * @example
 * ```ts
 * if (hasStems()) neighbourAt(positionOf("delivery")).stem // "deliv"
 * ```
 */
export function hasStems(): boolean {
  const { count, stems } = load();
  return stems.length === count;
}

/**
 * The word at `position` with its stored stem, the same object each time.
 *
 * @example
 * ```ts
 * neighbourAt(positionOf("delivery")) // { word: "delivery", stem: "deliv" }
 * ```
 */
export function neighbourAt(position: number): Neighbour {
  const { neighbours } = load();
  let neighbour = neighbours[position];
  if (neighbour === undefined) neighbours[position] = neighbour = { word: wordAt(position), stem: stemAt(position) };
  return neighbour;
}

/**
 * The stored stem of the word at `position`, the same string each time.
 *
 * @example
 * ```ts
 * stemAt(positionOf("delivery")) // "deliv"
 * ```
 */
export function stemAt(position: number): string {
  const { count, stems, stemEdits, stemsByPosition, words, wordStarts } = load();
  let found = stemsByPosition[position];
  if (found === undefined) {
    const edit = stems.length === count ? stemEdits[stems.charCodeAt(position)] : undefined;
    if (edit === undefined) throw new Error("lexicon.json holds no stems: run `bun run build:lexicon`");
    // One slice of the word list, not the word and then its stem.
    const end = wordStarts[position + 1]! - 1 - edit.cut;
    stemsByPosition[position] = found = edit.tail === "" ? words.slice(wordStarts[position]!, end) : words.slice(wordStarts[position]!, end) + edit.tail;
  }
  return found;
}

/**
 * The expansions build.ts stored for the word at `position` (see expansions.ts); undefined when
 * lexicon.json holds none yet (build.ts writes them last).
 *
 * @example
 * ```ts
 * expansionsAt(positionOf("elevator"))?.stems // ["lift", …]
 * ```
 */
export function expansionsAt(position: number): LemmaExpansions | undefined {
  const lexicon = load();
  if (lexicon.expansions === "") return undefined;
  const starts = (lexicon.expansionStarts ??= lineStarts(lexicon.expansions, "\n", lexicon.count));
  return decodeExpansions(lexicon.expansions, starts[position]!, starts[position + 1]! - 1, stemAt);
}

/**
 * The four groups on a word's relations line (synonyms|broader|narrower|related, neighbours as
 * base-36 positions), each neighbour as `at` makes it of its position; undefined for none.
 *
 * @example
 * ```ts
 * decodeRelations(positionOf("elevator"), wordAt)?.[0] // ["lift"]
 * ```
 */
export function decodeRelations<T>(position: number, at: (position: number) => T): T[][] | undefined {
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
