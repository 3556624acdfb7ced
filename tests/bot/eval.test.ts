/**
 * `bun run eval`: the conversation evaluation. A tiny hand-made business and utterance set whose
 * outcomes are known checks the eval's judgement (in process and against a real server process
 * over HTTP, signed); the development set checks the bot against the targets.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseBusinessFile } from "../../src/bot/business.ts";
import { replies } from "../../src/bot/replies.ts";
import { main } from "../../src/cli/eval.ts";
import { classify } from "../../src/cli/eval/classify.ts";
import { evaluate, readUtteranceFile } from "../../src/cli/eval/evaluate.ts";
import { FRAMINGS, framedSets, framingsReport } from "../../src/cli/eval/framings.ts";
import type { EvalReport } from "../../src/cli/eval/report.ts";
import { failedThresholds, parseRatio } from "../../src/cli/eval/thresholds.ts";
import { startServer, type ServerProcess } from "../support/server-process.ts";

const FIXTURE = "tests/fixtures/conversations";
/** A Wednesday afternoon in New York and Dublin; the hours questions name their day anyway. */
const NOW = new Date("2026-12-02T15:00:00Z");
const TOKEN = "eval-test-token-0123456789";
const NUMBER = "+15550100100";

const tinyBusinesses = {
  businesses: [
    {
      id: "tiny-cafe",
      name: "Tiny Cafe",
      phoneNumbers: [NUMBER],
      timezone: "America/New_York",
      transferNumber: "+15550100999",
      hours: { mon: "08:00-17:00", tue: "08:00-17:00", wed: "08:00-17:00", thu: "08:00-17:00", fri: "08:00-17:00", sat: "09:00-13:00", sun: "closed" },
      faqs: [
        { question: "Do you have parking?", answer: "You can park for free behind the cafe on Birch Lane.", keywords: ["parking", "park"] },
        { question: "Do you deliver?", answer: "We deliver within two miles for a flat $3 fee.", keywords: ["delivery", "deliver"] },
      ],
    },
  ],
};

/** Each utterance's verdict is known: what the bot does with these plain phrasings is settled behaviour. */
const tinyUtterances = {
  businesses: [
    {
      number: NUMBER,
      answers: [
        ["do you have parking", "Birch Lane"], // right
        ["do you deliver", "Birch Lane"], // the delivery answer: a wrong FAQ for this marker
        ["what is the capital of france", "Birch Lane"], // a fallback
      ],
      unknown: ["what is the capital of france" /* declined */, "do you deliver" /* answered: a false answer */],
      person: ["can i talk to a real person"],
      goodbye: ["goodbye", "do you have parking" /* answered, not ended */],
      hours: [["are you open on sunday", "[Cc]losed"]],
    },
  ],
};

let dir: string;
let businessesFile: string;
let utterancesFile: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "voxedge-eval-"));
  businessesFile = join(dir, "businesses.json");
  utterancesFile = join(dir, "utterances.json");
  await writeFile(businessesFile, JSON.stringify(tinyBusinesses));
  await writeFile(utterancesFile, JSON.stringify(tinyUtterances));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function expectTinyOutcomes(report: Awaited<ReturnType<typeof evaluate>>["report"]): void {
  const tiny = report.businesses[0]!;
  expect(report.businesses).toHaveLength(1);
  expect(tiny.name).toBe("Tiny Cafe");
  expect(tiny.answers).toEqual({ right: 1, total: 3 });
  expect(tiny.wrongFaq).toBe(1);
  expect(tiny.unknown).toEqual({ right: 1, total: 2 });
  expect(tiny.falseAnswers).toBe(1);
  expect(tiny.person).toEqual({ right: 1, total: 1 });
  expect(tiny.goodbye).toEqual({ right: 1, total: 2 });
  expect(tiny.hours).toEqual({ right: 1, total: 1 });
  expect(tiny.intents).toEqual({ right: 3, total: 4 });
  expect(report.misses.map((m) => [m.kind, m.utterance, m.verdict])).toEqual([
    ["answers", "do you deliver", "wrong-faq"],
    ["answers", "what is the capital of france", "fallback"],
    ["unknown", "do you deliver", "false-answer"],
    ["goodbye", "do you have parking", "fallback"],
  ]);
  expect(report.misses[0]!.said).toContain("$3 fee");
  // Every gather turn reported its server time through Server-Timing.
  expect(report.turnMs.p50).toBeGreaterThan(0);
  expect(report.turnMs.p99).toBeGreaterThanOrEqual(report.turnMs.p50!);
}

