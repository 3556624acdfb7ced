/**
 * Answers from a language model behind the cache, under load: two app instances on one
 * redis-server, turns over many businesses with questions drawn Zipf-like from a pool mostly
 * outside the FAQs (with paraphrase pairs), and the model stand-in (tests/support/model-standin.ts,
 * a test double: no language model runs on these machines) paced like a hosted model. Prints model
 * calls against distinct questions, answers by source, server time per turn with the answer cache
 * and with it switched off, tokens spent, and failed turns while the model answers 500 or stalls.
 * Not part of `bun test`; figures are measured in the same run, never asserted.
 *
 * @example
 * ```sh
 * bun run bench -- --only answers
 * bun bench/answers.ts --turns 400 --businesses 5   # a quick look
 * ```
 */
import { parseArgs } from "node:util";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import type { Hono } from "hono";
import { createApp } from "../src/app.ts";
import { parseBusinessFile, type Business } from "../src/bot/business.ts";
import { staticDirectory } from "../src/bot/directory/index.ts";
import type { BotNamespace } from "../src/bot/lookups.ts";
import { botNamespaces } from "../src/bot/namespaces.ts";
import { createCache, type Cache, type NamespaceOptions } from "../src/cache/index.ts";
import { redisL2 } from "../src/cache/redis.ts";
import { loadConfig } from "../src/config.ts";
import { createLog } from "../src/log.ts";
import { prng } from "../tests/support/prng.ts";
import { startModelStandin, stopAllServers, type ModelStandinProcess, standinModelEnv } from "../tests/support/servers.ts";
import { callFields, signedFormRequest } from "../tests/support/twilio-peer.ts";
import { benchRedisServer, stopServers } from "./lib/servers.ts";
import { concurrently } from "./lib/measure.ts";
import { machineLine, markdownTable } from "./lib/report.ts";

const { values: args } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    turns: { type: "string", default: "2000" },
    businesses: { type: "string", default: "20" },
    concurrency: { type: "string", default: "32" },
    "off-turns": { type: "string", default: "400" },
    "first-chunk-ms": { type: "string", default: "400" },
    "tokens-per-second": { type: "string", default: "30" },
  },
});
const TURNS = Number(args.turns);
const BUSINESSES = Number(args.businesses);
const CONCURRENCY = Number(args.concurrency);
const OFF_TURNS = Number(args["off-turns"]);
const TOKEN = "bench-answers-token-0123456789";
const BASE = "https://bot.example.com";
const REPLY = "Yes, we can help you with that when you visit.";

/** Services no FAQ of the template business mentions: the long tail a model answers. */
const SERVICES = [
  "perms", "highlights", "balayage", "braids", "dreadlocks", "hair extensions", "keratin treatments", "scalp massages",
  "eyebrow threading", "lash lifts", "bridal hair", "wedding updos", "hair tattoos", "beard sculpting", "hot towel shaves",
  "kids parties", "gift cards", "hair donations", "wig fittings", "color corrections", "toner glossing", "root touch ups",
  "bleach baths", "curly cuts", "silk presses", "relaxers", "hair botox", "olaplex treatments", "bridal makeup", "gel nails",
  "pedicures", "leg waxing", "spray tans", "facials", "grey blending", "skin fades", "razor cuts", "undercuts",
  "head shaves", "hair tinsel", "scalp treatments", "hair gloss", "fringe trims", "blow dries", "deep conditioning",
];

/** Questions the template business's FAQs answer. */
const FAQ_QUESTIONS = ["Do you have parking?", "How much is a men's haircut?"] as const;

/** The pool: a question per service, and for every third a paraphrase with the same words in another order. */
function questionPool(): Array<{ text: string; base: string }> {
  const pool: Array<{ text: string; base: string }> = [];
  SERVICES.forEach((service, i) => {
    const base = `Do you do ${service}?`;
    pool.push({ text: base, base });
    if (i % 3 === 0) pool.push({ text: `${service}, do you do that?`, base });
  });
  // A few FAQ questions: retrieval answers them, the model never sees them.
  for (const text of FAQ_QUESTIONS) pool.push({ text, base: text });
  return pool;
}

