/**
 * Answers from a language model through `POST /twilio/gather` of the real app: two app instances
 * share one real redis-server as L2, webhooks are signed by the official `twilio` package, and the
 * model is the stand-in process of tests/support/model-standin.ts — a TEST DOUBLE speaking the
 * OpenAI wire format (no language model can run on these machines). Its request log counts model
 * calls; its control endpoint makes it slow, failing, rate limiting or saying a given reply.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import type { Hono } from "hono";
import { createApp } from "../../src/app.ts";
import { loadFileDirectory } from "../../src/bot/directory/index.ts";
import type { BotNamespace } from "../../src/bot/lookups.ts";
import { businessTag } from "../../src/bot/cache-keys.ts";
import { PROMPT_VERSION, createAnswerKeys, factsVersion } from "../../src/bot/model/index.ts";
import { botNamespaces } from "../../src/bot/namespaces.ts";
import type { Meter } from "@opentelemetry/api";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import Redis from "ioredis";
import { replies } from "../../src/bot/replies.ts";
import { createCache, decodeEnvelope, type Cache, type L2Adapter } from "../../src/cache/index.ts";
import { redisL2 } from "../../src/cache/redis.ts";
import { hoursAnswerValidUntil } from "../../src/bot/hours.ts";
import { loadConfig } from "../../src/config.ts";
import { createLog } from "../../src/log.ts";
import { sharedRedis, startModelStandin, type ModelStandinProcess, standinModelEnv } from "../support/servers.ts";
import { callFields, signedFormRequest } from "../support/twilio-peer.ts";
import { findElement, parseXml, textOf, type XmlElement } from "../support/xml-tree.ts";

const TOKEN = "model-answers-token-0123456789";
const BASE = "https://bot.example.com";
const SALON = "+15550404040";
const FIXTURE = "tests/fixtures/businesses/salon.json";
const SECRET = "model-answers-secret-0123456789abcdef";
const DOG = "Yes, well-behaved dogs are welcome in the studio.";

let standin: ModelStandinProcess;
let redisUrl: string;
let sid = 0;
const opened: Array<Cache<BotNamespace>> = [];
let run = 0;

/** One app instance over the shared redis-server, with the model stand-in configured by `env`. */
async function instance(prefix: string, env: Record<string, string> = {}, meter?: Meter): Promise<Hono> {
  const config = loadConfig({
    TWILIO_AUTH_TOKEN: TOKEN,
    PUBLIC_BASE_URL: BASE,
    CACHE_PREFIX: prefix,
    ...standinModelEnv(standin),
    CACHE_KEY_SECRET: SECRET,
    ...env,
  });
  const l2: L2Adapter = redisL2({ url: redisUrl });
  const cache = createCache<BotNamespace>({
    prefix,
    l2,
    namespaces: botNamespaces({ sessionTtlMs: 60_000, hasL2: true, modelHardTimeoutMs: config.LLM_HARD_TIMEOUT_MS }),
  });
  opened.push(cache);
  return createApp({ config, cache, l2, directory: await loadFileDirectory(FIXTURE), log: createLog("error"), version: "test", ...(meter ? { meter } : {}) });
}

/** Two instances sharing one L2 namespace prefix: a fleet of two. */
async function fleet(env: Record<string, string> = {}): Promise<[Hono, Hono]> {
  const prefix = `model${Date.now()}x${run++}`;
  return [await instance(prefix, env), await instance(prefix, env)];
}

beforeAll(async () => {
  ({ url: redisUrl } = await sharedRedis());
  standin = await startModelStandin();
});
afterAll(async () => {
  for (const cache of opened) await cache.close();
  await standin?.stop();
});
beforeEach(async () => {
  await standin.reset();
});

async function post(app: Hono, url: string, fields: Record<string, string>): Promise<XmlElement> {
  const res = await app.request(signedFormRequest(url, fields, TOKEN));
  expect(res.status).toBe(200);
  return parseXml(await res.text());
}

