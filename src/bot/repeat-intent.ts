/**
 * "Say that again": what callers say when they missed the bot's last sentence (intents.ts asks).
 */
import { anyOf } from "./phrase-words.ts";

const REPEAT_PATTERNS: readonly RegExp[] = [
  /\brepeat\b(?! (customer|customers|order|orders|business|visit|visits|prescription))/,
  /\bsay (that|it|this) again\b/,
  /\bwhat did you (just )?say\b/,
  /\bwhat (was|is) that( again)?$/,
  /\bcome again\b/,
  /\bone more time\b/,
  /\b(did not|could not|can not) (quite )?(catch|hear|get|understand) (that|you|it|what you said)\b/,
  /\bpardon\b/,
  /^(sorry|excuse me|what|huh|eh|hm+)( what| me)?$/,
  /\bsay again\b/,
  /\b(missed|did not (quite )?(hear|catch|get)) (that|it|what you said|the last bit|you)\b/,
  /\b(once more|run that by me again|go over that again|(say|repeat) (that|it) one more time)\b/,
];

const ANY_REPEAT = anyOf(REPEAT_PATTERNS);

/**
 * Every repeat pattern above needs one of these words (or, alone, a word starting "hm": "hm",
 * "hmm"…), so an utterance with none of them need not be matched. A new pattern must keep this true.
 */
export const REPEAT_WORDS: ReadonlySet<string> = new Set("repeat say what come one not pardon sorry excuse huh eh missed once run go".split(" "));

/**
 * Whether normalised text asks the bot to say its last sentence again.
 *
 * @example
 * ```ts
 * wantsRepeat("sorry what was that") // true
 * wantsRepeat("do you repeat orders") // false
 * ```
 */
export function wantsRepeat(text: string): boolean {
  return ANY_REPEAT.test(text);
}
