/**
 * Tags and clear as invalidation times, on real stores: an invalidated entry is expired (stale,
 * usable within grace) on every instance; the bus carries the time so receivers need no round
 * trip; without a bus the time key in L2 reaches other instances after the tag-time TTL; clear on
 * a 3-master cluster writes one key and scans nothing.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { Redis } from "ioredis";
import { createCache, type Cache, type CacheOptions, type L2Adapter } from "../../src/cache/index.ts";
import { redisClusterL2, redisL2 } from "../../src/cache/redis.ts";
import { sharedCluster, sharedRedis } from "../support/servers.ts";
import { waitFor } from "../support/wait.ts";

type Names = "knowledge" | "business";

const open: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  await Promise.allSettled(open.map((c) => c.close()));
});

let run = 0;
const uniquePrefix = (label: string) => `tt${label}${Date.now().toString(36)}${(run++).toString(36)}`;

/** An adapter that counts the calls that reach the store (bus traffic is not counted). */
function counting(inner: L2Adapter): L2Adapter & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    kind: inner.kind,
    bus: inner.bus,
    get: (k) => (calls.push(`get ${k}`), inner.get(k)),
    getMany: (ks) => (calls.push(`getMany ${ks.join(",")}`), inner.getMany(ks)),
    set: (k, v, t) => (calls.push(`set ${k}`), inner.set(k, v, t)),
    setIfAbsent: (k, v, t) => (calls.push(`setIfAbsent ${k}`), inner.setIfAbsent(k, v, t)),
    increment: (k, t) => (calls.push(`increment ${k}`), inner.increment(k, t)),
    delete: (k) => (calls.push(`delete ${k}`), inner.delete(k)),
    deleteMany: (ks) => (calls.push(`deleteMany ${ks.join(",")}`), inner.deleteMany(ks)),
    deleteByPrefix: (p) => (calls.push(`deleteByPrefix ${p}`), inner.deleteByPrefix(p)),
    ping: () => inner.ping(),
    describe: () => inner.describe(),
    close: () => inner.close(),
  };
}

function newCache(l2: L2Adapter, prefix: string, extra: Partial<CacheOptions<Names>> = {}): Cache<Names> {
  const cache = createCache<Names>({
    prefix,
    l2,
    l2TimeoutMs: 1_000,
    namespaces: { knowledge: { ttl: 60_000, grace: 60_000 }, business: { ttl: 60_000 } },
    ...extra,
  });
  open.push(cache);
  return cache;
}

const failing = () => Promise.reject(new Error("loader down"));

