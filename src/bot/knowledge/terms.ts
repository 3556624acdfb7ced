/**
 * Text → the terms the knowledge base matches on: normalised words, multi-word expressions joined,
 * stop words dropped, irregular forms mapped, stems taken and synonyms folded onto their group.
 */
import { STOP_WORDS } from "./stopwords.ts";
import { stem } from "./stem.ts";
import { IRREGULAR, PHRASES, canonicalStem } from "./synonyms.ts";
import { words } from "./text.ts";

let stopStems: Set<string> | undefined;

function isStopWord(word: string, wordStem: string): boolean {
  stopStems ??= new Set([...STOP_WORDS].map(stem));
  return STOP_WORDS.has(word) || stopStems.has(wordStem);
}

let phrasesByFirstWord: Map<string, Array<readonly [readonly string[], string]>> | undefined;

function phrasesStartingWith(word: string): ReadonlyArray<readonly [readonly string[], string]> | undefined {
  if (phrasesByFirstWord === undefined) {
    phrasesByFirstWord = new Map();
    for (const phrase of PHRASES) {
      const first = phrase[0][0]!;
      const list = phrasesByFirstWord.get(first) ?? [];
      list.push(phrase);
      phrasesByFirstWord.set(first, list);
    }
    // Longest first, so "how much time" wins over "how much".
    for (const list of phrasesByFirstWord.values()) list.sort((a, b) => b[0].length - a[0].length);
  }
  return phrasesByFirstWord.get(word);
}

/** The matching term of one content word. */
export function termOf(word: string): string {
  return canonicalStem(stem(IRREGULAR[word] ?? word));
}

/**
 * The distinct terms of `text`, in order of first appearance.
 *
 * @example
 * ```ts
 * termsOf("How much does delivery cost?")          // ["cost", "deliver"]
 * termsOf("Is there somewhere to park my vehicle?") // ["park", "car"]
 * ```
 */
export function termsOf(text: string): string[] {
  const list = words(text);
  const terms: string[] = [];
  let i = 0;
  while (i < list.length) {
    const word = list[i]!;
    let phraseTerm: string | undefined;
    for (const [sequence, replacement] of phrasesStartingWith(word) ?? []) {
      if (sequence.every((part, k) => list[i + k] === part)) {
        phraseTerm = termOf(replacement);
        i += sequence.length;
        break;
      }
    }
    if (phraseTerm === undefined) {
      i++;
      const wordStem = stem(IRREGULAR[word] ?? word);
      if (isStopWord(word, wordStem)) continue;
      phraseTerm = canonicalStem(wordStem);
    }
    if (!terms.includes(phraseTerm)) terms.push(phraseTerm);
  }
  return terms;
}

/**
 * A canonical form of a question: its distinct terms, sorted. Two questions with the same
 * canonical form get the same answer from any knowledge index, so it is a safe, paraphrase-
 * tolerant cache key ("Do you have parking?" and "parking??" share one).
 *
 * @example
 * ```ts
 * canonicalQuery("Do you DELIVER?") === canonicalQuery("deliveries") // true ("deliver")
 * ```
 */
export function canonicalQuery(text: string): string {
  return termsOf(text).sort().join(" ");
}
