/**
 * Text → the terms the knowledge base matches on: normalised words, spoken numbers as digits,
 * question idioms joined ("how much" → cost), stop words dropped, stems taken. Synonyms are not
 * folded here: the index expands each FAQ's vocabulary instead (see expansion.ts), so a caller's
 * exact word and a synonym of it can weigh differently.
 */
import { frequencyRank, lemmasOf } from "./lexicon/index.ts";
import { spokenNumbers } from "./numbers.ts";
import { KNOWN_FUNCTION_WORDS, STOP_WORDS } from "./stopwords.ts";
import { stem } from "./stem.ts";
import { PHRASES } from "./synonyms.ts";
import { words } from "./text.ts";

/**
 * Whether a word says nothing about which FAQ is meant: it, or the lemma it inflects ("accepted"
 * → "accept"), is a stop word. Lemmas, not stems, and no two-letter ones: "used" is not "us".
 */
export function isStopWord(word: string): boolean {
  if (STOP_WORDS.has(word)) return true;
  const lemmas = lemmasOf(word);
  for (let at = 0; at < lemmas.length; at++) if (lemmas[at]!.length > 2 && STOP_WORDS.has(lemmas[at]!)) return true;
  return false;
}

/** Whether the lexicon knows a word (in any inflection): a known word is never "repaired". */
export function isKnownWord(word: string): boolean {
  return /^\d+$/.test(word) || STOP_WORDS.has(word) || KNOWN_FUNCTION_WORDS.has(word) || frequencyRank(word) !== undefined || lemmasOf(word).length > 0;
}

let phrasesByFirstWord: Map<string, Array<readonly [readonly string[], string]>> | undefined;
const NO_PHRASES: ReadonlyArray<readonly [readonly string[], string]> = [];

/** Whether `list` holds `sequence` from `at` on. */
function startsAt(list: readonly string[], at: number, sequence: readonly string[]): boolean {
  for (let k = 0; k < sequence.length; k++) if (list[at + k] !== sequence[k]) return false;
  return true;
}

function phrasesStartingWith(word: string): ReadonlyArray<readonly [readonly string[], string]> | undefined {
  if (phrasesByFirstWord === undefined) {
    phrasesByFirstWord = new Map();
    for (const phrase of PHRASES) {
      const list = phrasesByFirstWord.get(phrase[0][0]!) ?? [];
      list.push(phrase);
      phrasesByFirstWord.set(phrase[0][0]!, list);
    }
    for (const list of phrasesByFirstWord.values()) list.sort((a, b) => b[0].length - a[0].length);
  }
  return phrasesByFirstWord.get(word);
}

/**
 * Two adjacent content words that may be one word split by speech recognition ("wi fi", "bally
 * age"). `joined` is the term of the joined word, `parts` the terms of the pieces; `sounded` says
 * whether a phonetic repair may be tried (only when one piece is no known word).
 */
export interface JoinCandidate {
  readonly joined: string;
  readonly word: string;
  readonly parts: readonly [string, string];
  readonly sounded: boolean;
}

/**
 * How a spoken question opens: an auxiliary or question word ("can", "is", "how") followed by
 * its subject or complement ("i", "there", "much"). Both words must match, so that "can" in
 * "a can of soda" or "is" inside a statement does not start one.
 */
const QUESTION_OPENERS = new Set(["can", "could", "do", "does", "did", "is", "are", "will", "would", "how", "what", "where", "when", "which", "who", "whats", "wheres"]);
const QUESTION_SECOND_WORDS = new Set(["i", "we", "you", "ye", "u", "there", "it", "the", "my", "our", "they", "he", "she", "that", "this", "much", "long", "time", "is", "are", "do", "does", "kind", "should"]);

/**
 * Where the caller's last question starts: what comes before it is their situation ("my doctor
 * says i need to lose thirty pounds · is there someone who…"); 0 when no question opening is found.
 */
function questionStart(tokens: readonly Token[]): number {
  for (let at = tokens.length - 2; at >= 0; at--) {
    if (QUESTION_OPENERS.has(tokens[at]!.word) && QUESTION_SECOND_WORDS.has(tokens[at + 1]!.word)) return at;
  }
  return 0;
}

/** Particles of English phrasal verbs, which owners also write joined ("takeout", "checkin", "walkin"). */
const PARTICLES = new Set(["in", "out", "up", "off", "on", "over", "by", "away", "back", "down"]);

/** What the knowledge base reads in a caller's text. */
export interface Analysis {
  /** Distinct terms in order of first appearance. */
  readonly terms: string[];
  readonly joins: JoinCandidate[];
  /** Term → the word it came from, for words the lexicon does not know (candidates for repair). */
  readonly unknown: Map<string, string>;
  /** Term → the first word it came from. */
  readonly words: Map<string, string>;
  /** Every word in order, stop words and idioms included: where an owner's phrase ("to go") is looked for. */
  readonly sequence: readonly string[];
  /** Terms an idiom stands for: never counted as words the business does not use. */
  readonly implied: ReadonlySet<string>;
  /** Terms said only before the caller's question ("my doctor says … is there someone who…"): their situation. */
  readonly narrative: ReadonlySet<string>;
  /** The term a "what"/"which" question asks about ("what documents should i bring"): its focus. */
  readonly focus: ReadonlySet<string>;
}

