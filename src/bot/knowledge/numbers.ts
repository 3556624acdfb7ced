/**
 * Numbers as speech recognition writes them: "twenty four" for 24, and "to" or "for" where the
 * caller said "two" or "four" ("a table for to", "at for pm"). Only in a numeric context: "for"
 * and "to" stay words everywhere else. "One" stays a word too: callers say it as a pronoun
 * ("the little one", "one on one") far more often than as a count.
 */

const UNITS: ReadonlyMap<string, number> = new Map(Object.entries({
  zero: 0, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19,
}));
// Maps, not object literals: a caller's "constructor" or "toString" is no number.
const TENS: ReadonlyMap<string, number> = new Map(Object.entries({ twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90 }));

/** Words after which "to"/"too" is a count ("for to", "party of too"). */
const COUNT_BEFORE = new Set(["for", "of"]);
/** Words after which "for" is a time ("at for", "till for") when a time word or the end follows. */
const TIME_BEFORE = new Set(["at", "till", "until", "from", "around", "about", "before", "after", "by"]);
const TIME_AFTER = new Set(["am", "pm", "oclock", "o", "thirty", "fifteen", "forty", "tonight", "tomorrow"]);

const isNumber = (word: string | undefined): boolean => word !== undefined && (/^\d+$/.test(word) || UNITS.has(word) || TENS.has(word));

/**
 * The words with spoken numbers written as digits.
 *
 * @example
 * ```ts
 * spokenNumbers(["a", "table", "for", "to", "at", "seven", "thirty"]) // ["a", "table", "for", "2", "at", "7", "30"]
 * spokenNumbers(["open", "twenty", "four", "seven"])                 // ["open", "24", "7"]
 * spokenNumbers(["how", "to", "book"])                               // unchanged
 * ```
 */
export function spokenNumbers(words: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const next = words[i + 1];
    const previous = words[i - 1];
    const tens = TENS.get(word);
    if (tens !== undefined) {
      const unit = next === undefined ? undefined : UNITS.get(next);
      if (unit !== undefined && unit > 0 && unit < 10) {
        out.push(String(tens + unit));
        i++;
      } else out.push(String(tens));
      continue;
    }
    const unit = UNITS.get(word);
    if (unit !== undefined) out.push(String(unit));
    else if ((word === "to" || word === "too") && previous !== undefined && COUNT_BEFORE.has(previous) && !isNumber(next)) out.push("2");
    else if (word === "for" && previous !== undefined && TIME_BEFORE.has(previous) && (next === undefined || TIME_AFTER.has(next))) out.push("4");
    else out.push(word);
  }
  return out;
}
