/**
 * How lexicon.json stores each lemma's expansions, the terms an index posts an FAQ word's WordNet
 * relations under: worked out by `bun run build:lexicon` from the relations line, so that a build
 * reads a ready list instead of decoding four groups, making a neighbour object per word and
 * dropping stop words and repeated stems itself.
 *
 * A lemma's line lists its neighbours' stems, each once, in the order an index reaches them
 * (synonyms, narrower, broader, then related words: see expansionsOf in ../vocabulary.ts), stop
 * words left out. An entry is the base-36 position of a neighbour with that stem, then one mark
 * per relation group it was reached through: the index weighs each group, and takes the best.
 */

/** The relation groups, in the order an index reaches them; a group's mark is its character in MARKS. */
export const EXPANSION_GROUPS = ["synonym", "narrower", "broader", "related"] as const;
export type ExpansionGroup = (typeof EXPANSION_GROUPS)[number];

/** The marks after an entry's position, by group: none is a base-36 digit, and JSON writes each unescaped. */
const MARKS = "=><~";

/** A neighbour as the build step knows it: its position in the word list, its word and its stem. */
export interface PlacedNeighbour {
  readonly position: number;
  readonly word: string;
  readonly stem: string;
}

/**
 * A lemma's expansions line, from its neighbours by group (in EXPANSION_GROUPS' order).
 *
 * @example
 * ```ts
 * encodeExpansions([[lift], [], [], [lift]], () => false) // "1a2=~": "lift" as a synonym and as related
 * ```
 */
export function encodeExpansions(groups: ReadonlyArray<readonly PlacedNeighbour[]>, isStopWord: (word: string) => boolean): string {
  const entries: Array<{ position: number; stem: string; marks: string }> = [];
  groups.forEach((neighbours, group) => {
    for (const { position, word, stem } of neighbours) {
      if (isStopWord(word)) continue;
      const entry = entries.find((other) => other.stem === stem);
      if (entry === undefined) entries.push({ position, stem, marks: MARKS[group]! });
      else if (!entry.marks.includes(MARKS[group]!)) entry.marks += MARKS[group]!;
    }
  });
  return entries.map(({ position, marks }) => `${position.toString(36)}${marks}`).join("");
}

/** A lemma's expansions as read: stems in the order reached, and per stem a bitset of the groups it came through (bit k: EXPANSION_GROUPS[k]). */
export interface LemmaExpansions {
  readonly stems: string[];
  readonly groups: number[];
}

/**
 * Reads the expansions line `text[start, end)`, each entry's stem as `stemAt` gives it for its position.
 *
 * @example
 * ```ts
 * decodeExpansions("1a2=~", 0, 5, stemAt) // { stems: ["lift"], groups: [0b1001] }
 * ```
 */
export function decodeExpansions(text: string, start: number, end: number, stemAt: (position: number) => string): LemmaExpansions {
  const stems: string[] = [];
  const groups: number[] = [];
  let value = 0;
  let inMarks = false;
  for (let index = start; index < end; index++) {
    const code = text.charCodeAt(index);
    const mark = code === EQUALS ? 1 : code === GREATER ? 2 : code === LESS ? 4 : code === TILDE ? 8 : 0;
    if (mark === 0) {
      if (inMarks) {
        inMarks = false;
        value = 0;
      }
      // Base 36: "0"–"9" then "a"–"z".
      value = value * 36 + (code <= NINE ? code - ZERO : code - LOWER_A + 10);
    } else if (inMarks) groups[groups.length - 1]! |= mark;
    else {
      inMarks = true;
      stems.push(stemAt(value));
      groups.push(mark);
    }
  }
  return { stems, groups };
}

const EQUALS = MARKS.charCodeAt(0);
const GREATER = MARKS.charCodeAt(1);
const LESS = MARKS.charCodeAt(2);
const TILDE = MARKS.charCodeAt(3);
const ZERO = 48;
const NINE = 57;
const LOWER_A = 97;