describe("tag times on redis", () => {
  test("an entry invalidated by tag is expired on this instance and on another, and still serves as stale within grace", async () => {
    const { url } = await sharedRedis();
    const prefix = uniquePrefix("a");
    const a = newCache(redisL2({ url }), prefix);
    const b = newCache(redisL2({ url }), prefix);
    await waitFor("both buses up", () => a.stats().bus.state === "up" && b.stats().bus.state === "up");
    const ka = a.namespace<string>("knowledge");
    const kb = b.namespace<string>("knowledge");
    await ka.getOrSet("q1", () => "one", { tags: ["biz:bella"] });
    await ka.getOrSet("q2", () => "two", { tags: ["biz:other"] });
    expect(await kb.getOrSet("q1", failing)).toBe("one");
    expect(kb.peek("q1")).toBe("one");

    await a.invalidateTags(["biz:bella"]);
    expect(ka.peek("q1")).toBeUndefined();
    expect(ka.peek("q2")).toBe("two");
    await waitFor("B to learn the tag time", () => kb.peek("q1") === undefined);
    // Expired, not gone: with the loader down, both instances answer with the stale value.
    expect(await ka.getOrSet("q1", failing)).toBe("one");
    expect(await kb.getOrSet("q1", failing)).toBe("one");
    // A working loader replaces it everywhere it is read.
    expect(await kb.getOrSet("q1", () => "one, reloaded", { tags: ["biz:bella"] })).toBe("one, reloaded");
    expect(await newCache(redisL2({ url }), prefix).namespace<string>("knowledge").get("q1")).toBe("one, reloaded");
  });

  test("a tag invalidated on A reaches B by the bus message, which carries the time: B asks L2 nothing", async () => {
    const { url } = await sharedRedis();
    const prefix = uniquePrefix("b");
    const bL2 = counting(redisL2({ url }));
    const a = newCache(redisL2({ url }), prefix);
    const b = newCache(bL2, prefix);
    await waitFor("both buses up", () => a.stats().bus.state === "up" && b.stats().bus.state === "up");
    await a.namespace<string>("knowledge").set("q1", "one", { tags: ["biz:bella"] });
    // The set's own message first, so that it cannot drop the copy B is about to read.
    await waitFor("the set's message to arrive", () => b.stats().bus.received >= 1);
    const kb = b.namespace<string>("knowledge");
    expect(await kb.get("q1")).toBe("one");
    expect(kb.peek("q1")).toBe("one");
    const before = bL2.calls.length;

    await a.invalidateTags(["biz:bella"]);
    await waitFor("the message to arrive", () => b.stats().bus.received >= 2);
    expect(kb.peek("q1")).toBeUndefined();
    expect(bL2.calls.slice(before)).toEqual([]);
  });

  test("without a bus, the time key reaches B once its cached tag times are older than tagTimes.ttl", async () => {
    const { url } = await sharedRedis();
    const prefix = uniquePrefix("c");
    const bL2 = counting(redisL2({ url }));
    const a = newCache(redisL2({ url }), prefix, { bus: { enabled: false } });
    // A runtime without a subscriber socket: short L1 copies, tag times trusted 300 ms.
    const b = newCache(bL2, prefix, { bus: { enabled: false }, tagTimes: { ttl: 300 }, namespaces: { knowledge: { ttl: 60_000, l1Ttl: 20, grace: 60_000 }, business: { ttl: 60_000 } } });
    await a.namespace<string>("knowledge").set("q1", "one", { tags: ["biz:bella"] });
    const kb = b.namespace<string>("knowledge");
    expect(await kb.get("q1")).toBe("one");

    await a.invalidateTags(["biz:bella"]);
    const invalidatedAt = Date.now();
    await waitFor("B to read the tag time from L2", async () => (await kb.get("q1")) === undefined, 5_000);
    const tookMs = Date.now() - invalidatedAt;
    // It learned it from the time key, fetched together (getMany) with any other time it knew.
    expect(bL2.calls.some((c) => c.startsWith("getMany ") && c.includes(`${prefix}:__tt:biz:bella`))).toBe(true);
    expect(tookMs).toBeLessThan(5_000);
    expect(await kb.getOrSet("q1", failing)).toBe("one");
  });

  test("an L2 hit whose tag times are known costs one round trip", async () => {
    const { url } = await sharedRedis();
    const prefix = uniquePrefix("d");
    const bL2 = counting(redisL2({ url }));
    const a = newCache(redisL2({ url }), prefix);
    const b = newCache(bL2, prefix, { namespaces: { knowledge: { ttl: 60_000, l1MaxEntries: 1 }, business: { ttl: 60_000 } } });
    await waitFor("both buses up", () => a.stats().bus.state === "up" && b.stats().bus.state === "up");
    for (const k of ["q1", "q2", "q3"]) await a.namespace<string>("knowledge").set(k, k, { tags: ["biz:bella"] });
    const kb = b.namespace<string>("knowledge");
    await kb.get("q3"); // learns the namespace's clear time and the tag's time; L1 holds q3 only
    const before = bL2.calls.length;
    for (let i = 0; i < 30; i++) expect(await kb.get(`q${(i % 3) + 1}`)).toBe(`q${(i % 3) + 1}`);
    expect(bL2.calls.slice(before).every((c) => c.startsWith("get "))).toBe(true);
    expect(bL2.calls.length - before).toBe(30);
  });
});

