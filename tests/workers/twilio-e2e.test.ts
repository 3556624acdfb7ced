/**
 * The built Worker on real workerd (miniflare), end to end: webhooks signed by the official
 * `twilio` package, Upstash-compatible L2 (the test shim over a real redis-server, with fault
 * injection), businesses from an HTTP directory this test serves, and a Bun instance of the same
 * app sharing the L2 for cross-runtime invalidation.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createApp } from "../../src/app.ts";
import { httpDirectory } from "../../src/bot/directory/index.ts";
import { botNamespaces } from "../../src/bot/namespaces.ts";
import { replies } from "../../src/bot/replies.ts";
import samples from "../../src/bot/sample-businesses.json" with { type: "json" };
import { createCache, type Cache } from "../../src/cache/index.ts";
import { upstashL2 } from "../../src/cache/upstash.ts";
import type { BotNamespace } from "../../src/bot/lookups.ts";
import { loadConfig } from "../../src/config.ts";
import { WORKER_L1_TTL_MS, WORKER_TAG_TIMES_TTL_MS } from "../../src/runtime/workers-config.ts";
import { startUpstash, type UpstashShimProcess } from "../support/servers.ts";
import { callFields, signedFormRequest } from "../support/twilio-peer.ts";
import { builtWorker, startWorker, type RunningWorker } from "../support/worker.ts";
import { findElement, parseXml, textOf, type XmlElement } from "../support/xml-tree.ts";

const TOKEN = "worker-test-auth-token-0123";
const ADMIN = "worker-admin-token-0123456789";
const KEY_SECRET = "worker-test-key-secret-0123456789abcdef";
const BASE = "https://voxedge.test";
const BELLA = "+15550001111";
const PARKING = "Is there somewhere to park my car?";
const FIRST_PARKING = "free parking lot behind the building";

type Business = (typeof samples.businesses)[number];
let businesses: Business[] = structuredClone(samples.businesses);
let directoryServer: ReturnType<typeof Bun.serve>;
let upstash: UpstashShimProcess;
let worker: RunningWorker;
let bunCache: Cache<BotNamespace>;
let bunApp: ReturnType<typeof createApp>;
let sid = 0;

const prefix = `wk${Date.now()}`;

beforeAll(async () => {
  directoryServer = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(request) {
      const path = new URL(request.url).pathname;
      if (path === "/businesses") return Response.json({ businesses });
      const number = decodeURIComponent(path.replace("/businesses/by-number/", ""));
      const found = businesses.find((b) => b.phoneNumbers.includes(number));
      return found ? Response.json(found) : new Response("not found", { status: 404 });
    },
  });
  upstash = await startUpstash();
  const env = {
    TWILIO_AUTH_TOKEN: TOKEN,
    ADMIN_TOKEN: ADMIN,
    CACHE_KEY_SECRET: KEY_SECRET,
    PUBLIC_BASE_URL: BASE,
    CACHE_L2: "upstash",
    UPSTASH_REDIS_REST_URL: upstash.url,
    UPSTASH_REDIS_REST_TOKEN: upstash.token,
    CACHE_PREFIX: prefix,
    CACHE_BREAKER_OPEN_MS: "500",
    BUSINESS_API_URL: `http://127.0.0.1:${directoryServer.port}`,
  };
  worker = await startWorker({ ...env, LOG_LEVEL: "error" });
  // The same app on Bun, sharing the L2: an operator's invalidation made there must reach the Worker.
  const config = loadConfig(env);
  bunCache = createCache({
    prefix,
    l2: upstashL2({ url: upstash.url, token: upstash.token }),
    namespaces: botNamespaces({ sessionTtlMs: config.SESSION_TTL_MS, hasL2: true }),
  });
  bunApp = createApp({
    config,
    cache: bunCache,
    directory: httpDirectory({ url: config.BUSINESS_API_URL!, timeoutMs: 800 }),
    log: () => {},
    version: "test",
  });
  for (let i = 0; i < 100 && bunCache.stats().bus.state !== "up"; i++) await Bun.sleep(50);
  expect(bunCache.stats().bus.state).toBe("up");
}, 60_000);

afterAll(async () => {
  await worker?.dispose();
  await bunCache?.close();
  await upstash?.stop();
  directoryServer?.stop(true);
});

const nextSid = () => `CAworker${Date.now()}${sid++}`;

async function post(path: string, params: Record<string, string>, token = TOKEN): Promise<Response> {
  return worker.fetch(signedFormRequest(`${BASE}${path}`, params, token));
}

async function twiml(path: string, params: Record<string, string>): Promise<XmlElement> {
  const res = await post(path, params);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("xml");
  return parseXml(await res.text());
}

/** What the bot said in answer to `speech` on call `callSid`. */
async function ask(callSid: string, speech: string): Promise<string> {
  const doc = await twiml("/twilio/gather", callFields(callSid, { SpeechResult: speech, Confidence: "0.9" }, { to: BELLA }));
  const gather = findElement(doc, "Gather");
  return textOf(findElement(gather ?? doc, "Say"));
}