/** Zipf(s) over n ranks from a seeded generator. */
function zipf(n: number, s: number, random: () => number): () => number {
  const weights = Array.from({ length: n }, (_, k) => 1 / (k + 1) ** s);
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  let sum = 0;
  for (const w of weights) cumulative.push((sum += w / total));
  return () => {
    const r = random();
    const at = cumulative.findIndex((c) => c >= r);
    return at === -1 ? n - 1 : at;
  };
}

async function businesses(): Promise<Business[]> {
  const template = (await Bun.file("tests/fixtures/businesses/salon.json").json()).businesses[0];
  const list = Array.from({ length: BUSINESSES }, (_, i) => ({
    ...template,
    id: `salon-${i}`,
    name: `Salon ${i}`,
    phoneNumbers: [`+1555070${String(i).padStart(4, "0")}`],
  }));
  return parseBusinessFile({ businesses: list }, "bench businesses");
}

class Reader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

/** Sums of a counter's or histogram's data points, by the value of one attribute. */
async function sums(reader: Reader, name: string, attribute: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const { resourceMetrics } = await reader.collect();
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== name) continue;
      for (const point of metric.dataPoints as Array<{ attributes: Record<string, unknown>; value: unknown }>) {
        const key = String(point.attributes[attribute] ?? "");
        const value = typeof point.value === "number" ? point.value : (point.value as { sum?: number }).sum ?? 0;
        out[key] = (out[key] ?? 0) + value;
      }
    }
  }
  return out;
}

interface Phase {
  readonly label: string;
  readonly turnMs: number[];
  /** Turns whose question had been answered before they began: what a cached answer costs. */
  readonly repeatMs: number[];
  failed: number;
  fillers: number;
  /** One turn at a time after the run: a cached model answer, and an FAQ answer (retrieval) as the baseline. */
  readonly sequentialCachedMs: number[];
  readonly sequentialFaqMs: number[];
  readonly reader: Reader;
  readonly distinct: Set<string>;
  readonly distinctBase: Set<string>;
  /** Chat requests the stand-in saw for a (business, question) it had already been asked. */
  duplicateCalls: number;
}