/** A new call to the salon on `app`; `say` posts one gather turn there (or on `on`). */
async function newCall(app: Hono) {
  const callSid = `CAmodel${Date.now()}${sid++}`;
  await post(app, `${BASE}/twilio/voice`, callFields(callSid, {}, { to: SALON }));
  return {
    callSid,
    say: (speech: string, on: Hono = app) => post(on, `${BASE}/twilio/gather`, callFields(callSid, { SpeechResult: speech }, { to: SALON })),
    follow: (url: string, on: Hono = app) => post(on, url, callFields(callSid, {}, { to: SALON })),
  };
}

/** The answer-cache key the app uses for a salon question (same secret, model and versions). */
async function answerKeyOf(question: string): Promise<string> {
  const business = (await (await loadFileDirectory(FIXTURE)).byNumber(SALON))!;
  return createAnswerKeys(SECRET).answerKey({ businessId: business.id, factsVersion: factsVersion(business), model: "standin-chat", promptVersion: PROMPT_VERSION, question });
}

/** An answer-cache entry as the shared redis-server holds it. */
async function storedEnvelope(key: Promise<string>): Promise<{ expiresAt: number; staleUntil: number }> {
  const redis = new Redis(redisUrl);
  try {
    const wanted = `:answers:${await key}`;
    const keys = (await redis.keys("model*:answers:*")).filter((k) => k.endsWith(wanted));
    expect(keys).toHaveLength(1);
    const decoded = decodeEnvelope(await redis.get(keys[0]!) ?? "");
    if (!decoded.ok) throw new Error(`unreadable entry: ${decoded.reason}`);
    return decoded.envelope;
  } finally {
    redis.disconnect();
  }
}

const spoken = (doc: XmlElement) => textOf(findElement(doc, "Say"));
const chatCalls = async () => (await standin.requests()).chat;
const NOT_SURE = replies.notSure({ transferNumber: "+15550404999", name: "Maple Hair Studio" } as Parameters<typeof replies.notSure>[0]);