/**
 * A new call and its first question. A gather turn reads and writes nothing in L2 (its state rides
 * in the action URL); a call's start writes its session, so this is the request that reaches L2.
 */
async function newCallAsks(speech: string): Promise<string> {
  const callSid = nextSid();
  await twiml("/twilio/voice", callFields(callSid, {}, { to: BELLA }));
  return ask(callSid, speech);
}

function setParkingAnswer(answer: string): void {
  businesses = structuredClone(businesses);
  const bella = businesses.find((b) => b.id === "bella-pizza")!;
  bella.faqs = bella.faqs.map((faq) => (faq.question === "Do you have parking?" ? { ...faq, answer } : faq));
}

async function invalidateOn(fetcher: (request: Request) => Promise<Response> | Response, businessId: string): Promise<void> {
  const res = await fetcher(
    new Request(`${BASE}/cache/invalidate`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
      body: JSON.stringify({ businessId }),
    }),
  );
  expect(res.status).toBe(200);
}

interface WorkerCacheStats {
  namespaces: { knowledge: { loaderHits: number } };
  breaker: { state: string; transitions: { open: number } };
  writeQueue: { pending: number; replayed: number };
}

async function cacheStats(): Promise<WorkerCacheStats> {
  const res = await worker.fetch(new Request(`${BASE}/cache/stats`, { headers: { authorization: `Bearer ${ADMIN}` } }));
  expect(res.status).toBe(200);
  return (await res.json()) as WorkerCacheStats;
}

describe("the bundle", () => {
  test("is an ES module under the Workers size limit, built without a Redis TCP client", async () => {
    const { path, gzipBytes } = await builtWorker();
    const code = await Bun.file(path).text();
    expect(code).toMatch(/export\s*\{[^}]*as default/);
    expect(code).not.toContain("ioredis/built");
    expect(gzipBytes).toBeLessThan(3 * 1024 * 1024);
  });
});

describe("Twilio webhooks on workerd", () => {
  test("voice: the greeting inside a Gather that posts back to the public URL", async () => {
    const doc = await twiml("/twilio/voice", callFields(nextSid(), {}, { to: BELLA }));
    const gather = findElement(doc, "Gather");
    expect(gather?.attributes).toMatchObject({ input: "dtmf speech" });
    // The call's state rides in the action URL, signed with it (see src/twilio/call-state.ts).
    expect(gather?.attributes.action).toMatch(new RegExp(`^${BASE}/twilio/gather\\?s=1\\.`));
    expect(textOf(findElement(gather!, "Say"))).toBe("Thanks for calling Bella Pizza. How can I help?");
  });

  test("gather: a question is answered from the business's FAQ, and hours are spoken", async () => {
    const callSid = nextSid();
    await twiml("/twilio/voice", callFields(callSid, {}, { to: BELLA }));
    expect(await ask(callSid, PARKING)).toContain(FIRST_PARKING);
    expect(await ask(callSid, "what time do you open on Saturday")).toBe("On Saturday we open at 11 AM.");
  });

  test("concurrent calls asking the same new question share one load across requests, and all are answered", async () => {
    const calls = Array.from({ length: 8 }, () => nextSid());
    await Promise.all(calls.map((callSid) => twiml("/twilio/voice", callFields(callSid, {}, { to: BELLA }))));
    const loadsBefore = (await cacheStats()).namespaces.knowledge.loaderHits;
    const answers = await Promise.all(calls.map((callSid) => ask(callSid, "how much does delivery cost")));
    expect((await cacheStats()).namespaces.knowledge.loaderHits - loadsBefore).toBe(1);
    expect(new Set(answers).size).toBe(1);
    expect(answers[0]).toContain("3 dollars");
  });

  test("status: a final status is accepted", async () => {
    const callSid = nextSid();
    await twiml("/twilio/voice", callFields(callSid, {}, { to: BELLA }));
    const res = await post("/twilio/status", callFields(callSid, { CallStatus: "completed", CallDuration: "42", SequenceNumber: "0" }, { to: BELLA }));
    expect(res.status).toBe(204);
  });

  test("an unknown number hears that the number is not in service and the call ends", async () => {
    const doc = await twiml("/twilio/voice", callFields(nextSid(), {}, { to: "+15557770000" }));
    expect(textOf(findElement(doc, "Say"))).toBe(replies.unknownNumber());
    expect(findElement(doc, "Hangup")).toBeDefined();
    expect(findElement(doc, "Gather")).toBeUndefined();
  });

  test("a bad signature is refused with 403", async () => {
    const res = await post("/twilio/voice", callFields(nextSid(), {}, { to: BELLA }), "not-the-auth-token");
    expect(res.status).toBe(403);
  });

  test("malformed bodies are answered 4xx, never 5xx", async () => {
    const { CallSid: _dropped, ...noCallSid } = callFields(nextSid(), {}, { to: BELLA });
    const missingField = await post("/twilio/voice", noCallSid);
    const badEncoding = await worker.fetch(
      new Request(`${BASE}/twilio/gather`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": "x" },
        body: "CallSid=%zz&To=%",
      }),
    );
    const wrongType = await worker.fetch(new Request(`${BASE}/twilio/voice`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }));
    for (const res of [missingField, badEncoding, wrongType]) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
  });

  test("a relay handshake without a valid signature is refused with 403, before any upgrade", async () => {
    const res = await worker.fetch(new Request(`${BASE}/twilio/relay`, { headers: { upgrade: "websocket", "x-twilio-signature": "bad" } }));
    expect(res.status).toBe(403);
  });
});

