/**
 * Word lists looked up while text is scanned, without cutting the text into word strings: each
 * word is hashed as its characters go by and found in an open-addressing table of the listed
 * words. The intent rules use it to learn in one pass over an utterance whether it is in normal
 * form and which of their word lists its words come from (see intents.ts).
 */

/** What a scan found, packed in one number: see {@link scanShape}, {@link anyFlags}, {@link allFlags}. */
export type WordScan = number;

/** The text is lower-case ASCII letters and digits in words between single spaces (normalizeText hands such text back as it is). */
export const NORMAL = 1;
/** The text holds a character over 0x7F. */
export const NOT_ASCII = 2;
/** ASCII, but not in normal form (capitals, punctuation, spacing). */
export const NOT_NORMAL = 3;

/** A table of words, each with flags (bits 0 to 11). */
export interface WordTable {
  /**
   * One pass over `text`: its shape and, for normal text, the flags of its words, both the union
   * (a flag any word has) and the intersection (a flag every word has; a word not listed has none).
   */
  scan(text: string): WordScan;
}

/** NORMAL, NOT_ASCII or NOT_NORMAL. */
export const scanShape = (scan: WordScan): number => scan & 3;
/** The flags some word of the text has (normal text only). */
export const anyFlags = (scan: WordScan): number => (scan >>> 2) & 0xfff;
/** The flags every word of the text has (normal text only). */
export const allFlags = (scan: WordScan): number => (scan >>> 14) & 0xfff;

const SPACE = 0x20;

/**
 * A table of `entries` (lower-case ASCII words and their flags, which add up when a word is listed
 * twice); a word starting with one of `prefixes` also gets that prefix's flags.
 *
 * @example
 * ```ts
 * const table = wordTable([["bye", 1], ["thanks", 1], ["manager", 2]], [["hm", 4]]);
 * const scan = table.scan("thanks bye");
 * scanShape(scan) === NORMAL && anyFlags(scan) === 1 && allFlags(scan) === 1; // true
 * anyFlags(table.scan("hmm the manager")) === 6; // true
 * ```
 */
export function wordTable(entries: Iterable<readonly [string, number]>, prefixes: ReadonlyArray<readonly [string, number]> = []): WordTable {
  const merged = new Map<string, number>();
  for (const [word, flags] of entries) merged.set(word, (merged.get(word) ?? 0) | flags);
  let size = 16;
  while (size < merged.size * 4) size *= 2;
  const mask = size - 1;
  const hashes = new Int32Array(size);
  const words: (string | undefined)[] = new Array<string | undefined>(size).fill(undefined);
  const flagsAt = new Int32Array(size);
  for (const [word, flags] of merged) {
    let hash = 0x811c9dc5 | 0;
    for (let i = 0; i < word.length; i++) hash = Math.imul(hash ^ word.charCodeAt(i), 0x01000193);
    let slot = hash & mask;
    while (words[slot] !== undefined) slot = (slot + 1) & mask;
    hashes[slot] = hash;
    words[slot] = word;
    flagsAt[slot] = flags;
  }

  // Each prefix as its first character (a cheap first test) and its flags.
  const prefixFirst = prefixes.map(([prefix]) => prefix.charCodeAt(0));

  /** The flags of `text[start, end)`: its own, and its prefix's. */
  const flagsOf = (text: string, start: number, end: number, hash: number): number => {
    let flags = 0;
    for (let slot = hash & mask; words[slot] !== undefined; slot = (slot + 1) & mask) {
      if (hashes[slot] === hash) {
        const word = words[slot]!;
        if (word.length === end - start && text.startsWith(word, start)) {
          flags = flagsAt[slot]!;
          break;
        }
      }
    }
    if (prefixes.length > 0) {
      const first = text.charCodeAt(start);
      for (let p = 0; p < prefixes.length; p++) {
        if (first !== prefixFirst[p]) continue;
        const prefix = prefixes[p]![0];
        if (end - start >= prefix.length && text.startsWith(prefix, start)) flags |= prefixes[p]![1];
      }
    }
    return flags;
  };

  return {
    scan(text) {
      let any = 0;
      let all = 0xfff;
      let start = 0;
      let hash = 0x811c9dc5 | 0;
      const length = text.length;
      let shape = NORMAL;
      for (let i = 0; i < length; i++) {
        const code = text.charCodeAt(i);
        if (code === SPACE) {
          // A space must end a word: none leads, none follows another.
          if (i === start) {
            shape = NOT_NORMAL;
            continue;
          }
          const flags = flagsOf(text, start, i, hash);
          any |= flags;
          all &= flags;
          start = i + 1;
          hash = 0x811c9dc5 | 0;
        } else if ((code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39)) {
          hash = Math.imul(hash ^ code, 0x01000193);
        } else if (code >= 0x80) {
          return NOT_ASCII;
        } else shape = NOT_NORMAL;
      }
      // A trailing space (the text is ASCII: any other character returned above).
      if (length > 0 && start === length) shape = NOT_NORMAL;
      if (shape !== NORMAL) return NOT_NORMAL;
      if (length > 0) {
        const flags = flagsOf(text, start, length, hash);
        any |= flags;
        all &= flags;
      }
      return NORMAL | (any << 2) | (all << 14);
    },
  };
}
