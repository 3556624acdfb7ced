/**
 * What kind of thing an answer states, as words a caller asks for it by: an answer that gives a
 * price ("$15", "€20 a night") answers "is there a charge for …" and "how much …" even when it
 * never says "price"; a clock time ("from 3 pm") answers "what time …", a length of time ("within
 * two hours", "a 12-month guarantee") "how long …", and a time of day "in the morning" or "at
 * night". The words are posted with the answer's own (see vocabulary.ts), at its weight and as
 * words the owner did not write: they support a match the question's topic makes, as a
 * receptionist hears "is there a charge for bringing a dog" as a question about the dog policy's
 * price, and they leave an FAQ about prices its own word's distinctiveness.
 */

/** A currency amount: a symbol before the number, or the currency's name after it. */
const PRICE = /[$€£]\s?\d|\b\d+(?:[.,]\d+)?\s?(?:dollars?|euros?|pounds?|cents?|bucks|quid)\b/i;
/** A time of day: "3 pm", "10:30 am", "noon", "19:00". */
const CLOCK_TIME = /\b\d{1,2}(?::\d{2})?\s?(?:am|pm|a\.m\.|p\.m\.)(?![a-z])|\b(?:noon|midday|midnight)\b|\b\d{1,2}:\d{2}\b/i;

/** A length of time: "about 20 minutes", "a 12-month guarantee", "two hours". */
const DURATION = /\b(?:\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|thirty|forty|fifty|sixty|ninety|half an?|a few|several)[\s-](?:minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\b/i;

/** A time before noon, and one from 5 pm: what callers call the morning and the evening. */
const MORNING_TIME = /\b\d{1,2}(?::\d{2})?\s?(?:am|a\.m\.)(?![a-z])/i;
const EVENING_TIME = /\b(?:[5-9]|1[01])(?::\d{2})?\s?(?:pm|p\.m\.)(?![a-z])/i;

/**
 * The words an answer's kind adds to its own: "cost" for a price, "time" for a clock time,
 * "duration" for a length of time, "morning" for a time before noon, "evening" and "night" for
 * one from 5 pm.
 *
 * @example
 * ```ts
 * answerTypeWords("Dogs are welcome for €20 a night.") // ["cost"]
 * answerTypeWords("Check-in is from 3 pm.")            // ["time"]
 * ```
 */
export function answerTypeWords(answer: string): string[] {
  const found: string[] = [];
  if (PRICE.test(answer)) found.push("cost");
  if (CLOCK_TIME.test(answer)) found.push("time");
  if (DURATION.test(answer)) found.push("duration");
  if (MORNING_TIME.test(answer)) found.push("morning");
  if (EVENING_TIME.test(answer)) found.push("evening", "night");
  return found;
}
