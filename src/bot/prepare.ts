/**
 * What a caller's first question would otherwise pay, paid as the server starts listening: loading the
 * English lexicon and building each business's knowledge index (about 13 ms for the first
 * business here), a first query of each (compiling the ranking and reading the lexicon's tables),
 * compiling the intents' expressions and reading the words a goodbye is made of (about 15 ms),
 * and the time zones' clocks the hours answers read (together another 10–17 ms on the first
 * hours question). All of it is synchronous work, about 100 ms here over the sample businesses,
 * so it is cut into steps with a turn of the event loop before each: a request that arrives
 * meanwhile (a health check, an early call) waits for one step, not for the whole preparation.
 */
import type { BusinessDirectory } from "./directory/index.ts";
import { knowledgeIndexOf } from "./business-index.ts";
import { localMoment } from "./hours.ts";
import { detectIntent } from "./intents.ts";
import { queryKnowledge } from "./knowledge/index.ts";
import { isStaffMatter } from "./staff-matters.ts";

/** One utterance per intent family: the first use of each family's expressions compiles them. */
const INTENT_SAMPLES = ["what time do you close on sunday", "can i talk to a person", "thats all thanks bye", "say that again"];
/**
 * Asked once of every index: a told situation, a modifier, a word the lexicon relates, a split
 * word and a name, so that the ranking's code is compiled and its tables read before a caller asks.
 */
const KNOWLEDGE_SAMPLE = "yeah so my sister is visiting next week um is there usually a spot for the car or a wi fi password delgado";

/** A turn of the event loop: timers, I/O and the requests waiting on them run before what follows. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Builds the knowledge index and starts the clock of every business the directory lists; resolves
 * with how many it prepared. A directory that cannot list them only means the first question pays.
 * `between` runs before the first step and before each business (default: a turn of the event loop).
 *
 * @example
 * ```ts
 * void prepareBusinesses(directory); // right after serve(): /health answers before it is done
 * ```
 */
export async function prepareBusinesses(directory: BusinessDirectory, now: Date = new Date(), between: () => Promise<void> = nextTurn): Promise<number> {
  await between();
  for (const sample of INTENT_SAMPLES) detectIntent(sample);
  isStaffMatter(KNOWLEDGE_SAMPLE);
  const businesses = await directory.all();
  for (const business of businesses) {
    await between();
    const index = knowledgeIndexOf(business);
    queryKnowledge(index, KNOWLEDGE_SAMPLE);
    for (const faq of business.faqs.slice(0, 3)) queryKnowledge(index, faq.question);
    localMoment(business.timezone, now);
  }
  return businesses.length;
}
