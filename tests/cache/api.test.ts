import { describe, expect, test } from "bun:test";
import { MeterProvider, MetricReader, type ResourceMetrics } from "@opentelemetry/sdk-metrics";
import {
  cached,
  cachedMethod,
  CACHE_INSTRUMENTS,
  createCache,
  hashText,
  keyOf,
  memoryL2,
  normalizeQuestion,
  CacheConfigError,
  CacheError,
  L2TimeoutError,
  L2UnavailableError,
  LoaderTimeoutError,
  UndefinedValueError,
  UnknownNamespaceError,
  type Cache,
  type L2Adapter,
  type NamespaceHandle,
} from "../../src/cache/index.ts";
import { decodeEnvelope, encodeEnvelope } from "../../src/cache/codec.ts";
import { createBreaker } from "../../src/cache/breaker.ts";
import { businessKey, knowledgeKeys } from "../../src/bot/cache-keys.ts";
import { createHmac } from "node:crypto";
import { keyedHasher, keyedQuestionHasher, normalizeQuestionByRules } from "../../src/cache/keys.ts";
import { prng } from "../support/prng.ts";

const knowledgeKey = knowledgeKeys("a-test-secret-of-at-least-32-characters");

describe("keys", () => {
  test("keyOf is stable and separator-safe", () => {
    expect(keyOf("bella-pizza", "parking")).toBe(keyOf("bella-pizza", "parking"));
    expect(keyOf("a:b")).not.toBe(keyOf("a", "b"));
    expect(keyOf("a%3Ab")).not.toBe(keyOf("a:b"));
    expect(keyOf("x", 1, true)).toBe("x:1:true");
  });

  test("long parts are hashed so keys stay short", () => {
    const long = "why ".repeat(10_000);
    const key = keyOf("biz", long);
    expect(key.length).toBeLessThan(40);
    expect(key).toBe(keyOf("biz", long));
    expect(key).not.toBe(keyOf("biz", `${long}?`));
    expect(hashText("a")).toHaveLength(22);
  });

  test("normalizeQuestion maps case, punctuation and spacing variants to one key", () => {
    expect(normalizeQuestion("What are your hours?")).toBe(normalizeQuestion("what are your  hours"));
    expect(normalizeQuestion("  Do you have PARKING?! ")).toBe("do you have parking");
    expect(normalizeQuestion("What’s the price?")).toBe(normalizeQuestion("what's the price"));
    expect(normalizeQuestion("do you deliver")).not.toBe(normalizeQuestion("do you delivery"));
    expect(knowledgeKey("bella", "Is there PARKING?")).toBe(knowledgeKey("bella", "is there parking"));
    expect(businessKey("+1 (555) 000-1111")).toBe("+15550001111");
  });

  test("knowledge keys hash the question with the deployment's secret: no caller word, shared by instances, not guessable", () => {
    const question = "my name is Zebulon and my card is 4111 1111";
    const key = knowledgeKey("bella", question);
    expect(key).toMatch(/^bella:[A-Za-z0-9_-]{22}$/);
    for (const word of ["zebulon", "card", "4111"]) expect(key.toLowerCase()).not.toContain(word);
    // Another instance with the same secret makes the same key; another secret (or a plain hash of a guess) does not.
    expect(knowledgeKeys("a-test-secret-of-at-least-32-characters")("bella", question)).toBe(key);
    expect(knowledgeKeys("another-secret-of-at-least-32-characters")("bella", question)).not.toBe(key);
    expect(key).not.toBe(keyOf("bella", hashText(normalizeQuestion(question))));
    // Without a secret, one random secret per process: stable within it.
    expect(knowledgeKeys(undefined)("bella", question)).toBe(knowledgeKeys(undefined)("bella", question));
    expect(knowledgeKeys(undefined)("bella", question)).not.toBe(key);
    expect(() => keyedHasher("")).toThrow();
  });

  test("the keyed hasher writes what node:crypto's HMAC-SHA256 writes, for short and long secrets and any text", () => {
    const secrets = ["s", "a-test-secret-of-at-least-32-characters", "k".repeat(64), "long".repeat(40), "clé-secrète-ü"];
    const texts = ["", "is there parking", "é ü € 😀", "\ud800 lone surrogate", "x".repeat(400), "y".repeat(5_000)];
    for (const secret of secrets) {
      const hash = keyedHasher(secret);
      for (const text of texts) {
        expect(hash(text)).toBe(createHmac("sha256", Buffer.from(secret, "utf8")).update(text).digest("base64url").slice(0, 22));
      }
    }
  });

  test("the question hasher is the keyed hash of the normalised question, ASCII or not, short or long", () => {
    const questions = ["", "  Is there PARKING?! ", "what's   the `price`", "'quoted' words '", "Ｃafé’s  ÜBER menu?", "\ud800 lone", "x".repeat(1_024), "y ".repeat(700), "z".repeat(5_000)];
    for (const secret of ["s", "k".repeat(64), "long".repeat(40)]) {
      const hash = keyedHasher(secret);
      const hashQuestion = keyedQuestionHasher(secret);
      for (const question of questions) expect(hashQuestion(question)).toBe(hash(normalizeQuestion(question)));
      // A long text hashed in between (it enlarges the buffer) changes nothing for the next question.
      hash("w".repeat(3_000));
      for (const question of questions) expect(hashQuestion(question)).toBe(hash(normalizeQuestion(question)));
    }
  });

  test("normalizeQuestion's pass over ASCII gives what its rules give, whatever the characters", () => {
    const random = prng(14);
    // Letters of both cases, digits, both apostrophes, every kind of ASCII space, punctuation and control characters.
    const alphabet = "aZq09 '`\t\n\r\v\f?!.,-_~\x01\x7f";
    for (let n = 0; n < 20_000; n++) {
      let text = "";
      const length = Math.floor(random() * 14);
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)];
      expect(normalizeQuestion(text)).toBe(normalizeQuestionByRules(text));
    }
    for (let code = 0; code < 128; code++) {
      const char = String.fromCharCode(code);
      for (const text of [char, `a${char}b`, `${char}a ${char}`, `it${char}s`]) expect(normalizeQuestion(text)).toBe(normalizeQuestionByRules(text));
    }
    // Beyond ASCII the rules themselves answer.
    expect(normalizeQuestion("Ｃafé’s  ÜBER menu?")).toBe(normalizeQuestionByRules("Ｃafé’s  ÜBER menu?"));
    expect(normalizeQuestion("x".repeat(3_000))).toBe("x".repeat(3_000));
  });
});

