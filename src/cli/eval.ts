/**
 * `bun run eval [--businesses FILE] [--utterances FILE] [--url URL] [--json] [--min-answers 0.9 …]`
 *
 * Measures how well the bot understands callers: plays every utterance of the utterance file as
 * its own call through the real webhook pipeline (in process, or against a running server with
 * `--url`) and prints right answers, wrong answers, declined out-of-scope questions, intents, the
 * server's turn times and every miss. With pass marks it exits 1 when one is missed.
 */
import { parseCommandLine, UsageError } from "./args.ts";
import { loadFileDirectory } from "../bot/directory/index.ts";
import { evaluate, readUtteranceFile } from "./eval/evaluate.ts";
import { explainMisses } from "./eval/explain.ts";
import { FRAMINGS, formatFramings, framedSets, framingsReport, type FramingsReport } from "./eval/framings.ts";
import { formatReport, type EvalReport } from "./eval/report.ts";
import { failedThresholds, parseRatio, type Thresholds } from "./eval/thresholds.ts";

const USAGE = `Usage: bun run eval [options]

Plays caller utterances through the bot and prints how many it understood.

Options:
  --businesses FILE     business file the bot serves (default tests/fixtures/conversations/businesses.json)
  --utterances FILE     what callers say and what should happen (default tests/fixtures/conversations/utterances.json)
  --url URL             play against a running server instead of in process
  --public-url URL      the URL that server signs against (default $PUBLIC_BASE_URL, else --url)
  --token TOKEN         auth token to sign with against --url (default $TWILIO_AUTH_TOKEN; unsigned without)
  --now ISO-TIME        in process: the bot's clock (default: the real time)
  --json                print the report as JSON
  --explain             under each missed question: the nearest FAQs and the caller's words no FAQ writes
  --framings            play the questions again wrapped in phone-call talk ("good morning …", "… by any chance")
  --min-answers SHARE   fail below this share of right answers overall (0.9, 90% or 27/30)
  --min-business SHARE  fail when any business is below this share of right answers
  --min-unknown SHARE   fail below this share of out-of-scope questions declined (e.g. 23/24)
  --min-intents SHARE   fail below this share of person / goodbye / hours handled right
  --max-wrong SHARE     fail above this share of in-scope questions given another FAQ's answer
  -h, --help            this text

Exit codes: 0 passed, 1 a pass mark was missed (or the server failed), 2 bad usage or input files.`;

const FLAGS = {
  businesses: "string",
  utterances: "string",
  url: "string",
  "public-url": "string",
  token: "string",
  now: "string",
  json: "boolean",
  explain: "boolean",
  framings: "boolean",
  "min-answers": "string",
  "min-business": "string",
  "min-unknown": "string",
  "min-intents": "string",
  "max-wrong": "string",
  help: "boolean",
} as const;

type Flags = Record<string, string | boolean | undefined>;

const DEFAULT_BUSINESSES = "tests/fixtures/conversations/businesses.json";

function thresholdsOf(flags: Flags): Thresholds {
  const ratio = (name: string) => (typeof flags[name] === "string" ? parseRatio(flags[name], name) : undefined);
  const thresholds: Thresholds = {};
  const set = <K extends keyof Thresholds>(key: K, value: number | undefined) => {
    if (value !== undefined) thresholds[key] = value;
  };
  set("minAnswers", ratio("min-answers"));
  set("minBusiness", ratio("min-business"));
  set("minUnknown", ratio("min-unknown"));
  set("minIntents", ratio("min-intents"));
  set("maxWrong", ratio("max-wrong"));
  return thresholds;
}

function clockOf(raw: string | boolean | undefined): (() => Date) | undefined {
  if (typeof raw !== "string") return undefined;
  const at = new Date(raw);
  if (Number.isNaN(at.getTime())) throw new UsageError(`--now must be an ISO time like 2026-12-01T12:00:00Z (got ${JSON.stringify(raw)})`);
  return () => at;
}

/** Runs the tool; resolves to the exit code. */
export async function main(argv: readonly string[], print: (line: string) => void = console.log, printError: (line: string) => void = console.error): Promise<number> {
  let flags: Flags;
  let thresholds: Thresholds;
  let now: (() => Date) | undefined;
  try {
    flags = parseCommandLine(argv, FLAGS).flags;
    thresholds = thresholdsOf(flags);
    now = clockOf(flags.now);
    if (now !== undefined && flags.url !== undefined) throw new UsageError("--now sets the clock of the in-process bot; a running server keeps its own");
  } catch (error) {
    printError(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (flags.help) {
    print(USAGE);
    return 0;
  }
  const url = flags.url as string | undefined;
  const str = (name: string) => (typeof flags[name] === "string" ? (flags[name] as string) : undefined);

  let evaluation;
  let framings: FramingsReport | undefined;
  try {
    const target = {
      businessesFile: str("businesses") ?? DEFAULT_BUSINESSES,
      ...(url !== undefined
        ? { url, publicUrl: str("public-url") ?? process.env.PUBLIC_BASE_URL ?? url, token: str("token") ?? process.env.TWILIO_AUTH_TOKEN }
        : {}),
      ...(now ? { now } : {}),
    };
    const sets = await readUtteranceFile(str("utterances") ?? "tests/fixtures/conversations/utterances.json");
    evaluation = await evaluate({ ...target, utterances: sets });
    if (flags.framings) {
      const framed: Array<readonly [string, EvalReport]> = [];
      for (const framing of FRAMINGS) framed.push([framing, (await evaluate({ ...target, utterances: framedSets(sets, framing) })).report]);
      framings = framingsReport(evaluation.report, framed);
    }
  } catch (error) {
    const message = (error as Error).message;
    if (url !== undefined && /ECONNREFUSED|Unable to connect|fetch failed/i.test(message)) {
      printError(`No server answers at ${url}: start one with \`bun run server\`.`);
      return 1;
    }
    printError(message);
    // A server that failed a webhook is a finding (1); a file that could not be used is the caller's to fix (2).
    return /answered HTTP/.test(message) ? 1 : 2;
  }

  const failures = failedThresholds(evaluation.report, thresholds);
  const businessesFile = str("businesses") ?? DEFAULT_BUSINESSES;
  const report = flags.explain ? await explainMisses(evaluation.report, await loadFileDirectory(businessesFile)) : evaluation.report;
  if (flags.json) print(JSON.stringify({ ...report, ...(framings ? { framings } : {}), thresholds, failures }, null, 2));
  else {
    for (const line of formatReport(report)) print(line);
    if (framings) for (const line of formatFramings(framings)) print(line);
    if (Object.keys(thresholds).length > 0) print(failures.length === 0 ? "\nPASS all pass marks" : `\n${failures.join("\n")}`);
  }
  return failures.length === 0 ? 0 : 1;
}

if (import.meta.main) process.exit(await main(process.argv.slice(2)));
