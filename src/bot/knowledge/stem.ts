/**
 * A light English stemmer in the spirit of Porter's first step: it strips inflections (plurals,
 * -ed, -ing), -ly and -ment, a terminal -y after a consonant and a final silent e, so that the
 * forms a caller uses meet the forms an FAQ was written in. It stops there on purpose: deeper
 * derivational stripping (Porter steps 2–5) merges words a phone bot must keep apart and makes
 * stems no one can read in a test.
 *
 * A stem is a matching key, not a word: "delivery" → "deliver", but "service" → "servic".
 */

const VOWELS = "aeiou";

function isVowelAt(word: string, index: number): boolean {
  const c = word[index]!;
  if (VOWELS.includes(c)) return true;
  // "y" sounds as a vowel after a consonant ("fly", "dry").
  return c === "y" && index > 0 && !VOWELS.includes(word[index - 1]!);
}

function hasVowel(word: string): boolean {
  for (let i = 0; i < word.length; i++) if (isVowelAt(word, i)) return true;
  return false;
}

/** Porter's measure: how many vowel-consonant sequences the word has ("tr" 0, "car" 1, "servic" 2). */
function measure(word: string): number {
  let count = 0;
  let previousVowel = false;
  for (let i = 0; i < word.length; i++) {
    const vowel = isVowelAt(word, i);
    if (previousVowel && !vowel) count++;
    previousVowel = vowel;
  }
  return count;
}

/** Ends consonant-vowel-consonant, the last not w, x or y: "car", "pric", "hop" (where an e was dropped). */
function endsShortSyllable(word: string): boolean {
  const n = word.length;
  return n >= 3 && !isVowelAt(word, n - 3) && isVowelAt(word, n - 2) && !isVowelAt(word, n - 1) && !"wxy".includes(word[n - 1]!);
}

/**
 * Tidies a stem after -ed/-ing went: "stopp" → "stop" (but "call", "dress", "buzz" keep theirs),
 * and a short stem gets its e back ("pric" → "price", "car" → "care") so it meets the bare word.
 */
function afterSuffix(word: string): string {
  const n = word.length;
  if (n >= 3 && word[n - 1] === word[n - 2] && !isVowelAt(word, n - 1) && !"lsz".includes(word[n - 1]!)) {
    return word.slice(0, -1);
  }
  if (measure(word) === 1 && endsShortSyllable(word)) return `${word}e`;
  return word;
}

/**
 * The stem of one lowercase word.
 *
 * @example
 * ```ts
 * ["parking", "parked", "parks"].map(stem)           // ["park", "park", "park"]
 * ["deliveries", "delivery", "delivered"].map(stem)  // ["deliver", "deliver", "deliver"]
 * ```
 */
export function stem(word: string): string {
  if (word.length <= 2 || !/^\p{L}+$/u.test(word)) return word;
  let w = word;

  // Plurals and third person.
  if (w.endsWith("sses")) w = w.slice(0, -2);
  else if (w.endsWith("ies")) w = w.length > 4 ? `${w.slice(0, -3)}y` : w.slice(0, -1);
  else if (/(x|ch|sh)es$/.test(w)) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith("s") && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);

  // Past tense and gerund.
  if (w.endsWith("eed")) {
    if (hasVowel(w.slice(0, -3))) w = w.slice(0, -1); // "agreed" → "agree"; "need", "speed" stay
  } else if (w.endsWith("ied") && w.length > 4) {
    w = `${w.slice(0, -3)}y`;
  } else if (w.endsWith("ed") && w.length > 3 && hasVowel(w.slice(0, -2))) {
    w = afterSuffix(w.slice(0, -2));
  } else if (w.endsWith("ing") && w.length > 4 && hasVowel(w.slice(0, -3))) {
    w = afterSuffix(w.slice(0, -3));
  }

  // A few derivations callers swap freely ("pay"/"payment", "week"/"weekly").
  if (w.endsWith("ment") && w.length >= 7 && hasVowel(w.slice(0, -4))) w = w.slice(0, -4);
  else if (w.endsWith("ly") && w.length >= 6) w = w.slice(0, -2);

  // "delivery" → "deliver"; short words ("city", "party", "carry") keep their y.
  if (w.length >= 6 && w.endsWith("y") && !VOWELS.includes(w[w.length - 2]!)) w = w.slice(0, -1);

  // Silent e, as Porter drops it: not from a short syllable ("care" must not become "car"), not
  // from "ee" ("free", "fee").
  if (w.length >= 3 && w.endsWith("e") && !w.endsWith("ee")) {
    const base = w.slice(0, -1);
    const m = measure(base);
    if (m > 1 || (m === 1 && !endsShortSyllable(base))) w = base;
  }

  return w;
}