/** One word of a text (or the word an idiom stands for: "how much" → "cost") and its term ("" for a stop word). */
export interface Token {
  readonly word: string;
  readonly term: string;
  /** The word came from an idiom ("how much" → "cost"): it says what is asked, not more about it. */
  readonly implied?: boolean;
}

/**
 * The tokens of `text`: spoken numbers as digits, idioms joined, each word with its term.
 *
 * @example
 * ```ts
 * tokensOf("How much is it?").map((token) => token.word) // ["cost", "is", "it"]
 * ```
 */
export function tokensOf(text: string): Token[] {
  const list = spokenNumbers(words(text));
  const tokens: Token[] = [];
  let i = 0;
  while (i < list.length) {
    let word = list[i]!;
    let term: string | undefined;
    let implied = false;
    for (const [sequence, replacement] of phrasesStartingWith(word) ?? NO_PHRASES) {
      if (startsAt(list, i, sequence)) {
        // An idiom may stand for several words ("what street" asks where, the location).
        const meant = replacement.split(" ");
        for (const part of meant.slice(0, -1)) tokens.push({ word: part, term: stem(part), implied: true });
        word = meant[meant.length - 1]!;
        term = stem(word);
        implied = true;
        i += sequence.length;
        break;
      }
    }
    if (term === undefined) {
      i++;
      // A stop word's stem is never used: not taking it spares the stemmer many of a text's words.
      term = isStopWord(word) ? "" : stem(word);
    }
    tokens.push(implied ? { word, term, implied } : { word, term });
  }
  return tokens;
}

/**
 * The terms and join candidates of `text`, independent of any business.
 *
 * @example
 * ```ts
 * analyze("do you have wi fi").joins[0]?.word // "wifi"
 * ```
 */
export function analyze(text: string): Analysis {
  const tokens = tokensOf(text);
  const terms: string[] = [];
  const unknown = new Map<string, string>();
  const wordOf = new Map<string, string>();
  const asked = questionStart(tokens);
  const narrative = new Set<string>();
  for (const [at, { word, term }] of tokens.entries()) {
    if (term !== "" && !terms.includes(term)) {
      if (at < asked) narrative.add(term);
      terms.push(term);
      wordOf.set(term, word);
      if (!isKnownWord(word)) unknown.set(term, word);
    }
  }
  const joins: JoinCandidate[] = [];
  for (let k = 0; k + 1 < tokens.length; k++) {
    const first = tokens[k]!;
    const second = tokens[k + 1]!;
    // Two content words side by side ("wi fi", "care credit", "bally age"), or a word and its
    // particle ("carry out" for "carryout", "walk in"); numbers stay apart.
    if (first.term === "" || (second.term === "" && !PARTICLES.has(second.word)) || /\d/.test(first.word + second.word)) continue;
    const word = first.word + second.word;
    const sounded = !isKnownWord(first.word) || !isKnownWord(second.word);
    joins.push({ joined: stem(word), word, parts: [first.term, second.term], sounded });
  }
  const implied = new Set<string>();
  for (const token of tokens) if (token.implied === true) implied.add(token.term);
  return { terms, joins, unknown, words: wordOf, sequence: tokens.map((token) => token.word), implied, narrative, focus: focusOf(tokens) };
}

const FOCUS_OPENERS = new Set(["what", "whats", "which"]);
const KIND_WORDS = new Set(["kind", "kinds", "sort", "sorts", "type", "types"]);
/** Words between "what" and its noun: "what is the fax number", "what are your rates". */
const FOCUS_SKIPPED = new Set(["is", "are", "was", "the", "a", "an", "your", "ur", "yer", "my", "our"]);

/** The content word right after "what"/"which" (past "is the", "kind of"): what the question is about. */
function focusOf(tokens: readonly Token[]): Set<string> {
  const focus = new Set<string>();
  for (let at = 0; at + 1 < tokens.length; at++) {
    if (!FOCUS_OPENERS.has(tokens[at]!.word)) continue;
    let next = at + 1;
    while (next < tokens.length && FOCUS_SKIPPED.has(tokens[next]!.word)) next++;
    if (KIND_WORDS.has(tokens[next]?.word ?? "") && tokens[next + 1]?.word === "of") next += 2;
    const token = tokens[next];
    if (token !== undefined && token.term !== "" && token.implied !== true) focus.add(token.term);
  }
  return focus;
}

/**
 * The distinct terms of `text`, in order of first appearance.
 *
 * @example
 * ```ts
 * termsOf("How much does delivery cost?")          // ["cost", "deliv"]
 * termsOf("Um, hi, I was wondering if you guys have parking?") // ["park"]
 * ```
 */
export function termsOf(text: string): string[] {
  return analyze(text).terms;
}

/**
 * A canonical form of a question: its distinct terms and join candidates, sorted. Two questions
 * with the same canonical form get the same answer from any knowledge index (ranking reads only
 * these), so it is a safe, paraphrase-tolerant cache key: case, punctuation, fillers, stop words,
 * inflections and word order do not change it.
 *
 * @example
 * ```ts
 * canonicalQuery("Do you DELIVER?") === canonicalQuery("deliveries") // true
 * ```
 */
export function canonicalQuery(text: string): string {
  const { terms, joins, unknown } = analyze(text);
  const joined = joins.map((join) => `${join.parts[0]}+${join.parts[1]}=${join.word}`);
  const repairable = [...unknown].map(([term, word]) => `${term}?${word}`);
  return [...terms.sort(), ...[...new Set(joined)].sort(), ...repairable.sort()].join(" ");
}
