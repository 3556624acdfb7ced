/**
 * A caller's yes or no to a question of the bot ("Are you asking about X?", "Would you like me to
 * connect you?"), in the many ways callers say them ("yep thats
 * it", "aye", "absolutely", "no not that", "nah i meant something else"). A reply is yes when all
 * its words are ways of agreeing or politeness around one ("yes please", "thats the one thanks"),
 * no when they are ways of refusing; any other word makes it a new question, which the turn then
 * answers as one ("no i meant the gift cards").
 */

/** Words that agree on their own. */
const YES = new Set(["yes", "yeah", "yep", "yup", "yea", "ya", "yah", "aye", "correct", "exactly", "absolutely", "definitely", "indeed", "certainly", "sure", "right", "ok", "okay", "mhm", "bingo", "precisely", "affirmative", "please", "alright"]);
/** Agreeing in several words; each is read as one "yes". */
const YES_PHRASES: readonly string[] = ["uh huh", "mm hmm", "of course", "sure thing", "you got it", "spot on", "you bet", "that is it", "that is the one", "that is what i mean", "that is what i meant", "that is what i asked", "that is what i am asking", "that one", "go on", "go ahead", "i am", "i was", "i do", "i did", "it is", "all right", "please do", "do it", "connect me", "put me through", "that would be great", "that would be good", "that would be nice", "i would like that", "yes please"];
/** Words that refuse on their own. */
const NO = new Set(["no", "nope", "nah", "wrong", "neither", "incorrect"]);
/** Refusing in several words. */
const NO_PHRASES: readonly string[] = ["not really", "not quite", "not exactly", "not at all", "not that", "something else", "its not", "i meant something else", "i mean something else", "that is not it", "that is wrong", "it is not", "i did not", "i am not", "i was not", "not what i meant", "not what i asked", "not right", "not correct", "not it", "not now", "i am good", "i am fine", "i am ok", "i am okay", "that is ok", "that is okay", "no need"];
/** What may stand around a yes or a no: politeness, hesitation, and the caller's "i am", "it is". */
const AROUND = new Set(["please", "thanks", "thank", "you", "sir", "maam", "so", "well", "oh", "um", "uh", "er", "just", "that", "is", "it", "i", "am", "was", "do", "did", "one", "the", "great", "perfect", "lovely", "grand", "cool", "sorry", "actually", "thing"]);

function replacePhrases(text: string, phrases: readonly string[], mark: string): string {
  let out = ` ${text} `;
  for (const phrase of phrases) out = out.split(` ${phrase} `).join(` ${mark} `);
  return out.trim();
}

/**
 * "yes", "no", or undefined when the reply is something else. Expects normalised text (lower case,
 * contractions expanded: "thats" → "that is").
 *
 * @example
 * ```ts
 * yesOrNo("yep that is it thanks") // "yes"
 * yesOrNo("nah not really")         // "no"
 * yesOrNo("no i meant the parking") // undefined: a new question
 * ```
 */
export function yesOrNo(normalized: string): "yes" | "no" | undefined {
  if (normalized === "") return undefined;
  // A word that is in no list and no phrase survives both passes below and makes the reply neither:
  // most replies are new questions ("do you have parking"), told apart here without the passes.
  for (const word of normalized.split(" ")) if (word !== "" && !KNOWN_WORDS.has(word)) return undefined;
  // Longest phrases first, so that "that is what i mean" is not read as "that is" and "what i mean".
  // Refusals first: "that is ok" to an offer is a polite no, though "ok" alone agrees.
  const noWords = replacePhrases(normalized, NO_PHRASES_LONGEST_FIRST, "no").split(" ");
  if (noWords.some((word) => NO.has(word)) && noWords.every((word) => NO.has(word) || AROUND.has(word))) return "no";
  const yesWords = replacePhrases(normalized, YES_PHRASES_LONGEST_FIRST, "yes").split(" ");
  if (yesWords.some((word) => YES.has(word)) && yesWords.every((word) => YES.has(word) || AROUND.has(word))) return "yes";
  return undefined;
}

const byLength = (list: readonly string[]) => [...list].sort((a, b) => b.length - a.length);
const YES_PHRASES_LONGEST_FIRST = byLength(YES_PHRASES);
const NO_PHRASES_LONGEST_FIRST = byLength(NO_PHRASES);
/** Every word a yes or a no can be made of: the single words, the phrases' words and what may stand around them. */
const KNOWN_WORDS = new Set([...YES, ...NO, ...AROUND, ...[...YES_PHRASES, ...NO_PHRASES].flatMap((phrase) => phrase.split(" "))]);