async function runPhase(
  label: string,
  env: Record<string, string>,
  turns: number,
  options: { answers?: NamespaceOptions; during?: (standin: ModelStandinProcess) => Promise<void>; pacePerSecond?: number; sequential?: number },
): Promise<Phase> {
  await standin.reset();
  await standin.control({ firstChunkDelayMs: Number(args["first-chunk-ms"]), tokensPerSecond: Number(args["tokens-per-second"]), reply: { text: REPLY, count: 1_000_000 } });
  const reader = new Reader();
  const meter = new MeterProvider({ readers: [reader] }).getMeter("bench");
  const prefix = `benchanswers${Date.now()}${label.length}`;
  const config = loadConfig({
    TWILIO_AUTH_TOKEN: TOKEN,
    PUBLIC_BASE_URL: BASE,
    CACHE_PREFIX: prefix,
    ...standinModelEnv(standin),
    CACHE_KEY_SECRET: "bench-answers-secret-0123456789abcdef",
    LLM_MAX_CALLS_PER_MINUTE: "100000",
    ...env,
  });
  const apps: Hono[] = [];
  const caches: Array<Cache<BotNamespace>> = [];
  for (let i = 0; i < 2; i++) {
    const l2 = redisL2({ url: redisUrl });
    const namespaces = { ...botNamespaces({ sessionTtlMs: 600_000, hasL2: true, modelHardTimeoutMs: config.LLM_HARD_TIMEOUT_MS }), ...(options.answers ? { answers: options.answers } : {}) };
    const cache = createCache<BotNamespace>({ prefix, l2, namespaces });
    caches.push(cache);
    apps.push(createApp({ config, cache, l2, directory: staticDirectory(list), log: createLog("error"), version: "bench", meter }));
  }
  const random = prng(11);
  const pick = zipf(pool.length, 1.1, random);
  const phase: Phase = { label, turnMs: [], repeatMs: [], failed: 0, fillers: 0, sequentialCachedMs: [], sequentialFaqMs: [], reader, distinct: new Set(), distinctBase: new Set(), duplicateCalls: 0 };
  const answered = new Set<string>();
  const started = performance.now();
  const during = options.during?.(standin);
  await concurrently(turns, CONCURRENCY, async (i) => {
    if (options.pacePerSecond) {
      const due = started + (i * 1000) / options.pacePerSecond;
      if (due > performance.now()) await Bun.sleep(due - performance.now());
    }
    const business = list[Math.floor(random() * list.length)]!;
    const question = pool[pick()]!;
    const pair = `${business.id}|${question.text}`;
    phase.distinct.add(pair);
    phase.distinctBase.add(`${business.id}|${question.base}`);
    const ms = await turn(apps[i % 2]!, `CAbench${i}`, business, question.text, phase);
    phase.turnMs.push(ms);
    if (answered.has(pair)) phase.repeatMs.push(ms);
    answered.add(pair);
  });
  await during;
  const asked = (await standin.requests()).log.filter((r) => r.path === "/v1/chat/completions");
  phase.duplicateCalls = asked.length - new Set(asked.map((r) => `${r.system?.split("\n")[0]}|${r.question}`)).size;
  if (options.sequential) {
    // Interleaved, one at a time: nothing else shares the event loop with the turn being timed.
    const cachedPairs = [...answered].filter((pair) => !FAQ_QUESTIONS.some((q) => pair.endsWith(`|${q}`)));
    for (let i = 0; i < options.sequential; i++) {
      const [id, text] = cachedPairs[i % cachedPairs.length]!.split("|") as [string, string];
      const business = list.find((b) => b.id === id)!;
      phase.sequentialCachedMs.push(await turn(apps[i % 2]!, `CAseq${i}`, business, text, phase));
      phase.sequentialFaqMs.push(await turn(apps[i % 2]!, `CAfaq${i}`, business, FAQ_QUESTIONS[i % 2]!, phase));
    }
  }
  await during;
  for (const cache of caches) await cache.close();
  return phase;
}

/** One call's gather turn; returns the webhook's server time. Failed turns (no 200, no sentence) and fillers are counted. */
async function turn(app: Hono, callSid: string, business: Business, speech: string, phase: Phase): Promise<number> {
  const to = business.phoneNumbers[0]!;
  await app.request(signedFormRequest(`${BASE}/twilio/voice`, callFields(callSid, {}, { to }), TOKEN));
  const t0 = performance.now();
  const res = await app.request(signedFormRequest(`${BASE}/twilio/gather`, callFields(callSid, { SpeechResult: speech }, { to }), TOKEN));
  const body = await res.text();
  const ms = performance.now() - t0;
  if (res.status !== 200 || !body.includes("<Say")) phase.failed++;
  if (body.includes("One moment, let me check.")) phase.fillers++;
  return ms;
}

const percentile = (values: number[], p: number) => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const ms = (value: number) => (Number.isNaN(value) ? "—" : `${value.toFixed(value < 10 ? 3 : 0)} ms`);

const redis = await benchRedisServer();
const redisUrl = redis.url;
const standin = await startModelStandin();
const list = await businesses();
const pool = questionPool();