describe("a question the FAQs do not answer", () => {
  let a: Hono;
  let b: Hono;
  beforeAll(async () => {
    [a, b] = await fleet();
  });

  test("is answered from the model, grounded on the business's facts; the other instance gets it from L2 at no model call", async () => {
    await standin.control({ reply: { text: DOG, count: 5 } });
    expect(spoken(await (await newCall(a)).say("Can I bring my dog along?"))).toBe(DOG);
    expect(await chatCalls()).toBe(1);
    const sent = (await standin.requests()).log[0]!;
    expect(sent.system).toContain("Maple Hair Studio");
    expect(sent.system).toContain("There is free parking in the lot behind the studio.");

    expect(spoken(await (await newCall(b)).say("can I bring my DOG along"))).toBe(DOG);
    expect(await chatCalls()).toBe(1);
  });

  test("a business invalidation drops its cached answers on every instance", async () => {
    await standin.control({ reply: { text: "Yes, we have a quiet room for nervous clients.", count: 5 } });
    expect(spoken(await (await newCall(a)).say("Is there a quiet room?"))).toBe("Yes, we have a quiet room for nervous clients.");
    expect(spoken(await (await newCall(b)).say("Is there a quiet room?"))).toBe("Yes, we have a quiet room for nervous clients.");
    expect(await chatCalls()).toBe(1);
    await opened.at(-1)!.invalidateTags([businessTag("maple-hair")]);
    expect(spoken(await (await newCall(a)).say("Is there a quiet room?"))).toBe("Yes, we have a quiet room for nervous clients.");
    expect(await chatCalls()).toBe(2);
  });

  test("a time-sensitive answer is cached no longer than the minute it is true for", async () => {
    await standin.control({ reply: { text: "The studio is closed today.", count: 5 } });
    const key = answerKeyOf("Is the studio open on the holiday?");
    expect(spoken(await (await newCall(a)).say("Is the studio open on the holiday?"))).toBe("The studio is closed today.");
    const answered = new Date();
    const stored = await storedEnvelope(key);
    // Jitter included, it expires by the end of the minute it was asked in, and is never served stale.
    expect(stored.expiresAt).toBeLessThanOrEqual(hoursAnswerValidUntil(answered).getTime());
    expect(stored.staleUntil).toBe(stored.expiresAt);
  });

  test("a confident FAQ answer never reaches the model", async () => {
    expect(spoken(await (await newCall(a)).say("do you have parking"))).toBe("There is free parking in the lot behind the studio.");
    expect(await chatCalls()).toBe(0);
  });

  test("an unknown yields the honest fallback and the offer of a person", async () => {
    // The stand-in finds nothing in the facts and says the don't-know marker.
    expect(spoken(await (await newCall(a)).say("Do you sell concert tickets?"))).toBe(NOT_SURE);
    expect(await chatCalls()).toBe(1);
  });

  test("an invented price is not spoken", async () => {
    await standin.control({ reply: { text: "A dog grooming is 45 dollars.", count: 5 } });
    const doc = await (await newCall(a)).say("Could you groom my poodle?");
    expect(spoken(doc)).toBe(NOT_SURE);
    expect(spoken(doc)).not.toContain("45");
    expect(await chatCalls()).toBe(1);
  });

  test("50 callers on two instances asking one new question at once cost one model call", async () => {
    await standin.control({ firstChunkDelayMs: 300, reply: { text: "Yes, we sell gift cards at the front desk.", count: 50 } });
    const calls = await Promise.all(Array.from({ length: 50 }, (_, i) => newCall(i % 2 === 0 ? a : b)));
    const docs = await Promise.all(calls.map((call) => call.say("Do you sell gift cards?")));
    expect(docs.map(spoken)).toEqual(Array.from({ length: 50 }, () => "Yes, we sell gift cards at the front desk."));
    expect(await chatCalls()).toBe(1);
  });
});

describe("the semantic layer (EMBEDDINGS_MODEL)", () => {
  test("a paraphrase on the other instance reuses the answer at no model call; a different question still asks", async () => {
    const [a, b] = await fleet({ EMBEDDINGS_MODEL: "standin-embed" });
    await standin.control({ reply: { text: DOG, count: 1 } });
    expect(spoken(await (await newCall(a)).say("Can I bring my dog along?"))).toBe(DOG);
    // The stand-in's embeddings are a bag of words: the same words in another order are the same question.
    expect(spoken(await (await newCall(b)).say("Can I bring along my dog?"))).toBe(DOG);
    let seen = await standin.requests();
    expect({ chat: seen.chat, embeddings: seen.embeddings }).toEqual({ chat: 1, embeddings: 2 });

    // Sharing a few words is not enough: the model is asked (and says it does not know).
    expect(spoken(await (await newCall(b)).say("Can I bring my own hair dye along?"))).toBe(NOT_SURE);
    seen = await standin.requests();
    expect(seen.chat).toBe(2);
    // The same text again is an exact hit: no embedding, no model call.
    expect(spoken(await (await newCall(a)).say("can I bring along my dog"))).toBe(DOG);
    seen = await standin.requests();
    expect({ chat: seen.chat, embeddings: seen.embeddings }).toEqual({ chat: 2, embeddings: 3 });
  });

  test("an embeddings endpoint that fails only means the model is asked", async () => {
    const [a] = await fleet({ EMBEDDINGS_MODEL: "standin-embed" });
    await standin.control({ reply: { text: "Yes, we have a children's play corner.", count: 1 } });
    await standin.control({ fail: { status: 500, count: 1 } });
    expect(spoken(await (await newCall(a)).say("Is there a play area for kids?"))).toBe("Yes, we have a children's play corner.");
    const seen = await standin.requests();
    expect(seen.log.map((r) => [r.path, r.outcome])).toEqual([
      ["/v1/embeddings", 500],
      ["/v1/chat/completions", 200],
    ]);
  });
});

