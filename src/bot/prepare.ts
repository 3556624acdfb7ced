/**
 * What a caller's first question would otherwise pay, paid as the server starts listening: loading the
 * English lexicon and building each business's knowledge index (about 13 ms for the first
 * business here), compiling the intents' expressions and reading the words a goodbye is made of
 * (about 15 ms), and the time zones' clocks the hours answers read (together another 10–17 ms on
 * the first hours question).
 */
import type { BusinessDirectory } from "./directory/index.ts";
import { knowledgeIndexOf } from "./business-index.ts";
import { localMoment } from "./hours.ts";
import { detectIntent } from "./intents.ts";

/** One utterance per intent family: the first use of each family's expressions compiles them. */
const INTENT_SAMPLES = ["what time do you close on sunday", "can i talk to a person", "thats all thanks bye", "say that again"];

/**
 * Builds the knowledge index and starts the clock of every business the directory lists; resolves
 * with how many it prepared. A directory that cannot list them only means the first question pays.
 *
 * @example
 * ```ts
 * void prepareBusinesses(directory); // right after serve()
 * ```
 */
export async function prepareBusinesses(directory: BusinessDirectory, now: Date = new Date()): Promise<number> {
  for (const sample of INTENT_SAMPLES) detectIntent(sample);
  const businesses = await directory.all();
  for (const business of businesses) {
    knowledgeIndexOf(business);
    localMoment(business.timezone, now);
  }
  return businesses.length;
}
