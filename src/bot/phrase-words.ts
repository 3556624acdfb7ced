/**
 * The words a phrase pattern can match, read from the pattern itself, so that a cheap check of an
 * utterance's words can rule an intent out before its large expression runs (see intents.ts).
 * Only patterns written with lower-case literals, spaces, groups, `|`, `?`, `*` and `+` over
 * groups that start with a space, `\b`, `^`, `$` and lookarounds are read; for anything else the
 * answer is undefined and the caller runs the expression as before.
 */

/** Most phrases a pattern may stand for before reading it is given up (the caller then checks nothing). */
const MAX_PHRASES = 20_000;

/**
 * Every word any match of any of `patterns` can consist of, or undefined when a pattern is not
 * one this reader understands. Lookarounds only narrow a match, so they are skipped: the set is
 * complete (every matched word is in it) if perhaps larger than needed.
 *
 * @example
 * ```ts
 * phraseWords([/\b(good ?bye|see (you|ya))\b/g]) // Set { "goodbye", "good", "bye", "see", "you", "ya" }
 * phraseWords([/[a-z]+/])                         // undefined: a character class could be any word
 * ```
 */
export function phraseWords(patterns: readonly RegExp[]): Set<string> | undefined {
  const words = new Set<string>();
  for (const pattern of patterns) {
    if (!/^[gy]*$/.test(pattern.flags)) return undefined;
    const phrases = readPhrases(pattern.source);
    if (phrases === undefined) return undefined;
    for (const phrase of phrases) for (const word of phrase.split(" ")) if (word !== "") words.add(word);
  }
  return words;
}

/** The phrases of a whole pattern source, or undefined. */
function readPhrases(source: string): string[] | undefined {
  const reader = { source, at: 0 };
  try {
    const phrases = alternation(reader);
    return reader.at === source.length ? phrases : undefined;
  } catch {
    return undefined;
  }
}

interface Reader {
  source: string;
  at: number;
}

/** `a|b|…` up to a closing parenthesis or the end. */
function alternation(reader: Reader): string[] {
  const phrases = sequence(reader);
  while (reader.source[reader.at] === "|") {
    reader.at++;
    phrases.push(...sequence(reader));
    bounded(phrases);
  }
  return phrases;
}

/** Atoms one after another, each possibly quantified. */
function sequence(reader: Reader): string[] {
  let phrases = [""];
  for (;;) {
    const char = reader.source[reader.at];
    if (char === undefined || char === "|" || char === ")") return phrases;
    const options = quantified(reader, atom(reader));
    const joined: string[] = [];
    for (const before of phrases) for (const after of options) joined.push(before + after);
    phrases = bounded(joined);
  }
}

/**
 * `?` adds the empty phrase. `*` and `+` repeat what starts with a space (so each repetition is
 * whole words, and one or two repetitions hold every word there is); anything else could build
 * ever new words and is not read.
 */
function quantified(reader: Reader, options: string[]): string[] {
  const quantifier = reader.source[reader.at];
  if (quantifier !== "?" && quantifier !== "*" && quantifier !== "+") return options;
  reader.at++;
  if (reader.source[reader.at] === "?") throw new Error("lazy quantifier");
  if (quantifier === "?") return ["", ...options];
  if (!options.every((option) => option.startsWith(" "))) throw new Error("repetition that builds words");
  const twice = options.flatMap((first) => options.map((second) => first + second));
  return bounded([...(quantifier === "*" ? [""] : []), ...options, ...twice]);
}

function atom(reader: Reader): string[] {
  const { source } = reader;
  const char = source[reader.at]!;
  if (char === "(") {
    reader.at++;
    let lookaround = false;
    if (source[reader.at] === "?") {
      const kind = source.slice(reader.at, reader.at + 3);
      if (kind.startsWith("?:")) reader.at += 2;
      else if (kind.startsWith("?=") || kind.startsWith("?!")) (reader.at += 2), (lookaround = true);
      else if (kind === "?<=" || kind === "?<!") (reader.at += 3), (lookaround = true);
      else throw new Error("group kind");
    }
    const inner = alternation(reader);
    if (source[reader.at] !== ")") throw new Error("unclosed group");
    reader.at++;
    return lookaround ? [""] : inner;
  }
  if (char === "\\") {
    if (source[reader.at + 1] !== "b") throw new Error("escape");
    reader.at += 2;
    return [""];
  }
  reader.at++;
  if (char === "^" || char === "$") return [""];
  if (/^[a-z0-9 ']$/.test(char)) return [char];
  throw new Error("syntax");
}

function bounded(phrases: string[]): string[] {
  if (phrases.length > MAX_PHRASES) throw new Error("too many phrases");
  return phrases;
}

/**
 * One regular expression matching wherever any of `patterns` matches. A single pass over the
 * utterance rules most of them out, which is what nearly every turn (a knowledge question) needs.
 *
 * @example
 * ```ts
 * anyOf([/\bbye\b/, /\bthanks\b/]).test("ok thanks") // true
 * ```
 */
export function anyOf(patterns: readonly RegExp[]): RegExp {
  return new RegExp(patterns.map((p) => `(?:${p.source})`).join("|"));
}