describe("the cache on workerd", () => {
  const bound = Math.max(WORKER_L1_TTL_MS, WORKER_TAG_TIMES_TTL_MS);
  test(`an invalidation made on a Bun instance is honoured by the Worker's next request once ${bound} ms have passed`, async () => {
    const callSid = nextSid();
    await twiml("/twilio/voice", callFields(callSid, {}, { to: BELLA }));
    expect(await ask(callSid, PARKING)).toContain(FIRST_PARKING);
    expect(await ask(callSid, PARKING)).toContain(FIRST_PARKING); // from the Worker's L1 now

    const valet = "We have valet parking at the front door every evening.";
    setParkingAnswer(valet);
    await invalidateOn((request) => bunApp.request(request), "bella-pizza");
    // Within the bound the Worker may still answer from its L1 (or already know: a request's
    // session read refreshes the tag times it trusts); once the bound has passed it must know.
    await Bun.sleep(bound + 50);
    expect(await ask(callSid, PARKING)).toBe(valet);
  }, 30_000);

  test("an invalidation made on the Worker itself is seen by its next request", async () => {
    const callSid = nextSid();
    await twiml("/twilio/voice", callFields(callSid, {}, { to: BELLA }));
    await ask(callSid, PARKING);
    const changed = "Parking is in the public garage across the street.";
    setParkingAnswer(changed);
    await invalidateOn((request) => worker.fetch(request), "bella-pizza");
    expect(await ask(callSid, PARKING)).toBe(changed);
  }, 30_000);

  test("an invalidation made on the Worker reaches a Bun instance's L1 at once, as a bus message", async () => {
    const callSid = nextSid();
    const bunAsk = async (speech: string) => {
      const res = await bunApp.request(signedFormRequest(`${BASE}/twilio/gather`, callFields(callSid, { SpeechResult: speech }, { to: BELLA }), TOKEN));
      expect(res.status).toBe(200);
      return textOf(findElement(findElement(parseXml(await res.text()), "Gather")!, "Say"));
    };
    await bunApp.request(signedFormRequest(`${BASE}/twilio/voice`, callFields(callSid, {}, { to: BELLA }), TOKEN));
    const before = await bunAsk(PARKING);
    expect(await bunAsk(PARKING)).toBe(before); // Bun's L1 holds it (its L1 TTL is minutes)
    const received = bunCache.stats().bus.received;
    const changed = "Parking is free for customers in the lot on Elm Street.";
    setParkingAnswer(changed);
    await invalidateOn((request) => worker.fetch(request), "bella-pizza");
    for (let i = 0; i < 40 && bunCache.stats().bus.received === received; i++) await Bun.sleep(25);
    expect(bunCache.stats().bus.received).toBeGreaterThan(received);
    expect(await bunAsk(PARKING)).toBe(changed);
  }, 30_000);

  test("a write that failed without opening the breaker is replayed on a later request, with no timer", async () => {
    const callSid = nextSid();
    await twiml("/twilio/voice", callFields(callSid, {}, { to: BELLA }));
    await ask(callSid, PARKING);
    const before = await cacheStats();
    await upstash.fault("error500");
    try {
      expect(await newCallAsks(PARKING)).toMatch(/parking/i);
    } finally {
      await upstash.fault("ok");
    }
    const failed = await cacheStats();
    expect(failed.breaker.transitions.open).toBe(before.breaker.transitions.open);
    expect(failed.writeQueue.pending).toBeGreaterThan(0);
    await Bun.sleep(1_100); // past the replay throttle; no request meanwhile, so no timer could have helped on workerd
    await newCallAsks(PARKING);
    let after = await cacheStats();
    for (let i = 0; i < 20 && after.writeQueue.pending > 0; i++) {
      await Bun.sleep(50);
      after = await cacheStats();
    }
    expect(after.writeQueue.pending).toBe(0);
    expect(after.writeQueue.replayed).toBeGreaterThan(failed.writeQueue.replayed);
  }, 30_000);

  // Last: copies answered while L2 was out are trusted for the fail-safe backoff (5 s) afterwards,
  // which would lengthen the invalidation bound for the tests above.
  test("an L2 outage is answered from L1: every turn answered, none failed", async () => {
    const callSid = nextSid();
    await twiml("/twilio/voice", callFields(callSid, {}, { to: BELLA }));
    const before = await ask(callSid, PARKING);
    expect(before).toMatch(/parking/i);
    await upstash.fault("stall");
    const answers: string[] = [];
    try {
      for (let i = 0; i < 8; i++) answers.push(await newCallAsks(PARKING));
    } finally {
      await upstash.fault("ok");
    }
    const failed = answers.filter((a) => a !== before);
    expect(failed).toEqual([]);

    // L2 is back: the breaker closes on the next call's start, and the session writes that failed are
    // replayed in the background (waitUntil), with no timer needed between requests.
    let stats = await cacheStats();
    for (let i = 0; i < 50 && (stats.breaker.state !== "closed" || stats.writeQueue.pending > 0); i++) {
      await Bun.sleep(100);
      await newCallAsks(PARKING);
      stats = await cacheStats();
    }
    expect(stats.breaker.transitions.open).toBeGreaterThan(0);
    expect(stats.breaker.state).toBe("closed");
    expect(stats.writeQueue).toMatchObject({ pending: 0 });
    expect(stats.writeQueue.replayed).toBeGreaterThan(0);
  }, 30_000);
});

