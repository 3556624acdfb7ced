/**
 * Plays an utterance set through the bot, one fresh call per utterance (greeting, then the
 * caller's words), and judges each reply. Calls run one after another so the turn times are not
 * inflated by the eval's own concurrency.
 */
import type { Business } from "../../bot/business.ts";
import type { BusinessDirectory } from "../../bot/directory/index.ts";
import { classify, hear, isConfirmingQuestion, type Verdict } from "./classify.ts";
import type { Expectation, UtteranceSet } from "./utterances.ts";
import type { WebhookClient } from "./webhooks.ts";

/** One utterance, played and judged. */
export interface TurnResult {
  readonly business: string;
  readonly number: string;
  readonly kind: Expectation;
  readonly utterance: string;
  /** The marker, the pattern's source, or what should have happened ("a transfer", "a hang-up"). */
  readonly expected: string;
  readonly said: string;
  readonly verdict: Verdict;
  /** The server's time for the turn (`Server-Timing: total`), in ms. */
  readonly serverMs: number | undefined;
  readonly knowledgeMs: number | undefined;
}

const EXPECTED: Readonly<Record<Exclude<Expectation, "answers" | "hours">, string>> = {
  unknown: "no FAQ answer",
  person: "a transfer",
  goodbye: "a hang-up",
};

/** Unmeasured turns per business: one knowledge question, one hours question. */
const WARM_UP = ["hello", "what are your hours"];

/** The utterance file names a number no business in the businesses file has. */
export class UnknownNumberError extends Error {
  override readonly name = "UnknownNumberError";
}

/**
 * Plays every utterance of `sets`; `directory` gives the business behind each number (the same
 * file the bot serves), whose FAQ answers tell a wrong answer from a fallback.
 *
 * @example
 * ```ts
 * const results = await playUtterances(sets, await loadFileDirectory("businesses.json"), bot.client);
 * results.filter((r) => r.verdict === "wrong-faq").length
 * ```
 * @throws UnknownNumberError before any call when a number has no business.
 */
export async function playUtterances(sets: readonly UtteranceSet[], directory: BusinessDirectory, client: WebhookClient): Promise<TurnResult[]> {
  const businesses: Business[] = [];
  for (const set of sets) {
    const business = await directory.byNumber(set.number);
    if (business === null) throw new UnknownNumberError(`No business in the businesses file has the number ${set.number} (named in the utterance file)`);
    businesses.push(business);
  }

  const results: TurnResult[] = [];
  for (const [i, set] of sets.entries()) {
    const business = businesses[i]!;
    // Turns before measuring, so that the first utterances of a business are not charged with
    // building its index and its time zone's clock (a server has done that after its first calls).
    const warmUp = client.call(set.number);
    await warmUp.start();
    for (const words of WARM_UP) await warmUp.say(words);
    const play = async (kind: Expectation, utterance: string, expected: string | RegExp | undefined): Promise<void> => {
      const call = client.call(set.number);
      await call.start();
      const reply = await call.say(utterance);
      const heard = hear(reply.steps);
      let verdict = classify(business, kind, expected, heard);
      // "Are you asking about X?": the caller says yes; the answer that follows is judged (a caller
      // who meant something else would say no, and hear the honest fallback: no wrong answer).
      if (kind === "answers" && verdict === "fallback" && isConfirmingQuestion(heard.said)) {
        const after = classify(business, kind, expected, hear((await call.say("yes")).steps));
        if (after === "right") verdict = "confirmed";
      }
      results.push({
        business: business.name,
        number: set.number,
        kind,
        utterance,
        expected: expected === undefined ? EXPECTED[kind as keyof typeof EXPECTED] : typeof expected === "string" ? expected : expected.source,
        said: heard.said,
        verdict,
        serverMs: reply.serverMs,
        knowledgeMs: reply.knowledgeMs,
      });
    };
    for (const [utterance, marker] of set.answers) await play("answers", utterance, marker);
    for (const utterance of set.unknown) await play("unknown", utterance, undefined);
    for (const utterance of set.person) await play("person", utterance, undefined);
    for (const utterance of set.goodbye) await play("goodbye", utterance, undefined);
    for (const [utterance, pattern] of set.hours) await play("hours", utterance, pattern);
  }
  return results;
}
