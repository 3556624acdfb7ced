/**
 * Text → the terms the knowledge base matches on: normalised words, spoken numbers as digits,
 * question idioms joined ("how much" → cost), stop words dropped, stems taken. Synonyms are not
 * folded here: the index expands each FAQ's vocabulary instead (see expansion.ts), so a caller's
 * exact word and a synonym of it can weigh differently.
 */
import { frequencyRank, lemmasOf } from "./lexicon/index.ts";
import { spokenNumbers } from "./numbers.ts";
import { FILLERS, KNOWN_FUNCTION_WORDS, STOP_WORDS } from "./stopwords.ts";
import { readingSpelling, stem } from "./stem.ts";
import { compilePhrases, matchPhrase, type PhraseTable } from "./phrase-patterns.ts";
import { IDIOMS } from "./idioms.ts";
import { PHONE_TALK } from "./phone-talk.ts";
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

/** Modal verbs that are also nouns ("a will", "wills", "a can of"), and the words that make them one. */
const MODAL_NOUNS = new Set(["will", "wills", "can", "cans"]);
const NOUN_MARKERS = new Set(["a", "the", "my", "our", "your", "his", "her", "their", "simple", "new", "living", "basic"]);

/** Whether a modal is a noun here: in the plural, or after a determiner ("get a will done", "update my will"). */
function isModalNoun(word: string, before: string | undefined): boolean {
  return MODAL_NOUNS.has(word) && (word.endsWith("s") || (before !== undefined && NOUN_MARKERS.has(before)));
}

/**
 * Letters spelled out one by one as speech recognition writes an acronym ("m o t", "e v", "a c")
 * joined into the word they spell ("mot"), in place. A run needs two letters or more, and "i"
 * (the pronoun) never joins one.
 */
function joinSpelledLetters(list: string[]): void {
  for (let at = 0; at < list.length; at++) {
    let end = at;
    while (end < list.length && isSpelledLetter(list[end]!)) end++;
    if (end - at >= 2) list.splice(at, end - at, list.slice(at, end).join(""));
  }
}

const isSpelledLetter = (word: string): boolean => word.length === 1 && word >= "a" && word <= "z" && word !== "i";

/** Words after which "like" is the verb ("id like to", "would like"), not a filler. */
const LIKING = new Set(["i", "id", "we", "wed", "you", "youd", "they", "theyd", "would", "do", "dont", "really", "just", "also", "to", "she", "he", "shed", "hed"]);

let phraseTable: PhraseTable | undefined;
/** The idioms and the phone talk around questions, compiled on first use. */
const phrases = (): PhraseTable => (phraseTable ??= compilePhrases([...PHONE_TALK, ...IDIOMS]));

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
const QUESTION_SECOND_WORDS = new Set(["i", "we", "you", "ye", "u", "there", "it", "the", "my", "our", "your", "they", "he", "she", "that", "this", "much", "long", "time", "is", "are", "do", "does", "kind", "should", "someone", "somebody", "anyone", "anybody"]);

/**
 * Where the caller's last question starts: what comes before it is their situation ("my doctor
 * says i need to lose thirty pounds · is there someone who…"); 0 when no question opening is found.
 */
function questionStart(tokens: readonly Token[]): number {
  for (let at = tokens.length - 1; at >= 0; at--) {
    if (tokens[at]!.opens === true) return at;
    if (at + 1 < tokens.length && QUESTION_OPENERS.has(tokens[at]!.word) && QUESTION_SECOND_WORDS.has(tokens[at + 1]!.word)) return frontedStart(tokens, at);
  }
  return 0;
}

/** Subjects that carry their verb ("im", "its") or open a clause ("because …"). */
const SELF_STANDING = new Set(["im", "ive", "ill", "its", "theyre", "hes", "shes", "because", "cause", "cos", "since"]);
/** A subject pronoun, and a possessive that starts a subject ("my sister"). */
const PRONOUNS = new Set(["i", "we", "he", "she", "they", "it"]);
const POSSESSIVES = new Set(["my", "our", "his", "her", "their"]);
/** Words that tie the caller's own plans to the question in time ("before our flight"). */
const TIME_LINKS = new Set(["before", "after", "while", "until", "till", "during"]);
/** Verbs a caller's clause goes on with ("my sister is visiting", "we have a wedding", "my husband asked"). */
const CLAUSE_VERBS = new Set(["is", "are", "was", "were", "am", "will", "has", "have", "had", "can", "could", "would", "should", "need", "needs", "want", "wants", "work", "works", "asked", "told", "said", "think", "live", "lives", "got", "just", "really", "usually", "always", "never"]);
/** Words after which a subject belongs to the question ("do we have", "can i bring", "if my"). */
const OPENS_SUBJECT = new Set(["do", "does", "did", "can", "could", "will", "would", "should", "is", "are", "was", "were", "have", "has", "am", "if", "when", "where", "what", "which", "who", "how", "whether", "and", "or", "than"]);