describe("the eval's judgement on a hand-made set", () => {
  test("in process: right, wrong FAQ, fallback, declined, false answer, transfer, goodbye and hours are told apart", async () => {
    const { report, results } = await evaluate({ businessesFile, utterances: utterancesFile, now: () => NOW });
    expect(results).toHaveLength(9);
    expectTinyOutcomes(report);
    expect(report.target).toContain("signed");
  });

  describe("against a running server over HTTP", () => {
    let server: ServerProcess;
    beforeAll(async () => {
      server = await startServer({ BUSINESSES_FILE: businessesFile, TWILIO_AUTH_TOKEN: TOKEN, LOG_LEVEL: "error" });
    });
    afterAll(async () => {
      await server?.stop();
    });

    test("signed with the server's token, the same verdicts", async () => {
      const { report } = await evaluate({ businessesFile, utterances: utterancesFile, url: server.url, token: TOKEN });
      expectTinyOutcomes(report);
    });

    test("unsigned against a server that checks signatures: a clear failure, exit code 1", async () => {
      const errors: string[] = [];
      const code = await main(["--businesses", businessesFile, "--utterances", utterancesFile, "--url", server.url, "--token", ""], () => {}, (line) => errors.push(line));
      expect(code).toBe(1);
      expect(errors.join("\n")).toContain("answered HTTP 403");
    });
  });
});

describe("a question the bot checks first", () => {
  test("'Are you asking about X?' is answered yes by the simulated caller: confirmed when the answer that follows is the expected one, never counted right", async () => {
    // Both lean on the parking FAQ without reaching the answer threshold: the bot checks.
    const unsure = "could my uncle park his truck outside tomorrow afternoon";
    const { report, results } = await evaluate({
      businessesFile,
      utterances: [{ number: NUMBER, answers: [[unsure, "Birch Lane"], [unsure, "$3 fee"]], unknown: [unsure], person: [], goodbye: [], hours: [] }],
      now: () => NOW,
    });
    expect(results.map((r) => r.verdict)).toEqual(["confirmed", "fallback", "declined"]);
    expect(results[0]!.said).toBe("Are you asking about parking?");
    expect(report.overall.confirmed).toBe(1);
    expect(report.overall.answers).toEqual({ right: 0, total: 2 });
    expect(report.overall.unknown).toEqual({ right: 1, total: 1 });
  });
});