describe("codec", () => {
  test("a foreign or damaged text is not an envelope", () => {
    expect(decodeEnvelope("hello").ok).toBe(false);
    expect(decodeEnvelope("vx1{").ok).toBe(false);
    expect(decodeEnvelope("vx1[1,2,3,0]").ok).toBe(false);
    expect(decodeEnvelope("vz1!!!notbase64deflate").ok).toBe(false);
    expect(decodeEnvelope('vx1[1,2,3,[4],"x"]').ok).toBe(false);
  });

  test("compression starts above the threshold and round-trips", () => {
    const envelope = { value: "x".repeat(5_000), createdAt: 1, expiresAt: 2, staleUntil: 3, tags: ["t"] };
    const small = encodeEnvelope({ ...envelope, value: "x" }, 2_048);
    const big = encodeEnvelope(envelope, 2_048);
    expect(small.startsWith("vx1")).toBe(true);
    expect(big.startsWith("vz1")).toBe(true);
    expect(big.length).toBeLessThan(500);
    expect(decodeEnvelope(big)).toEqual({ ok: true, envelope });
  });
});

describe("breaker", () => {
  test("opens after the threshold, lets one probe through after the open period, closes on success", async () => {
    const changes: string[] = [];
    const breaker = createBreaker({ failureThreshold: 3, windowMs: 1_000, openMs: 50 }, (s) => changes.push(s));
    breaker.failure();
    breaker.failure();
    expect(breaker.state).toBe("closed");
    breaker.failure();
    expect(breaker.state).toBe("open");
    expect(breaker.allow()).toBe(false);
    await Bun.sleep(60);
    expect(breaker.allow()).toBe(true);
    expect(breaker.state).toBe("half_open");
    expect(breaker.allow()).toBe(false);
    breaker.failure();
    expect(breaker.state).toBe("open");
    await Bun.sleep(60);
    expect(breaker.allow()).toBe(true);
    breaker.success();
    expect(breaker.state).toBe("closed");
    expect(changes).toEqual(["open", "half_open", "open", "half_open", "closed"]);
  });
});