describe("a slow model", () => {
  test("past the soft timeout the caller hears a filler, and the redirect (to the other instance) picks the answer up", async () => {
    const [a, b] = await fleet({ LLM_SOFT_TIMEOUT_MS: "200", LLM_HARD_TIMEOUT_MS: "4000" });
    await standin.control({ firstChunkDelayMs: 700, reply: { text: "Yes, we do bridal hair for weddings.", count: 1 } });
    const call = await newCall(a);
    const doc = await call.say("Do you do hair for weddings?");
    expect(spoken(doc)).toBe("One moment, let me check.");
    const redirect = findElement(doc, "Redirect");
    const url = textOf(redirect);
    expect(url).toMatch(new RegExp(`^${BASE}/twilio/gather\\?s=[^&]+&pending=`));
    expect(findElement(doc, "Gather")).toBeUndefined();

    const after = await call.follow(url, b);
    expect(spoken(after)).toBe("Yes, we do bridal hair for weddings.");
    expect(findElement(after, "Gather")).toBeDefined();
    expect(await chatCalls()).toBe(1);
  });

  test("past the hard timeout the redirect ends in the honest fallback, on either instance", async () => {
    const [a, b] = await fleet({ LLM_SOFT_TIMEOUT_MS: "100", LLM_HARD_TIMEOUT_MS: "600" });
    await standin.control({ stall: { count: 1 } });
    const call = await newCall(a);
    const doc = await call.say("Do you do hair extensions?");
    expect(spoken(doc)).toBe("One moment, let me check.");
    const url = textOf(findElement(doc, "Redirect"));
    expect(spoken(await call.follow(url))).toBe(NOT_SURE);
    const log = (await standin.requests()).log;
    expect(log[0]?.clientAborted).toBe(true);
    // The failure is left in L2 for a few seconds: the other instance knows at once, without a second call.
    const key = decodeURIComponent(/pending=([^&]+)/.exec(url)![1]!);
    expect(await opened.at(-1)!.namespace("answers").get(key)).toEqual({ ok: false, reason: "failed" });
    const again = await newCall(b);
    expect(spoken(await again.say("Do you do hair extensions?"))).toBe(NOT_SURE);
    expect(await chatCalls()).toBe(1);
  });

  test("a follow-up URL with a key we never gave out is the fallback, not an error", async () => {
    const [a] = await fleet();
    const call = await newCall(a);
    expect(spoken(await call.follow(`${BASE}/twilio/gather?pending=not-a-key&since=1`))).toBe(NOT_SURE);
  });
});

describe("never let the model hurt a call", () => {
  test("a model answering 500 or 429: every turn is the fallback, and the breaker stops calling it", async () => {
    const [a] = await fleet();
    await standin.control({ fail: { status: 500, count: 3 } });
    const questions = ["Do you do perms?", "Do you do highlights?", "Do you do balayage?"];
    for (const q of questions) expect(spoken(await (await newCall(a)).say(q))).toBe(NOT_SURE);
    expect(await chatCalls()).toBe(3);
    // Open now: nothing more is sent, and the callers still hear a sentence.
    expect(spoken(await (await newCall(a)).say("Do you do eyebrows?"))).toBe(NOT_SURE);
    expect(await chatCalls()).toBe(3);

    const [c] = await fleet();
    await standin.reset();
    await standin.control({ fail: { status: 429, count: 1, retryAfterSeconds: 30 } });
    expect(spoken(await (await newCall(c)).say("Do you do nails?"))).toBe(NOT_SURE);
    expect(spoken(await (await newCall(c)).say("Do you do makeup?"))).toBe(NOT_SURE);
    expect(await chatCalls()).toBe(1);
  });

  test("the per-business budget: past LLM_MAX_CALLS_PER_MINUTE the bot falls back without a call, on either instance", async () => {
    const [a, b] = await fleet({ LLM_MAX_CALLS_PER_MINUTE: "2" });
    await standin.control({ reply: { text: "Yes, we can do that.", count: 10 } });
    expect(spoken(await (await newCall(a)).say("Do you do braids?"))).toBe("Yes, we can do that.");
    expect(spoken(await (await newCall(b)).say("Do you do dreadlocks?"))).toBe("Yes, we can do that.");
    expect(spoken(await (await newCall(a)).say("Do you do keratin treatments?"))).toBe(NOT_SURE);
    expect(spoken(await (await newCall(b)).say("Do you do scalp massages?"))).toBe(NOT_SURE);
    expect(await chatCalls()).toBe(2);
    // What was answered stays answered: the cache costs no budget.
    expect(spoken(await (await newCall(b)).say("Do you do braids?"))).toBe("Yes, we can do that.");
  });
});