describe("bun run eval on the command line", () => {
  test("prints a line per business, the overall line and every miss; a missed pass mark exits 1 with a clear line", async () => {
    const out: string[] = [];
    const code = await main(
      ["--businesses", businessesFile, "--utterances", utterancesFile, "--now", NOW.toISOString(), "--min-answers", "0.9", "--min-unknown", "1/2"],
      (line) => out.push(line),
      () => {},
    );
    const text = out.join("\n");
    expect(code).toBe(1);
    expect(text).toContain("Tiny Cafe: right answers 1/3 (33.3%) · wrong FAQ 1 (33.3%) · asked which FAQ 0 · right once confirmed 0 · out-of-scope declined 1/2 (false answers 1)");
    expect(text).toContain("all: right answers 1/3 (33.3%)");
    expect(text).toMatch(/understanding time per turn \(server\): p50 [\d.]+ ms · p99 [\d.]+ ms/);
    expect(text).toContain('"what is the capital of france" · expected "Birch Lane" · fallback · said "I\'m not sure about that one.');
    expect(text).toContain("FAIL right answers 33.3% (1/3) < 90.0% (--min-answers)");
    expect(text).not.toContain("--min-unknown)"); // 1/2 declined meets 1/2
  });

  test("--framings plays the questions again wrapped in phone-call talk and prints each framing against the plain questions", async () => {
    const out: string[] = [];
    const code = await main(["--businesses", businessesFile, "--utterances", utterancesFile, "--now", NOW.toISOString(), "--framings"], (line) => out.push(line));
    expect(code).toBe(0);
    const text = out.join("\n");
    expect(text).toContain("framings: the 3 questions wrapped in phone-call talk (plain: 1 right, 1 false answers)");
    for (const framing of FRAMINGS) expect(text).toContain(`  ${framing.padEnd(36)} right `);
    expect(text).toMatch(new RegExp(`all framings: \\d+ right of ${FRAMINGS.length} the plain questions get`));
  });

  test("--json prints the report for machines; marks that are met exit 0", async () => {
    const out: string[] = [];
    const code = await main(["--businesses", businessesFile, "--utterances", utterancesFile, "--now", NOW.toISOString(), "--json", "--min-intents", "0.75"], (line) => out.push(line));
    expect(code).toBe(0);
    const json = JSON.parse(out.join("\n"));
    expect(json.overall.intents).toEqual({ right: 3, total: 4 });
    expect(json.failures).toEqual([]);
    expect(json.misses).toHaveLength(4);
  });

  test("--explain puts under each missed question the nearest FAQs and the caller's words no FAQ writes", async () => {
    const out: string[] = [];
    const code = await main(["--businesses", businessesFile, "--utterances", utterancesFile, "--now", NOW.toISOString(), "--explain"], (line) => out.push(line));
    expect(code).toBe(0);
    const text = out.join("\n");
    // "capital" and "france" are words no FAQ of the cafe writes: what an owner would add, were they its topics.
    expect(text).toContain("nearest no FAQ shares a word · words no FAQ writes: capital, france");
    expect(text).toMatch(/"do you deliver" · expected "Birch Lane" · wrong-faq · [^\n]*\n {6}nearest "Do you deliver\?" \d\.\d\d · words no FAQ writes: none/);
    // An intent's miss is no knowledge question: nothing to explain.
    const goodbyeMiss = out.findIndex((line) => line.includes("· goodbye · "));
    expect(goodbyeMiss).toBeGreaterThan(0);
    expect(out[goodbyeMiss + 1] ?? "").not.toContain("nearest");
    const json: string[] = [];
    await main(["--businesses", businessesFile, "--utterances", utterancesFile, "--now", NOW.toISOString(), "--explain", "--json"], (line) => json.push(line));
    expect(JSON.parse(json.join("\n")).misses[1].explanation).toContain("capital, france");
    // Without the flag, no explanation.
    const plain: string[] = [];
    await main(["--businesses", businessesFile, "--utterances", utterancesFile, "--now", NOW.toISOString()], (line) => plain.push(line));
    expect(plain.join("\n")).not.toContain("words no FAQ writes");
  });

  test("a bad utterance file or flag exits 2 naming each problem", async () => {
    const bad = join(dir, "bad.json");
    await writeFile(bad, JSON.stringify({ businesses: [{ number: "555", answers: [["", "x"]], hours: [["open sunday", "(("]] }] }));
    const errors: string[] = [];
    expect(await main(["--businesses", businessesFile, "--utterances", bad], () => {}, (line) => errors.push(line))).toBe(2);
    const message = errors.join("\n");
    expect(message).toContain("businesses.0.number: expected an E.164 phone number");
    expect(message).toContain("businesses.0.answers.0.0");
    expect(message).toContain("businesses.0.hours.0.1: not a JavaScript regular expression");
    expect(await main(["--min-answers", "1.5"], () => {}, () => {})).toBe(2);
    const unknownNumber = join(dir, "unknown-number.json");
    await writeFile(unknownNumber, JSON.stringify({ businesses: [{ number: "+15559990000", goodbye: ["bye"] }] }));
    expect(await main(["--businesses", businessesFile, "--utterances", unknownNumber], () => {}, (line) => errors.push(line))).toBe(2);
    expect(errors.at(-1)).toContain("+15559990000");
  });

  test("the bot asking which FAQ is told apart from a fallback and from an answer", () => {
    const [tiny] = parseBusinessFile(tinyBusinesses, "tiny.json");
    const heard = (said: string) => ({ said, dialed: false, hungUp: false });
    expect(classify(tiny!, "answers", "Birch Lane", heard(replies.clarify("our parking", "whether we deliver")))).toBe("clarify");
    expect(classify(tiny!, "answers", "Birch Lane", heard(replies.notSure(tiny!)))).toBe("fallback");
    expect(classify(tiny!, "unknown", undefined, heard(replies.clarify("our parking", "whether we deliver")))).toBe("declined");
  });

  test("pass marks read as decimals, percentages or fractions", () => {
    expect(parseRatio("0.9", "x")).toBe(0.9);
    expect(parseRatio("85%", "x")).toBeCloseTo(0.85, 12);
    expect(parseRatio("23/24", "x")).toBeCloseTo(23 / 24, 12);
    expect(() => parseRatio("2/0", "x")).toThrow(/--x must be a share/);
    expect(() => parseRatio("lots", "x")).toThrow(/--x must be a share/);
  });
});