describe("cache API", () => {
  const make = (): Cache<"business" | "knowledge"> =>
    createCache({ l2: memoryL2(), namespaces: { business: { ttl: 60_000 }, knowledge: { ttl: 60_000, tags: ["kb"] } } });

  test("an unknown namespace throws an error naming the configured ones", () => {
    const cache = make();
    expect(() => cache.namespace("nope" as "business")).toThrow(/Unknown cache namespace "nope".*business, knowledge/);
  });

  test("bad namespace options fail at creation, listing every problem", () => {
    expect(() => createCache({ namespaces: { x: { ttl: -1, jitter: 2, l1Ttl: 0 } } })).toThrow(/ttl.*jitter.*|jitter.*ttl/);
  });

  test("cached() wraps a function; calls with one key share one value", async () => {
    const cache = make();
    let calls = 0;
    const lookup = cached(cache.namespace<string>("business"), async (n: string) => (calls++, `biz-for-${n}`), { key: (n) => businessKey(n) });
    expect(await lookup("+1 555 000 1111")).toBe("biz-for-+1 555 000 1111");
    expect(await lookup("+15550001111")).toBe("biz-for-+1 555 000 1111");
    expect(calls).toBe(1);
  });

  test("method decorators cache business lookups and knowledge queries under Bun, keyed by the bot's key builders", async () => {
    const cache = make();
    class Directory {
      calls = 0;
      constructor(readonly handle: NamespaceHandle<{ id: string } | null>) {}
      @cachedMethod((self: Directory) => self.handle, { key: (number: string) => businessKey(number) })
      async byNumber(number: string): Promise<{ id: string } | null> {
        this.calls++;
        return number.endsWith("1111") ? { id: "bella" } : null;
      }
    }
    class Knowledge {
      calls = 0;
      constructor(readonly handle: NamespaceHandle<string>) {}
      @cachedMethod((self: Knowledge) => self.handle, { key: (businessId: string, question: string) => knowledgeKey(businessId, question) })
      async answer(businessId: string, question: string): Promise<string> {
        this.calls++;
        return `${businessId}: ${question}`;
      }
    }
    const directory = new Directory(cache.namespace("business"));
    expect(await directory.byNumber("+15550001111")).toEqual({ id: "bella" });
    expect(await directory.byNumber("+1 (555) 000-1111")).toEqual({ id: "bella" });
    expect(await directory.byNumber("+15559999999")).toBeNull();
    expect(await directory.byNumber("+15559999999")).toBeNull();
    expect(directory.calls).toBe(2);

    const knowledge = new Knowledge(cache.namespace("knowledge"));
    expect(await knowledge.answer("bella", "Do you have parking?")).toBe("bella: Do you have parking?");
    expect(await knowledge.answer("bella", "do you have  parking")).toBe("bella: Do you have parking?");
    expect(knowledge.calls).toBe(1);
  });

  test("a large warm yields to the event loop: a timer keeps firing while it runs", async () => {
    const cache = createCache({ l2: memoryL2(), namespaces: { business: { ttl: 60_000, l1MaxEntries: 100_000 } } });
    const specs = (prefix: string) => Array.from({ length: 30_000 }, (_, i) => ({ namespace: "business" as const, key: `${prefix}${i}`, loader: () => `v${i}` }));
    const ticksDuring = async (run: () => Promise<unknown>) => {
      let ticks = 0;
      const timer = setInterval(() => ticks++, 1);
      await run();
      clearInterval(timer);
      return ticks;
    };
    // Control: without yielding, cached reads and synchronous loaders resolve on microtasks alone.
    const stalled = await ticksDuring(() => cache.warm(specs("a"), { sliceMs: Infinity }));
    const yielding = await ticksDuring(() => cache.warm(specs("b")));
    expect(stalled).toBe(0);
    expect(yielding).toBeGreaterThanOrEqual(5);
    await cache.close();
  });

  test("warm reports warmed, skipped and failed, with bounded concurrency", async () => {
    const cache = make();
    await cache.namespace("business").set("+1000", "already");
    let running = 0;
    let peak = 0;
    const loader = (v: string) => async () => {
      running++;
      peak = Math.max(peak, running);
      await Bun.sleep(5);
      running--;
      if (v === "bad") throw new Error("directory timed out");
      return v;
    };
    const specs = [
      { namespace: "business" as const, key: "+1000", loader: loader("x") },
      ...Array.from({ length: 10 }, (_, i) => ({ namespace: "knowledge" as const, key: `q${i}`, loader: loader(`a${i}`) })),
      { namespace: "knowledge" as const, key: "qbad", loader: loader("bad") },
    ];
    const report = await cache.warm(specs, { concurrency: 3 });
    expect(report.warmed).toBe(10);
    expect(report.skipped).toBe(1);
    expect(report.failed).toEqual([{ namespace: "knowledge", key: "qbad", error: "directory timed out" }]);
    expect(peak).toBeLessThanOrEqual(3);
    expect(cache.namespace("knowledge").peek("q3")).toBe("a3");

    const forced = await cache.warm([{ namespace: "business", key: "+1000", loader: async () => "reloaded", force: true }]);
    expect(forced.warmed).toBe(1);
    expect(cache.namespace("business").peek("+1000")).toBe("reloaded");
  });

  test("l1Ttl 0: every read checks L2, so another instance's write is seen at once without the bus", async () => {
    const store = memoryL2();
    const shared = { ...store, bus: undefined, close: async () => undefined };
    const ns = { session: { ttl: 60_000, l1Ttl: 0, broadcast: false } };
    const a = createCache({ l2: shared, namespaces: ns });
    const b = createCache({ l2: shared, namespaces: ns });
    for (let turn = 1; turn <= 20; turn++) {
      const writer = turn % 2 ? a : b;
      const reader = turn % 2 ? b : a;
      await writer.namespace("session").set("CA1", { turn });
      expect(await reader.namespace("session").get("CA1")).toEqual({ turn });
    }
    expect(a.namespace("session").peek("CA1")).toBeUndefined();
    await a.close();
    await b.close();
    await store.close();
  });

  test("a namespace with broadcast: false writes without announcing on the bus", async () => {
    const store = memoryL2();
    const cache = createCache({ l2: store, namespaces: { session: { ttl: 60_000, l1Ttl: 1, broadcast: false }, business: { ttl: 60_000 } } });
    await cache.namespace("session").set("CA1", { turns: 1 });
    await cache.namespace("session").delete("CA1");
    expect(cache.stats().bus.sent).toBe(0);
    await cache.namespace("business").set("+1555", "bella");
    await waitFor(() => cache.stats().bus.sent === 1);
    await cache.close();
  });

  test("stats and OpenTelemetry instruments report the same figures", async () => {
    const reader = new TestReader();
    const provider = new MeterProvider({ readers: [reader] });
    const cache = createCache({ l2: memoryL2(), meter: provider.getMeter("test"), namespaces: { business: { ttl: 60_000 } } });
    const business = cache.namespace<string>("business");
    await business.getOrSet("a", () => "A");
    await business.getOrSet("a", () => "A");
    await business.getOrSet("a", () => "A");
    await business.get("missing");
    const stats = cache.stats().namespaces.business!;
    expect(stats).toMatchObject({ l1Hits: 2, l1Misses: 2, l2Misses: 2, loaderHits: 1, l1Size: 1 });

    const { resourceMetrics } = await reader.collect();
    const points = pointsOf(resourceMetrics, CACHE_INSTRUMENTS.requests.name);
    const find = (level: string, result: string) =>
      points.find((p) => p.attributes["cache.level"] === level && p.attributes["cache.result"] === result)?.value;
    expect(find("l1", "hit")).toBe(2);
    expect(find("l1", "miss")).toBe(2);
    expect(find("loader", "hit")).toBe(1);
    expect(pointsOf(resourceMetrics, CACHE_INSTRUMENTS.l1Entries.name)[0]?.value).toBe(1);
    expect(pointsOf(resourceMetrics, CACHE_INSTRUMENTS.operationDuration.name).length).toBeGreaterThan(0);
    await cache.close();
    await provider.shutdown();
  });
});