describe("metrics", () => {
  class Reader extends MetricReader {
    protected override onShutdown = () => Promise.resolve();
    protected override onForceFlush = () => Promise.resolve();
  }

  test("model calls in the GenAI conventions, answers by source", async () => {
    const reader = new Reader();
    const app = await instance(`modelmetrics${Date.now()}`, {}, new MeterProvider({ readers: [reader] }).getMeter("test"));
    await standin.control({ reply: { text: "Yes, we do bridal makeup too.", count: 1 } });
    await (await newCall(app)).say("Do you do bridal makeup?");
    await (await newCall(app)).say("Do you do bridal makeup?");
    await (await newCall(app)).say("do you have parking");
    await (await newCall(app)).say("Do you sell concert tickets?");

    const metrics = (await reader.collect()).resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
    const points = (name: string) => metrics.filter((m) => m.descriptor.name === name).flatMap((m) => m.dataPoints as Array<{ attributes: Record<string, unknown>; value: unknown }>);
    const answers = Object.fromEntries(points("voxedge.bot.answers").map((p) => [p.attributes["answer.source"], p.value]));
    expect(answers).toEqual({ model: 1, cache: 1, faq: 1, fallback: 1 });
    const duration = points("gen_ai.client.operation.duration");
    expect(duration.map((p) => p.attributes)).toEqual([{ "gen_ai.operation.name": "chat", "gen_ai.request.model": "standin-chat", "gen_ai.provider.name": "openai" }]);
    expect((duration[0]!.value as { count: number }).count).toBe(2);
    expect(points("gen_ai.client.token.usage").map((p) => p.attributes["gen_ai.token.type"]).sort()).toEqual(["input", "output"]);
    expect((points("gen_ai.client.operation.time_to_first_chunk")[0]!.value as { count: number }).count).toBe(2);
    // Nothing of what the callers said reaches an attribute.
    expect(JSON.stringify(metrics.map((m) => m.dataPoints.map((p) => p.attributes)))).not.toMatch(/makeup|tickets|parking/i);
  });
});

describe("with no LLM_* set", () => {
  test("nothing reaches a model and an unknown is today's fallback", async () => {
    const prefix = `nomodel${Date.now()}`;
    const l2 = redisL2({ url: redisUrl });
    const cache = createCache<BotNamespace>({ prefix, l2, namespaces: botNamespaces({ sessionTtlMs: 60_000, hasL2: true }) });
    opened.push(cache);
    const app = createApp({
      config: loadConfig({ TWILIO_AUTH_TOKEN: TOKEN, PUBLIC_BASE_URL: BASE }),
      cache,
      l2,
      directory: await loadFileDirectory(FIXTURE),
      log: createLog("error"),
      version: "test",
    });
    expect(spoken(await (await newCall(app)).say("Can I bring my dog along?"))).toBe(NOT_SURE);
    expect(await chatCalls()).toBe(0);
  });
});
