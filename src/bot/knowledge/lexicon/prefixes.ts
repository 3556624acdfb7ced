/**
 * Where each two-letter prefix starts in the lexicon's sorted word list, as lexicon.json stores it:
 * a lookup then searches the fifty-odd words of its prefix instead of all 33 000 (every lookup of
 * an index build, a caller's word, a lemma or a British spelling goes through it).
 */

/** Prefix keys: 26 first letters × (a lone letter, or 26 second letters). */
const KEYS = 26 * 27;
/** Digits per start: positions below 36³ = 46 656. */
const WIDTH = 3;

/**
 * The key of a word's first two letters, or -1 when they are not both a–z (no lexicon word has
 * such a prefix).
 *
 * @example
 * ```ts
 * prefixKey("ab") < prefixKey("ba") // true
 * prefixKey("Ab")                   // -1
 * ```
 */
export function prefixKey(word: string): number {
  const first = word.charCodeAt(0) - 97;
  if (!(first >= 0 && first < 26)) return -1;
  if (word.length === 1) return first * 27;
  const second = word.charCodeAt(1) - 96;
  return second >= 1 && second <= 26 ? first * 27 + second : -1;
}

/**
 * The start of every prefix in a sorted list of lowercase a–z words, then its length: prefix k's
 * words are at positions [starts[k], starts[k + 1]). Fixed-width base-36 numbers.
 *
 * @example
 * ```ts
 * decodePrefixStarts(encodePrefixStarts(["ab", "ac", "ba"]))[prefixKey("ba")] // 2
 * ```
 */
export function encodePrefixStarts(sorted: readonly string[]): string {
  if (sorted.length >= 36 ** WIDTH) throw new Error(`prefix starts: ${sorted.length} words need more than ${WIDTH} digits`);
  const keys = sorted.map(prefixKey);
  keys.forEach((key, i) => {
    if (key < 0 || (i > 0 && key < keys[i - 1]!)) throw new Error(`prefix starts: "${sorted[i]}" is out of order or not a–z`);
  });
  const starts: string[] = [];
  let position = 0;
  for (let key = 0; key <= KEYS; key++) {
    while (position < keys.length && keys[position]! < key) position++;
    starts.push(position.toString(36).padStart(WIDTH, "0"));
  }
  return starts.join("");
}

/** The starts {@link encodePrefixStarts} wrote, by prefix key (KEYS + 1 of them). */
export function decodePrefixStarts(text: string): Int32Array {
  const starts = new Int32Array(KEYS + 1);
  for (let key = 0; key <= KEYS; key++) starts[key] = parseInt(text.slice(key * WIDTH, key * WIDTH + WIDTH), 36);
  return starts;
}