/**
 * Where a clause of the caller's own starts after their question ("do you have parking · my sister
 * is visiting next week"): its words are their situation too. The length of the tokens when none
 * does. The question must have named something first; a clause is a subject followed by its verb
 * ("my sister is", "we have", "its", "because"), not after an auxiliary ("do we have").
 */
function trailingStart(tokens: readonly Token[], asked: number): number {
  let named = false;
  const verbAt = (at: number) => CLAUSE_VERBS.has(tokens[at]?.word ?? "");
  for (let at = asked; at < tokens.length; at++) {
    const { word, term } = tokens[at]!;
    if (named && !OPENS_SUBJECT.has(tokens[at - 1]?.word ?? "")) {
      if (SELF_STANDING.has(word)) return at;
      // "before our tour bus", "while we are away": when the caller's own plans come in.
      if (TIME_LINKS.has(word) && (POSSESSIVES.has(tokens[at + 1]?.word ?? "") || PRONOUNS.has(tokens[at + 1]?.word ?? ""))) return at;
      if (PRONOUNS.has(word) && verbAt(at + 1)) return at;
      // "my sister is", "my little boy has": one or two words, then the verb.
      if (POSSESSIVES.has(word) && tokens[at + 1]?.term !== "" && (verbAt(at + 2) || (tokens[at + 2]?.term !== "" && verbAt(at + 3)))) return at;
    }
    if (term !== "") named = true;
  }
  return tokens.length;
}

/** Question words that may bring their object before the auxiliary: "what kind of law do you do". */
const FRONTED_QUESTION_WORDS = new Set(["what", "whats", "which", "how", "where", "when", "who"]);
/** The most words a fronted question word stands before its auxiliary ("what kind of law" · "do you"). */
const FRONTED_REACH = 4;

/** The question's start moved back to a question word (or an idiom opening one: "how much") whose object comes before the auxiliary found at `at`. */
function frontedStart(tokens: readonly Token[], at: number): number {
  if (FRONTED_QUESTION_WORDS.has(tokens[at]!.word)) return at;
  for (let back = at - 1; back >= Math.max(0, at - FRONTED_REACH); back--) {
    const word = tokens[back]!.word;
    if (FRONTED_QUESTION_WORDS.has(word) || tokens[back]!.opens === true) return back;
    if (QUESTION_OPENERS.has(word)) break;
  }
  return at;
}

/** Particles of English phrasal verbs, which owners also write joined ("takeout", "checkin", "walkin"). */
export const PARTICLES: ReadonlySet<string> = new Set(["in", "out", "up", "off", "on", "over", "by", "away", "back", "down"]);

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
  /** Terms of a clause of the caller's own after the question ("… my sister is visiting next week"). */
  readonly trailing: ReadonlySet<string>;
  /** What the question asks about: the term after "what"/"which" ("what documents should i bring"), a request's verb ("can you fix …"). */
  readonly focus: ReadonlySet<string>;
}