describe("clear on the 3-master cluster", () => {
  test("clear(namespace) writes one key, scans no node, and every instance misses the old entries", async () => {
    const { seeds } = await sharedCluster();
    const prefix = uniquePrefix("e");
    const a = newCache(redisClusterL2({ nodes: seeds }), prefix);
    const b = newCache(redisClusterL2({ nodes: seeds }), prefix);
    await waitFor("both buses up", () => a.stats().bus.state === "up" && b.stats().bus.state === "up", 15_000);
    const keys = Array.from({ length: 60 }, (_, i) => `q${i}`);
    for (const k of keys) await a.namespace<string>("knowledge").set(k, `v-${k}`);
    await a.namespace<string>("business").set("+15550001111", "bella");
    const kb = b.namespace<string>("knowledge");
    for (const k of keys) expect(await kb.get(k)).toBe(`v-${k}`);

    const nodes = seeds.map((seed) => {
      const [host, port] = seed.split(":");
      return new Redis({ host, port: Number(port), lazyConnect: true });
    });
    const scans = async () =>
      Promise.all(
        nodes.map(async (node) => {
          const role = /role:(\w+)/.exec(await node.info("replication"))?.[1];
          const calls = Number(/cmdstat_scan:calls=(\d+)/.exec(await node.info("commandstats"))?.[1] ?? 0);
          return { role, calls };
        }),
      );
    try {
      const before = await scans();
      expect(before.filter((n) => n.role === "master")).toHaveLength(3);
      await a.clear("knowledge");
      await waitFor("B to drop its copies", () => kb.peek("q0") === undefined);
      const fresh = newCache(redisClusterL2({ nodes: seeds }), prefix);
      for (const k of keys) expect(await fresh.namespace<string>("knowledge").get(k)).toBeUndefined();
      for (const k of keys.slice(0, 5)) expect(await kb.get(k)).toBeUndefined();
      expect(await fresh.namespace<string>("business").get("+15550001111")).toBe("bella");
      const after = await scans();
      expect(after.map((n) => n.calls)).toEqual(before.map((n) => n.calls));
      // A value written after the clear is an entry again.
      await a.namespace<string>("knowledge").set("q0", "new");
      expect(await newCache(redisClusterL2({ nodes: seeds }), prefix).namespace<string>("knowledge").get("q0")).toBe("new");
    } finally {
      for (const node of nodes) node.disconnect();
    }
  }, 30_000);
});

describe("tag times within one millisecond", () => {
  test("a value written right after a clear or a tag invalidation is an entry, one read before it is not", async () => {
    const { url } = await sharedRedis();
    const prefix = uniquePrefix("f");
    const a = newCache(redisL2({ url }), prefix);
    const knowledge = a.namespace<string>("knowledge");
    for (let i = 0; i < 50; i++) {
      await knowledge.set("k", `before-${i}`, { tags: ["biz:ms"] });
      await a.clear("knowledge");
      expect(knowledge.peek("k")).toBeUndefined();
      await knowledge.set("k", `after-clear-${i}`, { tags: ["biz:ms"] });
      expect(knowledge.peek("k")).toBe(`after-clear-${i}`);
      await a.invalidateTags(["biz:ms"]);
      expect(knowledge.peek("k")).toBeUndefined();
      await knowledge.set("k", `after-tags-${i}`, { tags: ["biz:ms"] });
      expect(knowledge.peek("k")).toBe(`after-tags-${i}`);
    }
    expect(await newCache(redisL2({ url }), prefix).namespace<string>("knowledge").get("k")).toBe("after-tags-49");
  });
});

describe("tag times while the bus is down", () => {
  test("a tag invalidated on A while B's subscription is down reaches B through the time key, not a message", async () => {
    const { url } = await sharedRedis();
    const prefix = uniquePrefix("g");
    const inner = redisL2({ url });
    const innerBus = inner.bus!;
    // B's subscription can be cut: messages stop arriving and B is told it is down.
    let cut = false;
    let report: ((state: "up" | "down") => void) | undefined;
    const bL2 = counting({
      ...inner,
      bus: {
        publish: (channel, message) => innerBus.publish(channel, message),
        subscribe: (channel, onMessage, onState) => {
          report = onState;
          return innerBus.subscribe(channel, (message) => (cut ? undefined : onMessage(message)), (state) => onState?.(cut ? "down" : state));
        },
      },
    });
    const a = newCache(redisL2({ url }), prefix);
    const b = newCache(bL2, prefix, { bus: { l1TtlWhileDown: 200 } });
    await waitFor("both buses up", () => a.stats().bus.state === "up" && b.stats().bus.state === "up");
    await a.namespace<string>("knowledge").set("q1", "one", { tags: ["biz:bella"] });
    await waitFor("the set's message to arrive", () => b.stats().bus.received >= 1);
    const kb = b.namespace<string>("knowledge");
    expect(await kb.get("q1")).toBe("one");

    cut = true;
    report?.("down");
    expect(b.stats().bus.state).toBe("down");
    const received = b.stats().bus.received;
    const before = bL2.calls.length;
    await a.invalidateTags(["biz:bella"]);
    await waitFor("B to see the invalidation", async () => (await kb.get("q1")) === undefined, 5_000);
    expect(b.stats().bus.received).toBe(received);
    expect(bL2.calls.slice(before).some((c) => c.startsWith("getMany ") && c.includes(`${prefix}:__tt:biz:bella`))).toBe(true);
    // Still there as stale for a failing loader.
    expect(await kb.getOrSet("q1", failing)).toBe("one");
    cut = false;
  });
});
