/**
 * The idioms (idioms.ts, phone-talk.ts) as word patterns: words separated by spaces, each slot
 * listing its alternatives with "|" ("leave|put the|my car"); a slot in parentheses may be left
 * out ("(hire|rental)"); "1..17" matches a number in that range (spoken numbers are digits by
 * then: "four year old" is "4 year old"); "*" is any one word ("my name is *"); a last slot marked
 * "+" must follow but stays the caller's word ("stop my +membership|contract" means "cancel" and
 * keeps "membership": an owner writing "cancel my membership" keeps their topic). Compiled once into
 * slots indexed by the words a pattern can start with, so that a caller's word that starts none
 * costs one map lookup.
 */

interface Slot {
  readonly words: ReadonlySet<string>;
  /** Inclusive number range this slot also accepts. */
  readonly range?: readonly [number, number];
  /** Any one word ("*"). */
  readonly any?: boolean;
  readonly optional: boolean;
}

interface Pattern {
  readonly slots: readonly Slot[];
  readonly meaning: string;
  /** Words matched by the last slot when it is marked "+": required, not taken. */
  readonly kept: number;
}

/** A compiled list of idioms; see {@link matchPhrase}. */
export interface PhraseTable {
  readonly byFirstWord: ReadonlyMap<string, readonly Pattern[]>;
  /** Patterns whose first slot is a number range: tried on every number. */
  readonly byNumber: readonly Pattern[];
}

function compileSlot(source: string): Slot {
  const optional = source.startsWith("(") && source.endsWith(")");
  if (!optional && /[()]/.test(source)) throw new Error(`an idiom's slot is one word or "(…)" without spaces: "${source}"`);
  const alternatives = (optional ? source.slice(1, -1) : source).split("|");
  if (alternatives.length === 1 && alternatives[0] === "*") return { words: new Set(), any: true, optional };
  const words = new Set<string>();
  let range: readonly [number, number] | undefined;
  for (const alternative of alternatives) {
    const bounds = /^(\d+)\.\.(\d+)$/.exec(alternative);
    if (bounds !== null) range = [Number(bounds[1]), Number(bounds[2])];
    else words.add(alternative);
  }
  return range === undefined ? { words, optional } : { words, range, optional };
}

/**
 * Compiles idioms: [pattern, meaning] pairs. The first slot may not be optional.
 *
 * @example
 * ```ts
 * const table = compilePhrases([["leave|put (the|my) car", "park"]]);
 * matchPhrase(table, ["can", "i", "leave", "my", "car"], 2) // { length: 3, meaning: "park" }
 * ```
 */
export function compilePhrases(list: ReadonlyArray<readonly [string, string]>): PhraseTable {
  const byFirstWord = new Map<string, Pattern[]>();
  const byNumber: Pattern[] = [];
  for (const [source, meaning] of list) {
    const sources = source.split(" ");
    const last = sources[sources.length - 1]!;
    const kept = last.startsWith("+") ? 1 : 0;
    if (kept === 1) sources[sources.length - 1] = last.slice(1);
    if (sources.slice(0, -1).some((part) => part.startsWith("+")) || (kept === 1 && last.startsWith("+("))) throw new Error(`only an idiom's last slot may be kept, and it may not be optional: "${source}"`);
    const slots = sources.map(compileSlot);
    const first = slots[0];
    if (first === undefined || first.optional || first.any === true) throw new Error(`an idiom must start with a word it always has: "${source}"`);
    const pattern = { slots, meaning, kept };
    for (const word of first.words) byFirstWord.set(word, [...(byFirstWord.get(word) ?? []), pattern]);
    if (first.range !== undefined) byNumber.push(pattern);
  }
  return { byFirstWord, byNumber };
}

function accepts(slot: Slot, word: string): boolean {
  if (slot.any === true || slot.words.has(word)) return true;
  if (slot.range === undefined || !/^\d+$/.test(word)) return false;
  const value = Number(word);
  return value >= slot.range[0] && value <= slot.range[1];
}

/** How many words from `at` the slots from `slot` on match (longest way), or -1. */
function matchFrom(slots: readonly Slot[], slot: number, words: readonly string[], at: number): number {
  if (slot === slots.length) return 0;
  const current = slots[slot]!;
  let best = -1;
  if (at < words.length && accepts(current, words[at]!)) {
    const rest = matchFrom(slots, slot + 1, words, at + 1);
    if (rest >= 0) best = rest + 1;
  }
  if (current.optional) best = Math.max(best, matchFrom(slots, slot + 1, words, at));
  return best;
}

/**
 * The longest idiom starting at `words[at]`, with how many words it covers; undefined when none does.
 *
 * @example
 * ```ts
 * matchPhrase(compilePhrases([["1..17 year|years old", "child"]]), ["my", "4", "year", "old"], 1) // { length: 3, meaning: "child" }
 * ```
 */
export function matchPhrase(table: PhraseTable, words: readonly string[], at: number): { length: number; meaning: string } | undefined {
  const word = words[at]!;
  const candidates = table.byFirstWord.get(word) ?? (/^\d+$/.test(word) ? table.byNumber : undefined);
  if (candidates === undefined) return undefined;
  let found: { length: number; meaning: string } | undefined;
  for (const { slots, meaning, kept } of candidates) {
    const length = matchFrom(slots, 0, words, at) - kept;
    if (length > 0 && (found === undefined || length > found.length)) found = { length, meaning };
  }
  return found;
}