/** One word of a text (or the word an idiom stands for: "how much" → "cost") and its term ("" for a stop word). */
export interface Token {
  readonly word: string;
  readonly term: string;
  /** The word came from an idiom ("how much" → "cost"): it says what is asked, not more about it. */
  readonly implied?: boolean;
  /** The idiom it came from opens a question ("how much", "what kind of"): where the question starts. */
  readonly opens?: boolean;
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
  // British spellings as American ones, for owners and callers alike: the lexicon, idioms and
  // stems then meet one form ("tyres", "instalments", "centre").
  const list = spokenNumbers(words(text))
    .filter((word, at, all) => !FILLERS.has(word) || (word === "like" && LIKING.has(all[at - 1] ?? "")))
    .map(readingSpelling);
  joinSpelledLetters(list);
  const tokens: Token[] = [];
  let i = 0;
  while (i < list.length) {
    const word = list[i]!;
    const idiom = matchPhrase(phrases(), list, i);
    if (idiom !== undefined && idiom.meaning === "") {
      // Talk around the question ("i mean", "good morning", "im calling because"): nothing to keep.
      i += idiom.length;
      continue;
    }
    if (idiom !== undefined) {
      // An idiom may stand for several words ("what street" asks where, the location).
      const meant = idiom.meaning.split(" ");
      const opens = QUESTION_OPENERS.has(word);
      meant.forEach((part, k) => {
        // The last word is what the idiom means ("kind" in "what kind"), even a stop word elsewhere.
        const token: Token = { word: part, term: k < meant.length - 1 && isStopWord(part) ? "" : stem(part), implied: true };
        tokens.push(opens && k === 0 ? { ...token, opens } : token);
      });
      i += idiom.length;
      continue;
    }
    const before = list[i - 1];
    i++;
    // A stop word's stem is never used: not taking it spares the stemmer many of a text's words.
    tokens.push({ word, term: isStopWord(word) && !isModalNoun(word, before) ? "" : stem(word) });
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
  let asked = questionStart(tokens);
  let after = trailingStart(tokens, asked);
  // A question that names nothing ("were travelling with our little pup · would that be ok")
  // asks about the situation told around it: none of it is an aside.
  if (!tokens.some((token, at) => at >= asked && at < after && token.term !== "")) [asked, after] = [0, tokens.length];
  const narrative = new Set<string>();
  const trailing = new Set<string>();
  for (const [at, { word, term }] of tokens.entries()) {
    if (term !== "" && !terms.includes(term)) {
      if (at < asked) narrative.add(term);
      else if (at >= after) trailing.add(term);
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
  for (const token of tokens) if (token.implied === true && token.term !== "") implied.add(token.term);
  return { terms, joins, unknown, words: wordOf, sequence: tokens.map((token) => token.word), implied, narrative, trailing, focus: focusOf(tokens) };
}

const FOCUS_OPENERS = new Set(["what", "whats", "which"]);
const KIND_WORDS = new Set(["kind", "kinds", "sort", "sorts", "type", "types"]);
/** Words between "what" and its noun: "what is the fax number", "what are your rates". */
const FOCUS_SKIPPED = new Set(["is", "are", "was", "the", "a", "an", "your", "ur", "yer", "my", "our"]);

/** "can you", "could you guys" …: the verb after it is what the caller asks the business to do. */
const REQUEST_OPENERS = new Set(["can", "could", "will", "would"]);

/**
 * The content word right after "what"/"which" (past "is the", "kind of"): what the question is
 * about; and the verb of a request ("can you fix my car"): a service the business may not do.
 */
function focusOf(tokens: readonly Token[]): Set<string> {
  const focus = new Set<string>();
  for (let at = 0; at + 2 < tokens.length; at++) {
    if (!REQUEST_OPENERS.has(tokens[at]!.word) || tokens[at + 1]!.word !== "you") continue;
    let next = at + 2;
    while (next < tokens.length && (tokens[next]!.word === "guys" || tokens[next]!.word === "please" || tokens[next]!.word === "all")) next++;
    const verb = tokens[next];
    if (verb !== undefined && verb.term !== "" && verb.implied !== true) focus.add(verb.term);
  }
  for (let at = 0; at + 1 < tokens.length; at++) {
    if (!FOCUS_OPENERS.has(tokens[at]!.word)) continue;
    let next = at + 1;
    while (next < tokens.length && FOCUS_SKIPPED.has(tokens[next]!.word)) next++;
    if (tokens[next]?.implied === true && KIND_WORDS.has(tokens[next]!.word)) next += 1;
    else if (KIND_WORDS.has(tokens[next]?.word ?? "") && tokens[next + 1]?.word === "of") next += 2;
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
 * A canonical form of a question's words: its distinct terms and join candidates, sorted, so that
 * case, punctuation, fillers, stop words, inflections and word order do not change it. It is no
 * key for cached answers: the ranking also reads where a word stands (the caller's situation told
 * before or after the question, the question's focus, an owner's phrase said in order), so two
 * questions of one form may be answered differently; knowledge keys hash the normalised text
 * instead (see cache-keys.ts).
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
