/**
 * One eval run from files to report: reads the businesses and utterance files, plays the
 * utterances in process (the real app) or against a running server, and tallies the results.
 */
import { readFile } from "node:fs/promises";
import { prepareBusinesses } from "../../bot/prepare.ts";
import { loadFileDirectory } from "../../bot/directory/index.ts";
import { inProcessBot } from "./in-process.ts";
import { summarize, type EvalReport } from "./report.ts";
import { playUtterances, type TurnResult } from "./run.ts";
import { parseUtterances, UtteranceFileError, type UtteranceSet } from "./utterances.ts";
import { webhookClient } from "./webhooks.ts";

export interface EvaluateOptions {
  /** The business file the bot serves (and whose FAQ answers tell a wrong answer from a fallback). */
  readonly businessesFile: string;
  /** The utterance file, or sets already read. */
  readonly utterances: string | readonly UtteranceSet[];
  /** A running server to play against; in process when absent. */
  readonly url?: string;
  /** The URL that server signs against (its PUBLIC_BASE_URL); default `url`. */
  readonly publicUrl?: string;
  /** The server's auth token; unsigned requests without one. */
  readonly token?: string;
  /** In process only: the bot's clock (hours answers depend on it). */
  readonly now?: () => Date;
}

export interface Evaluation {
  readonly report: EvalReport;
  readonly results: TurnResult[];
}

/**
 * Reads an utterance file.
 *
 * @example
 * ```ts
 * const sets = await readUtteranceFile("tests/fixtures/conversations/utterances.json");
 * ```
 * @throws UtteranceFileError for a missing file, broken JSON or bad fields.
 */
export async function readUtteranceFile(path: string): Promise<UtteranceSet[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new UtteranceFileError(`Cannot read utterance file ${path}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UtteranceFileError(`Utterance file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  return parseUtterances(json, path);
}

/**
 * Plays the utterances and returns the report with every turn's result.
 *
 * @example
 * ```ts
 * const { report } = await evaluate({ businessesFile: "mine.json", utterances: "my-calls.json" });
 * report.overall.answers // { right: 47, total: 50 }
 * ```
 */
export async function evaluate(options: EvaluateOptions): Promise<Evaluation> {
  const directory = await loadFileDirectory(options.businessesFile);
  const sets = typeof options.utterances === "string" ? await readUtteranceFile(options.utterances) : options.utterances;
  if (options.url !== undefined) {
    const client = webhookClient({ send: (request) => fetch(request), targetUrl: options.url, publicUrl: options.publicUrl, token: options.token });
    const results = await playUtterances(sets, directory, client);
    return { results, report: summarize(results, `against ${options.url}${options.token ? " (signed)" : " (unsigned)"}`) };
  }
  // As the server does right after it starts listening: the first caller does not pay for start-up.
  await prepareBusinesses(directory);
  const bot = inProcessBot(directory, options.now ? { now: options.now } : {});
  try {
    const results = await playUtterances(sets, directory, bot.client);
    return { results, report: summarize(results, "in process, signed webhooks") };
  } finally {
    await bot.close();
  }
}