describe("configuration from bindings", () => {
  test("bad bindings answer every request with a 500 naming each problem at once, never a value", async () => {
    const misconfigured = await startWorker({ CACHE_L2: "redis", REDIS_URL: "redis://:hunter2-secret@10.0.0.1:6379", ADMIN_TOKEN: "short", BUSINESSES_FILE: "/srv/businesses.json", PORT: "eighty" });
    try {
      const res = await misconfigured.fetch(new Request(`${BASE}/health`));
      expect(res.status).toBe(500);
      const text = await res.text();
      for (const name of ["CACHE_L2: must be upstash or none", "ADMIN_TOKEN", "BUSINESSES_FILE: a Worker cannot read files", "PORT"]) expect(text).toContain(name);
      expect(text).not.toContain("hunter2");
      // The same answer on later requests: nothing half-built is left behind.
      expect((await misconfigured.fetch(new Request(`${BASE}/twilio/voice`, { method: "POST" }))).status).toBe(500);
    } finally {
      await misconfigured.dispose();
    }
  }, 30_000);

  test("businesses from BUSINESSES_JSON, with no L2 at all (CACHE_L2 unset)", async () => {
    const only = structuredClone(samples.businesses[0]!);
    only.greeting = "Hello from the Worker's own business file.";
    const standalone = await startWorker({ TWILIO_AUTH_TOKEN: TOKEN, PUBLIC_BASE_URL: BASE, BUSINESSES_JSON: JSON.stringify({ businesses: [only] }), LOG_LEVEL: "error" });
    try {
      const res = await standalone.fetch(signedFormRequest(`${BASE}/twilio/voice`, callFields(nextSid(), {}, { to: only.phoneNumbers[0]! }), TOKEN));
      expect(res.status).toBe(200);
      expect(textOf(findElement(parseXml(await res.text()), "Say"))).toBe(only.greeting);
      const health = await standalone.fetch(new Request(`${BASE}/health`));
      expect(health.status).toBe(200);
    } finally {
      await standalone.dispose();
    }
  }, 30_000);
});