describe("errors", () => {
  /** A key as a caller's words make it: no error message may repeat it. */
  const callerKey = keyOf("bella-pizza", "my card number is 4111");

  test("a hard timeout rejects with E_LOADER_TIMEOUT, aborts the loader's signal with the same error, and names no key", async () => {
    const cache = createCache({ namespaces: { knowledge: { ttl: 1_000, hardTimeout: 20 } } });
    let reason: unknown;
    const error = await cache
      .namespace<string>("knowledge")
      .getOrSet(callerKey, ({ signal }) => new Promise<string>((resolve) => {
        signal.addEventListener("abort", () => (reason = signal.reason));
        setTimeout(() => resolve("late"), 200);
      }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoaderTimeoutError);
    expect(error).toBeInstanceOf(CacheError);
    expect(error).toMatchObject({ code: "E_LOADER_TIMEOUT", namespace: "knowledge", timeoutMs: 20, name: "LoaderTimeoutError" });
    expect(reason).toBe(error);
    expect((error as Error).message).not.toContain("4111");
    await cache.close();
  });

  test("unknown namespaces, bad options and undefined values each have their own class and code", async () => {
    const cache = createCache({ namespaces: { business: { ttl: 1_000 } } });
    const unknown = (() => {
      try {
        cache.namespace("nope" as "business");
      } catch (e) {
        return e;
      }
    })();
    expect(unknown).toBeInstanceOf(UnknownNamespaceError);
    expect(unknown).toMatchObject({ code: "E_UNKNOWN_NAMESPACE", namespace: "nope" });

    expect(() => createCache({ namespaces: { x: { ttl: -1 } } })).toThrow(CacheConfigError);
    expect(() => createCache({ namespaces: { x: { ttl: -1 } } })).toThrow(expect.objectContaining({ code: "E_CONFIG" }));

    const undefinedSet = await cache.namespace<string | undefined>("business").set(callerKey, undefined).catch((e: unknown) => e);
    expect(undefinedSet).toBeInstanceOf(UndefinedValueError);
    expect(undefinedSet).toMatchObject({ code: "E_UNDEFINED_VALUE", namespace: "business" });
    expect((undefinedSet as Error).message).not.toContain("4111");
    await cache.close();
  });

  test("a closed adapter rejects with E_L2_UNAVAILABLE", async () => {
    const l2 = memoryL2();
    await l2.close();
    const error = await l2.get("k").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(L2UnavailableError);
    expect(error).toMatchObject({ code: "E_L2_UNAVAILABLE" });
  });

  test("an L2 call past the timeout counts as a timeout and the caller still gets the loader's value", async () => {
    const stalled: L2Adapter = { ...memoryL2(), get: () => new Promise<string | null>(() => {}), ping: () => new Promise<void>(() => {}) };
    const cache = createCache({ l2: stalled, l2TimeoutMs: 20, bus: { enabled: false }, namespaces: { knowledge: { ttl: 1_000 } } });
    expect(await cache.namespace<string>("knowledge").getOrSet("q", () => "from loader")).toBe("from loader");
    expect(cache.stats().l2?.errors.timeout).toBe(1);
    const health = await cache.health();
    expect(health.l2?.reachable).toBe(false);
    expect(health.l2?.error).toBe(new L2TimeoutError(20).message);
    expect(new L2TimeoutError(20)).toMatchObject({ code: "E_L2_TIMEOUT", timeoutMs: 20 });
    await cache.close();
  });
});

class TestReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

function pointsOf(resourceMetrics: ResourceMetrics, name: string): Array<{ attributes: Record<string, unknown>; value: unknown }> {
  const out: Array<{ attributes: Record<string, unknown>; value: unknown }> = [];
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== name) continue;
      for (const point of metric.dataPoints as Array<{ attributes: Record<string, unknown>; value: unknown }>) out.push(point);
    }
  }
  return out;
}

async function waitFor(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await Bun.sleep(5);
  }
}
