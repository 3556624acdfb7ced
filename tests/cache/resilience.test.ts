/**
 * The cache must never hurt a call: stale values within grace when a loader fails, soft and hard
 * timeouts, eager refresh, and a circuit breaker that takes a dead redis-server out of the path
 * and brings it back without a restart.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { createCache, memoryL2, LoaderTimeoutError, type CacheEvent } from "../../src/cache/index.ts";
import { redisL2 } from "../../src/cache/redis.ts";
import { findFreePort } from "../../src/ops/redis-server.ts";
import { startRedis } from "../support/servers.ts";

describe("freshness and fail-safe", () => {
  const make = (ns: Parameters<typeof createCache>[0]["namespaces"][string]) =>
    createCache({ l2: memoryL2(), namespaces: { knowledge: ns } });

  test("a failing loader serves the stale value within grace, then backs off", async () => {
    const cache = make({ ttl: 30, grace: 10_000, failSafeBackoff: 200 });
    const knowledge = cache.namespace<string>("knowledge");
    expect(await knowledge.getOrSet("q", () => "v1")).toBe("v1");
    await Bun.sleep(45);
    let attempts = 0;
    const failing = () => {
      attempts++;
      throw new Error("knowledge source down");
    };
    expect(await knowledge.getOrSet("q", failing)).toBe("v1");
    expect(await knowledge.getOrSet("q", failing)).toBe("v1");
    expect(attempts).toBe(1);
    const stats = cache.stats().namespaces.knowledge!;
    expect(stats.staleServed).toBe(1);
    expect(stats.loaderErrors).toBe(1);
    await Bun.sleep(220);
    expect(await knowledge.getOrSet("q", () => "v2")).toBe("v2");
  });

  test("without grace a failing loader rejects once the TTL has passed", async () => {
    const knowledge = make({ ttl: 20 }).namespace<string>("knowledge");
    await knowledge.getOrSet("q", () => "v1");
    await Bun.sleep(35);
    await expect(knowledge.getOrSet("q", () => Promise.reject(new Error("down")))).rejects.toThrow("down");
  });

  test("soft timeout answers with the stale value now and the loader still refreshes the entry", async () => {
    const cache = make({ ttl: 20, grace: 10_000, softTimeout: 30 });
    const knowledge = cache.namespace<string>("knowledge");
    await knowledge.getOrSet("q", () => "old");
    await Bun.sleep(30);
    const started = performance.now();
    const answer = await knowledge.getOrSet("q", async () => {
      await Bun.sleep(200);
      return "new";
    });
    expect(answer).toBe("old");
    expect(performance.now() - started).toBeLessThan(190);
    await cache.idle();
    expect(knowledge.peek("q")).toBe("new");
  });

  test("hard timeout abandons the loader with a clear error and aborts its signal", async () => {
    const knowledge = make({ ttl: 1_000, hardTimeout: 30 }).namespace<string>("knowledge");
    let aborted = false;
    const result = knowledge.getOrSet("slow", ({ signal }) => {
      signal.addEventListener("abort", () => (aborted = true));
      return new Promise<string>((resolve) => setTimeout(() => resolve("late"), 300));
    });
    await expect(result).rejects.toBeInstanceOf(LoaderTimeoutError);
    expect(aborted).toBe(true);
  });

  test("eager refresh: a hit late in the TTL refreshes in the background once", async () => {
    const cache = make({ ttl: 100, eagerRefresh: 0.5 });
    const knowledge = cache.namespace<number>("knowledge");
    let version = 0;
    const loader = async () => {
      await Bun.sleep(10);
      return ++version;
    };
    expect(await knowledge.getOrSet("hot", loader)).toBe(1);
    await Bun.sleep(60);
    // In the refresh window: callers keep getting the current value while one refresh runs.
    const during = await Promise.all(Array.from({ length: 20 }, () => knowledge.getOrSet("hot", loader)));
    expect(new Set(during)).toEqual(new Set([1]));
    await cache.idle();
    expect(version).toBe(2);
    expect(await knowledge.getOrSet("hot", loader)).toBe(2);
    expect(cache.stats().namespaces.knowledge?.refreshes).toBe(1);
  });

  test("l1Hit answers a fresh L1 entry at once as getOrSet's hit (counted, refreshed when due) and nothing else", async () => {
    const cache = make({ ttl: 100, eagerRefresh: 0.5 });
    const knowledge = cache.namespace<number>("knowledge");
    let version = 0;
    const loader = async () => ++version;
    // Not in L1: undefined, no loader run, nothing counted.
    expect(knowledge.l1Hit("hot", loader)).toBeUndefined();
    expect(version).toBe(0);
    expect(cache.stats().namespaces.knowledge).toMatchObject({ l1Hits: 0, l1Misses: 0 });
    expect(await knowledge.getOrSet("hot", loader)).toBe(1);
    expect(knowledge.l1Hit("hot", loader)).toBe(1);
    expect(cache.stats().namespaces.knowledge).toMatchObject({ l1Hits: 1, l1Misses: 1 });
    await Bun.sleep(60);
    // In the refresh window: the current value at once, and one background refresh.
    expect(knowledge.l1Hit("hot", loader)).toBe(1);
    expect(knowledge.l1Hit("hot", loader)).toBe(1);
    await cache.idle();
    expect(version).toBe(2);
    expect(knowledge.l1Hit("hot", loader)).toBe(2);
    expect(cache.stats().namespaces.knowledge?.refreshes).toBe(1);
    // Past the TTL: not fresh, so undefined again, and getOrSet loads.
    await Bun.sleep(110);
    expect(knowledge.l1Hit("hot", loader)).toBeUndefined();
    expect(await knowledge.getOrSet("hot", loader)).toBe(3);
  });

  test("loaders set TTL and tags from their result (adaptive caching)", async () => {
    const cache = make({ ttl: 60_000 });
    const knowledge = cache.namespace<{ volatile: boolean }>("knowledge");
    await knowledge.getOrSet("short", (ctx) => {
      ctx.ttl = 20;
      ctx.tags = ["biz:x"];
      return { volatile: true };
    });
    expect(knowledge.peek("short")).toEqual({ volatile: true });
    await Bun.sleep(35);
    expect(knowledge.peek("short")).toBeUndefined();
    await knowledge.getOrSet("tagged", (ctx) => ((ctx.tags = ["biz:x"]), { volatile: false }));
    await cache.invalidateTags(["biz:x"]);
    expect(knowledge.peek("tagged")).toBeUndefined();
  });
});

describe("circuit breaker against a real redis-server", () => {
  const stops: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const stop of stops) await stop();
  });

  test("killing redis opens the breaker while L1 and loaders answer; restarting it closes the breaker", async () => {
    const redis = await startRedis();
    stops.push(() => redis.stop());
    const events: CacheEvent[] = [];
    const cache = createCache({
      onEvent: (event) => events.push(event),
      prefix: "breaker",
      l2: redisL2({ url: redis.url }),
      l2TimeoutMs: 150,
      breaker: { failureThreshold: 3, windowMs: 10_000, openMs: 300 },
      namespaces: { business: { ttl: 60_000, l1Ttl: 60_000 }, knowledge: { ttl: 60_000 } },
    });
    stops.push(() => cache.close());
    const business = cache.namespace<string>("business");
    const knowledge = cache.namespace<string>("knowledge");
    expect(await business.getOrSet("+1555", () => "bella")).toBe("bella");
    await cache.idle();

    await redis.kill();
    // L1 keeps answering the business; knowledge misses go to the loader.
    for (let i = 0; i < 10; i++) {
      expect(await business.getOrSet("+1555", () => "never")).toBe("bella");
      expect(await knowledge.getOrSet(`q${i}`, () => `a${i}`)).toBe(`a${i}`);
    }
    await cache.idle();
    const open = await cache.health();
    expect(open.status).toBe("degraded");
    expect(open.breaker?.state).toBe("open");
    expect(open.l2?.reachable).toBe(false);
    expect(cache.stats().l2?.errors.breaker_open).toBeGreaterThan(0);

    await redis.restart();
    await Bun.sleep(350);
    // The next call is the half-open probe; it succeeds and closes the breaker. The bus
    // reconnects on its own backoff, so "ok" may come a moment after the breaker closes.
    await waitUntil(async () => {
      await knowledge.getOrSet(`probe${Date.now()}`, () => "p");
      const health = await cache.health();
      return health.breaker?.state === "closed" && health.status === "ok";
    });
    const closed = await cache.health();
    expect(closed.status).toBe("ok");

    // Each transition was told once, with the L2 kind and nothing else (no address, key or credential).
    const breaker = events.filter((e) => e.type === "breaker").map((e) => e.state);
    expect(breaker[0]).toBe("open");
    expect(breaker.at(-1)).toBe("closed");
    expect(breaker.some((state, i) => i > 0 && state === breaker[i - 1])).toBe(false);
    const bus = events.filter((e) => e.type === "bus").map((e) => e.state);
    expect(bus).toContain("down");
    expect(bus.at(-1)).toBe("up");
    expect(bus.some((state, i) => i > 0 && state === bus[i - 1])).toBe(false);
    for (const event of events) expect(Object.keys(event).sort()).toEqual(["l2", "state", "type"]);
    expect(new Set(events.map((e) => e.l2))).toEqual(new Set(["redis"]));
    expect(JSON.stringify(events)).not.toContain(String(redis.port));
    expect(closed.breaker?.transitions.open).toBeGreaterThanOrEqual(1);
    expect(closed.breaker?.transitions.closed).toBeGreaterThanOrEqual(1);
    // L2 is used again: a write reaches redis and a second instance reads it.
    await knowledge.set("after", "restart");
    const other = createCache({ prefix: "breaker", l2: redisL2({ url: redis.url }), namespaces: { knowledge: { ttl: 60_000 } } });
    stops.push(() => other.close());
    expect(await other.namespace("knowledge").get("after")).toBe("restart");
  });

  test("an unreachable L2 at start-up does not prevent start: calls answer from loaders, health says why", async () => {
    const port = await findFreePort();
    const cache = createCache({
      l2: redisL2({ url: `redis://127.0.0.1:${port}` }),
      l2TimeoutMs: 100,
      breaker: { failureThreshold: 2, openMs: 60_000 },
      namespaces: { business: { ttl: 60_000 } },
    });
    stops.push(() => cache.close());
    const business = cache.namespace<string>("business");
    for (let i = 0; i < 5; i++) expect(await business.getOrSet(`n${i}`, () => `b${i}`)).toBe(`b${i}`);
    const health = await cache.health();
    expect(health.status).toBe("degraded");
    expect(health.l2?.reachable).toBe(false);
    expect(health.breaker?.state).toBe("open");
  });
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await Bun.sleep(50);
  }
}