try {
  console.log(machineLine());
  console.log(`${TURNS} turns over ${BUSINESSES} businesses on two instances (one redis-server), ${pool.length} questions Zipf 1.1, concurrency ${CONCURRENCY};`);
  console.log(`model: the stand-in (a test double), first chunk ${args["first-chunk-ms"]} ms, ${args["tokens-per-second"]} tokens/s\n`);

  const exact = await runPhase("exact", {}, TURNS, { sequential: 300 });
  const semantic = await runPhase("semantic", { EMBEDDINGS_MODEL: "standin-embed" }, TURNS, {});
  const off = await runPhase("off", {}, OFF_TURNS, { answers: { ttl: 1, l2: false } });
  const chaos = await runPhase("chaos", { LLM_SOFT_TIMEOUT_MS: "1500", LLM_HARD_TIMEOUT_MS: "4000" }, 600, {
    pacePerSecond: 25,
    during: async (model) => {
      await Bun.sleep(3_000);
      await model.control({ fail: { status: 500, forMs: 10_000 } });
      await Bun.sleep(10_000);
      // The 500s end by themselves after 10 s; then every request stalls for 5 s.
      await model.control({ stall: { forMs: 5_000 } });
    },
  });

  const rows: string[][] = [];
  for (const phase of [exact, semantic, off]) {
    const chatCalls = (await phase.reader.collect()).resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .filter((m) => m.descriptor.name === "gen_ai.client.operation.duration")
      .flatMap((m) => m.dataPoints as Array<{ attributes: Record<string, unknown>; value: { count: number } }>)
      .filter((p) => p.attributes["gen_ai.operation.name"] === "chat")
      .reduce((n, p) => n + p.value.count, 0);
    const sources = await sums(phase.reader, "voxedge.bot.answers", "answer.source");
    const tokens = await sums(phase.reader, "gen_ai.client.token.usage", "gen_ai.token.type");
    rows.push([
      phase.label === "off" ? "answer cache off" : phase.label === "semantic" ? "cache + semantic layer" : "answer cache",
      String(phase.turnMs.length),
      `${chatCalls} / ${phase.distinct.size} (${phase.distinctBase.size} without paraphrases); duplicates ${phase.duplicateCalls}`,
      ["faq", "cache", "semantic", "model", "fallback"].map((s) => `${s} ${sources[s] ?? 0}`).join(", "),
      `${ms(percentile(phase.turnMs, 50))} / ${ms(percentile(phase.turnMs, 95))}`,
      ms(percentile(phase.repeatMs, 50)),
      `${tokens.input ?? 0} in, ${tokens.output ?? 0} out`,
      String(phase.failed),
    ]);
  }
  console.log(
    markdownTable(
      ["run", "turns", "model calls / distinct (business, question)", "answers by source", "server time per turn p50 / p95", "repeat-question turn p50", "tokens", "failed turns"],
      rows,
    ),
  );
  console.log(
    `\none turn at a time after the run, ${exact.sequentialCachedMs.length} each, interleaved: cached model answer p50 ${ms(percentile(exact.sequentialCachedMs, 50))}` +
      ` (p95 ${ms(percentile(exact.sequentialCachedMs, 95))}) · FAQ answer from retrieval p50 ${ms(percentile(exact.sequentialFaqMs, 50))}` +
      ` · ratio ${(percentile(exact.sequentialCachedMs, 50) / percentile(exact.sequentialFaqMs, 50)).toFixed(2)}×`,
  );
  console.log(
    `\nchaos: ${chaos.turnMs.length} turns at 25/s, the stand-in answering 500 for 10 s and then stalling for 5 s mid-run: ` +
      `failed turns ${chaos.failed}, fillers ${chaos.fillers}, p95 ${ms(percentile(chaos.turnMs, 95))}, answers by source ` +
      Object.entries(await sums(chaos.reader, "voxedge.bot.answers", "answer.source")).map(([k, v]) => `${k} ${v}`).join(", "),
  );
  console.log("(the first run's answers by source include its one-at-a-time replay)");
} finally {
  await stopAllServers();
  await stopServers();
}
