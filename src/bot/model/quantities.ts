/**
 * The numbers a sentence names, whichever way it writes them, so a model's answer can be compared
 * with the facts it was given: "twenty dollars", "$20" and "20.00" are one quantity; "6 PM",
 * "six p.m." and "18:00" are one time; "555-0100" and "555 0100" are one digit string.
 *
 * Number words are rewritten to digits first, then everything is read from the digits:
 * - `time:HH:MM` for a clock time ("6 PM", "6:30pm", "18:00", "noon", "midnight"); a time also
 *   yields its hour as a number (`num:6`, `num:18`) so "we close at 10" matches "10 PM";
 * - `digits:…` for a digit string of 7 or more digits (phone numbers, codes), separators dropped;
 * - `num:N` for every other number, commas and currency signs dropped, `20.00` read as `20`.
 *
 * A lone "one" is not read as a number ("one of our staff", "one moment") unless a unit follows it
 * ("one dollar", "one hour"): counting it would reject ordinary speech.
 */

const UNITS: Readonly<Record<string, number>> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17,
  eighteen: 18, nineteen: 19,
};
const TENS: Readonly<Record<string, number>> = {
  twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90,
};
const SCALES: Readonly<Record<string, number>> = { hundred: 100, thousand: 1_000, million: 1_000_000 };

/** Words after a lone "one" that make it a quantity. */
const UNIT_WORDS = /^(dollars?|bucks?|cents?|euros?|pounds?|hours?|minutes?|days?|weeks?|months?|years?|miles?|inch(es)?|percent|pm|am|o'clock|person|people)\b/;

/** The value of consecutive number words ("twenty five", "one hundred five"). */
function wordsValue(words: readonly string[]): number {
  let total = 0;
  let current = 0;
  for (const word of words) {
    if (word in UNITS) current += UNITS[word]!;
    else if (word in TENS) current += TENS[word]!;
    else if (word === "hundred") current = (current || 1) * 100;
    else if (word in SCALES) {
      total += (current || 1) * SCALES[word]!;
      current = 0;
    }
  }
  return total + current;
}

const NUMBER_WORD = [...Object.keys(UNITS), ...Object.keys(TENS), ...Object.keys(SCALES)].sort((a, b) => b.length - a.length).join("|");
/**
 * A run of number words: "twenty-five", "a hundred and five", "two thousand three hundred". "and"
 * joins only after a scale word, so "between three and four" stays two numbers.
 */
const SPOKEN_NUMBER = new RegExp(
  `\\b(?:a\\s+(?=hundred|thousand|million))?(?:${NUMBER_WORD})(?:(?:(?<=hundred|thousand|million)\\s+and\\s+|\\s+|-)(?:${NUMBER_WORD}))*\\b`,
  "g",
);

/**
 * Rewrites spoken numbers as digits, leaving everything else as it was (lower-cased).
 *
 * @example
 * ```ts
 * numberWordsToDigits("Twenty-five dollars, a hundred and five") // "25 dollars, 105"
 * numberWordsToDigits("one of our staff")                        // "one of our staff"
 * ```
 */
export function numberWordsToDigits(text: string): string {
  return text.toLowerCase().replace(SPOKEN_NUMBER, (run: string, offset: number, whole: string) => {
    if (run === "one" && !UNIT_WORDS.test(whole.slice(offset + run.length).trimStart())) return run;
    const words = run.split(/\s+|-/).filter((word) => word !== "a" && word !== "and");
    return String(wordsValue(words));
  });
}

const TIME_12H = /\b(\d{1,2})(?::([0-5]\d))?\s*([ap])\.?\s?m\b\.?/g;
const TIME_24H = /\b([01]?\d|2[0-4]):([0-5]\d)\b/g;
const DIGIT_STRING = /\+?\d[\d\s().-]{5,}\d/g;
const NUMBER = /\d+(?:,\d{3})*(?:\.\d+)?/g;

/**
 * The quantities `text` names, as comparable strings (see the module comment).
 *
 * @example
 * ```ts
 * quantities("Delivery is twenty dollars after 6 PM.") // Set { "num:20", "time:18:00", "num:6", "num:18" }
 * quantities("Call 555-0100 ext. 12")                   // Set { "digits:5550100", "num:12" }
 * ```
 */
export function quantities(text: string): Set<string> {
  let rest = numberWordsToDigits(text).replace(/\bnoon\b/g, "12:00").replace(/\bmidnight\b/g, "0:00");
  const found = new Set<string>();
  const addTime = (hour24: number, minute: number) => {
    const h = hour24 % 24;
    found.add(`time:${h < 10 ? "0" : ""}${h}:${minute < 10 ? "0" : ""}${minute}`);
    found.add(`num:${h}`);
    found.add(`num:${h % 12 === 0 ? 12 : h % 12}`);
  };
  rest = rest.replace(TIME_12H, (_, hour: string, minute: string | undefined, half: string) => {
    const h = Number(hour) % 12;
    addTime(half === "p" ? h + 12 : h, Number(minute ?? 0));
    return " ";
  });
  rest = rest.replace(TIME_24H, (_, hour: string, minute: string) => {
    addTime(Number(hour), Number(minute));
    return " ";
  });
  rest = rest.replace(DIGIT_STRING, (match) => {
    const digits = match.replace(/\D/g, "");
    if (digits.length < 7) return match;
    found.add(`digits:${digits}`);
    return " ";
  });
  for (const match of rest.matchAll(NUMBER)) {
    const value = Number(match[0].replace(/,/g, ""));
    if (Number.isFinite(value)) found.add(`num:${value}`);
  }
  return found;
}
