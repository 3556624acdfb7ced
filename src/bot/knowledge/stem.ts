/**
 * A light English stemmer in the spirit of Porter's first step: it strips inflections (plurals,
 * -ed, -ing), -ly and -ment, a terminal -y after a consonant and a final silent e, so that the
 * forms a caller uses meet the forms an FAQ was written in. It stops there on purpose: deeper
 * derivational stripping (Porter steps 2–5) merges words a phone bot must keep apart and makes
 * stems no one can read in a test.
 *
 * A stem is a matching key, not a word: "delivery" → "deliver", but "price" → "pric".
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

/** "stopp" → "stop", "shipp" → "ship"; "call", "dress" and "buzz" keep theirs, as Porter does. */
function undouble(word: string): string {
  const n = word.length;
  if (n >= 3 && word[n - 1] === word[n - 2] && !isVowelAt(word, n - 1) && !"lsz".includes(word[n - 1]!)) {
    return word.slice(0, -1);
  }
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
  else if (/(x|z|ch|sh)es$/.test(w)) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith("s") && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);

  // Past tense and gerund.
  if (w.endsWith("eed")) {
    if (hasVowel(w.slice(0, -3))) w = w.slice(0, -1); // "agreed" → "agree"; "need", "speed" stay
  } else if (w.endsWith("ied") && w.length > 4) {
    w = `${w.slice(0, -3)}y`;
  } else if (w.endsWith("ed") && w.length > 3 && hasVowel(w.slice(0, -2))) {
    w = undouble(w.slice(0, -2));
  } else if (w.endsWith("ing") && w.length > 4 && hasVowel(w.slice(0, -3))) {
    w = undouble(w.slice(0, -3));
  }

  // A few derivations callers swap freely ("pay"/"payment", "week"/"weekly").
  if (w.endsWith("ment") && w.length >= 7 && hasVowel(w.slice(0, -4))) w = w.slice(0, -4);
  else if (w.endsWith("ly") && w.length >= 6) w = w.slice(0, -2);

  // "delivery" → "deliver"; short words ("city", "party", "carry") keep their y.
  if (w.length >= 6 && w.endsWith("y") && !VOWELS.includes(w[w.length - 2]!)) w = w.slice(0, -1);

  // Silent e, so "close", "closed" and "closing" meet; "free" and "fee" keep theirs.
  if (w.length >= 3 && w.endsWith("e") && !w.endsWith("ee")) w = w.slice(0, -1);

  return w;
}