/**
 * The targets, met today (93.3% right, at least 90% per business, 23/24 declined, 36/36
 * intents, no wrong FAQ): `bun run eval --min-answers 0.9 --min-business 0.85 --min-unknown 23/24
 * --min-intents 35/36 --max-wrong 0.02` checks the same.
 */
const FLOOR = { minAnswers: 0.9, minBusiness: 0.85, minUnknown: 23 / 24, minIntents: 35 / 36, maxWrong: 0.02 };

/**
 * A floor under the second set's figures today (75% right, at least 72% per business, 20/24
 * declined, 36/36 intents, 1.0% wrong FAQ; 57% when it was written): its trades are not the
 * development set's, so what it scores says how far understanding carries (see its README).
 */
const TRADES = "tests/fixtures/conversations-trades";
const TRADES_FLOOR = { minAnswers: 0.72, minBusiness: 0.68, minUnknown: 19 / 24, minIntents: 34 / 36, maxWrong: 0.025 };

describe("the second set, other trades", () => {
  test("stays above its floor: 72% right overall, 68% per business, 19/24 declined, 34/36 intents, ≤ 2.5% wrong FAQ", async () => {
    const { report } = await evaluate({ businessesFile: `${TRADES}/businesses.json`, utterances: `${TRADES}/utterances.json`, now: () => NOW });
    expect(report.utterances).toBe(260);
    expect(failedThresholds(report, TRADES_FLOOR)).toEqual([]);
  });
});

describe("the development set", () => {
  test("wrapped in phone-call talk, its questions keep at least 98% of their right answers and no more false answers", async () => {
    const sets = await readUtteranceFile(`${FIXTURE}/utterances.json`);
    const businesses = `${FIXTURE}/businesses.json`;
    const plain = (await evaluate({ businessesFile: businesses, utterances: sets, now: () => NOW })).report;
    const framed: Array<readonly [string, EvalReport]> = [];
    for (const framing of FRAMINGS) framed.push([framing, (await evaluate({ businessesFile: businesses, utterances: framedSets(sets, framing), now: () => NOW })).report]);
    const { framings } = framingsReport(plain, framed);
    const right = framings.reduce((sum, f) => sum + f.right, 0);
    expect(right).toBeGreaterThanOrEqual(0.98 * plain.overall.answers.right * FRAMINGS.length);
    for (const f of framings) expect([f.framing, f.falseAnswers]).toEqual([f.framing, plain.overall.falseAnswers]);
  });

  test("meets the targets: 90% right overall, 85% per business, 23/24 declined, 35/36 intents, ≤ 2% wrong FAQ", async () => {
    const { report } = await evaluate({ businessesFile: `${FIXTURE}/businesses.json`, utterances: `${FIXTURE}/utterances.json`, now: () => NOW });
    expect(report.utterances).toBe(270);
    expect(failedThresholds(report, FLOOR)).toEqual([]);
  });
});
