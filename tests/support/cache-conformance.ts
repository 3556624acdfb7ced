/**
 * The cache's contract over one L2, as one suite: every transport (the in-process store, a single
 * redis-server, a cluster, Upstash) runs all of it with one call from tests/cache/behaviour.test.ts.
 * Two cache instances sharing one L2 stand for two server instances; where the store is a real
 * Redis the suite reads TTLs and raw text straight from it.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Cluster, Redis } from "ioredis";
import { createCache, type Cache, type L2Adapter } from "../../src/cache/index.ts";
import { waitFor } from "./wait.ts";

type Names = "business" | "knowledge" | "session";

/** What one transport brings to the suite. */
export interface CacheBackend {
  /** A fresh adapter to the same store each call: two caches built from it share L2. */
  adapter(): L2Adapter;
  /** An ioredis client on the store behind the adapters, where there is one; the suite disconnects it. */
  raw?: Redis | Cluster;
}

/** Reads what the cache wrote, straight from the store, to check TTLs and raw text. */
interface RawStore {
  pttl(key: string): Promise<number>;
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  exists(key: string): Promise<boolean>;
  close(): Promise<void>;
}

function ioredisRaw(client: Redis | Cluster): RawStore {
  return {
    pttl: (k) => client.pttl(k),
    get: (k) => client.get(k),
    set: async (k, v) => {
      await client.set(k, v);
    },
    exists: async (k) => (await client.exists(k)) === 1,
    close: async () => {
      client.disconnect();
    },
  };
}

let run = 0;

/**
 * Defines the cache's whole contract over one L2 as a `describe` block named "cache on `name`"
 * (`name` is also the `kind` health must report): L1 and L2 hits, TTLs with jitter, single flight,
 * batched getMany, deletes and tags across instances, exact round trips, corrupt entries, health.
 *
 * @example
 * runCacheConformance("redis", async () => {
 *   const { url } = await sharedRedis();
 *   return { adapter: () => redisL2({ url }), raw: new Redis(url) };
 * });
 */
export function runCacheConformance(name: L2Adapter["kind"], openBackend: () => Promise<CacheBackend>): void {
  describe(`cache on ${name}`, () => {
    let backend: CacheBackend;
    let raw: RawStore | undefined;
    const open: Cache<Names>[] = [];

    beforeAll(async () => {
      backend = await openBackend();
      raw = backend.raw && ioredisRaw(backend.raw);
      // Starting the shared cluster can take longer than the 5 s a hook gets by default.
    }, 60_000);
    afterAll(async () => {
      await Promise.all(open.map((c) => c.close()));
      await raw?.close();
    });

    function newCache(prefix: string, extra: Partial<Parameters<typeof createCache<Names>>[0]> = {}): Cache<Names> {
      const cache = createCache<Names>({
        prefix,
        l1: { maxEntries: 1_000 },
        l2: backend.adapter(),
        l2TimeoutMs: 2_000,
        namespaces: {
          business: { ttl: 60_000, l1Ttl: 30_000, jitter: 0.1 },
          knowledge: { ttl: 120_000, grace: 60_000 },
          session: { ttl: 10_000 },
        },
        ...extra,
      });
      open.push(cache);
      return cache;
    }
    const uniquePrefix = () => `t${Date.now().toString(36)}${(run++).toString(36)}`;

    test("an L1 hit answers without L2, and peek is synchronous", async () => {
      const prefix = uniquePrefix();
      const adapter = backend.adapter();
      let l2Calls = 0;
      const counting: L2Adapter = {
        ...adapter,
        kind: adapter.kind,
        describe: () => adapter.describe(),
        get: (k) => (l2Calls++, adapter.get(k)),
        getMany: (k) => (l2Calls++, adapter.getMany(k)),
        set: (k, v, t) => (l2Calls++, adapter.set(k, v, t)),
        close: () => adapter.close(),
      };
      const cache = createCache<Names>({ prefix, l2: counting, namespaces: { business: { ttl: 60_000 }, knowledge: { ttl: 1 }, session: { ttl: 1 } } });
      open.push(cache);
      const business = cache.namespace<string>("business");
      expect(await business.getOrSet("a", () => "A")).toBe("A");
      await cache.idle();
      const before = l2Calls;
      for (let i = 0; i < 100; i++) expect(await business.getOrSet("a", () => "never")).toBe("A");
      expect(l2Calls).toBe(before);
      expect(business.peek("a")).toBe("A");
      expect(business.peek("missing")).toBeUndefined();
      expect(cache.stats().namespaces.business?.l1Hits).toBe(100);
    });

    test("an L1 miss reads L2 and fills L1; an L2 miss runs the loader and writes both with TTL plus jitter", async () => {
      const prefix = uniquePrefix();
      const a = newCache(prefix);
      const b = newCache(prefix);
      let loads = 0;
      const value = { id: "bella-pizza", phones: ["+15550001111"] };
      expect(await a.namespace("business").getOrSet("+15550001111", () => (loads++, value))).toEqual(value);
      await a.idle();
      expect(loads).toBe(1);
      if (raw) {
        const pttl = await raw.pttl(`${prefix}:business:+15550001111`);
        expect(pttl).toBeGreaterThan(55_000);
        expect(pttl).toBeLessThanOrEqual(66_000);
      }
      // The second instance finds it in L2 and keeps it in its own L1.
      const fromB = await b.namespace("business").getOrSet("+15550001111", () => (loads++, null));
      expect(fromB).toEqual(value);
      expect(loads).toBe(1);
      expect(b.stats().namespaces.business).toMatchObject({ l2Hits: 1, l1Misses: 1 });
      expect(b.namespace("business").peek("+15550001111")).toEqual(value);
    });

    test("jitter spreads TTLs of entries filled together", async () => {
      if (!raw) return expect(name).toBe("memory");
      const prefix = uniquePrefix();
      const cache = newCache(prefix);
      const business = cache.namespace<number>("business");
      await Promise.all(Array.from({ length: 20 }, (_, i) => business.getOrSet(`n${i}`, () => i)));
      await cache.idle();
      const ttls = await Promise.all(Array.from({ length: 20 }, (_, i) => raw!.pttl(`${prefix}:business:n${i}`)));
      expect(new Set(ttls.map((t) => Math.round(t / 100))).size).toBeGreaterThan(5);
      for (const t of ttls) expect(t).toBeLessThanOrEqual(66_000);
    });

    test("1,000 concurrent misses run the loader once; a loader error rejects every waiter and is not cached", async () => {
      const cache = newCache(uniquePrefix());
      const knowledge = cache.namespace<string>("knowledge");
      let runs = 0;
      const loader = async () => {
        runs++;
        await Bun.sleep(20);
        return "answer";
      };
      const results = await Promise.all(Array.from({ length: 1_000 }, () => knowledge.getOrSet("cold", loader)));
      expect(runs).toBe(1);
      expect(new Set(results)).toEqual(new Set(["answer"]));

      let failing = 0;
      const bad = async () => {
        failing++;
        await Bun.sleep(5);
        throw new Error("source down");
      };
      const settled = await Promise.allSettled(Array.from({ length: 50 }, () => knowledge.getOrSet("broken", bad)));
      expect(failing).toBe(1);
      expect(settled.every((s) => s.status === "rejected" && (s.reason as Error).message === "source down")).toBe(true);
      expect(await knowledge.getOrSet("broken", () => "recovered")).toBe("recovered");
    });

    test("getMany takes L1, then L2 in one batch, then one batch-loader call for the rest", async () => {
      const prefix = uniquePrefix();
      const a = newCache(prefix);
      const b = newCache(prefix);
      const keys = Array.from({ length: 60 }, (_, i) => `k${i}:${i * 7919}`);
      // Half the keys exist in L2 (written by the other instance), a few are in b's L1.
      for (const k of keys.slice(0, 30)) await a.namespace<string>("knowledge").set(k, `v-${k}`);
      await b.namespace<string>("knowledge").set(keys[59] as string, "local");
      const batches: string[][] = [];
      const values = await b.namespace<string>("knowledge").getMany(keys, async (missing) => {
        batches.push(missing);
        return missing.map((k) => (k.endsWith("0") ? undefined : `loaded-${k}`));
      });
      expect(batches.length).toBe(1);
      expect(batches[0]).toEqual(keys.slice(30, 59));
      keys.forEach((k, i) => {
        if (i < 30) expect(values[i]).toBe(`v-${k}`);
        else if (i === 59) expect(values[i]).toBe("local");
        else expect(values[i]).toBe(k.endsWith("0") ? undefined : `loaded-${k}`);
      });
      await b.idle();
      // What the batch loader produced went to L2 for everyone.
      const c = newCache(prefix);
      const again = await c.namespace<string>("knowledge").getMany(keys.slice(30, 40));
      expect(again).toEqual(keys.slice(30, 40).map((k) => (k.endsWith("0") ? undefined : `loaded-${k}`)));
    });

    test("delete removes, invalidateTags expires and clear removes entries, in L2 and in the other instance's L1", async () => {
      const prefix = uniquePrefix();
      const a = newCache(prefix);
      const b = newCache(prefix);
      const ka = a.namespace<string>("knowledge");
      const kb = b.namespace<string>("knowledge");
      await ka.set("q1", "one", { tags: ["biz:bella"] });
      await ka.set("q2", "two", { tags: ["biz:bella", "menu"] });
      await ka.set("q3", "three", { tags: ["biz:dental"] });
      await ka.set("q4", "four");
      // A bus that is still connecting may report a drop, which rightly makes L1 distrust itself.
      if (backend.adapter().bus) await waitFor("both buses to be up", () => a.stats().bus.state === "up" && b.stats().bus.state === "up");
      for (const k of ["q1", "q2", "q3", "q4"]) expect(await kb.get(k)).toBeDefined();

      await ka.delete("q4");
      expect(await newCache(prefix).namespace("knowledge").get("q4")).toBeUndefined();
      if (raw) expect(await raw.exists(`${prefix}:knowledge:q4`)).toBe(false);

      await a.invalidateTags(["biz:bella"]);
      const fresh = newCache(prefix).namespace<string>("knowledge");
      expect(await fresh.get("q1")).toBeUndefined();
      expect(await fresh.get("q2")).toBeUndefined();
      expect(await fresh.get("q3")).toBe("three");
      if (raw) {
        // One small key per tag holds the invalidation time; the entries stay until their TTL, expired.
        const at = Number(await raw.get(`${prefix}:__tt:biz:bella`));
        expect(at).toBeGreaterThan(Date.now() - 60_000);
        expect(await raw.exists(`${prefix}:knowledge:q1`)).toBe(true);
        expect(await raw.exists(`${prefix}:__tag:biz:bella`)).toBe(false);
      }
      // Expired, not gone: a failing loader falls back to it within grace.
      const graceful = newCache(prefix).namespace<string>("knowledge");
      expect(await graceful.getOrSet("q1", () => Promise.reject(new Error("directory down")))).toBe("one");
      // The other instance's L1 drops them through the bus (where the L2 has one).
      if (backend.adapter().bus) {
        await waitFor("the bus to drop the tagged entries", () => kb.peek("q1") === undefined && kb.peek("q2") === undefined);
        expect(kb.peek("q3")).toBe("three");
      }

      await ka.set("q5", "five");
      await a.clear("knowledge");
      expect(await newCache(prefix).namespace("knowledge").get("q5")).toBeUndefined();
      expect(await newCache(prefix).namespace("knowledge").get("q3")).toBeUndefined();
      // clear wrote the namespace's clear time: one key, no scan; the old entries are misses now.
      if (raw) expect(Number(await raw.get(`${prefix}:__ns:knowledge`))).toBeGreaterThan(Date.now() - 60_000);
      // The other instance's L1 hears the clear over the bus (asynchronously); without a bus the
      // local clear is the whole story.
      if (backend.adapter().bus) await waitFor("the bus to clear the other L1", () => kb.peek("q3") === undefined);
      expect(kb.peek("q3")).toBeUndefined();
    });

    test("values round-trip exactly through L2, large ones compressed", async () => {
      const prefix = uniquePrefix();
      const a = newCache(prefix);
      const big = { rows: Array.from({ length: 2_000 }, (_, i) => ({ i, text: `row ${i} — ünïcödé ✓ 📞`, n: i / 3 })) };
      const samples: Record<string, unknown> = {
        numberish: "123",
        boolish: "true",
        nullish: "null",
        empty: "",
        unicode: "Grüße aus Köln — 東京 — 📞",
        zero: 0,
        float: 1.5e-7,
        negative: -42,
        no: false,
        nothing: null,
        list: [1, "2", null, { a: [] }],
        nested: { a: { b: { c: ["x", { d: "y" }] } }, "key with spaces": "v" },
        big,
      };
      for (const [k, v] of Object.entries(samples)) await a.namespace("knowledge").set(k, v);
      const b = newCache(prefix).namespace("knowledge");
      for (const [k, v] of Object.entries(samples)) expect(await b.get(k)).toEqual(v);
      if (raw) {
        expect((await raw.get(`${prefix}:knowledge:big`))?.startsWith("vz1")).toBe(true);
        expect((await raw.get(`${prefix}:knowledge:numberish`))?.startsWith("vx1")).toBe(true);
      }
    });

    test("a corrupt or foreign L2 entry is a miss, is counted, and is overwritten", async () => {
      if (!raw) return expect(name).toBe("memory");
      const prefix = uniquePrefix();
      await raw.set(`${prefix}:knowledge:garbage`, "vx1[1,2,");
      await raw.set(`${prefix}:knowledge:foreign`, '{"value":"from another app"}');
      const cache = newCache(prefix);
      const knowledge = cache.namespace<string>("knowledge");
      expect(await knowledge.getOrSet("garbage", () => "reloaded")).toBe("reloaded");
      expect(await knowledge.getOrSet("foreign", () => "mine")).toBe("mine");
      expect(cache.stats().namespaces.knowledge?.corrupt).toBe(2);
      await cache.idle();
      expect((await raw.get(`${prefix}:knowledge:garbage`))?.startsWith("vx1")).toBe(true);
      expect(await newCache(prefix).namespace("knowledge").get("garbage")).toBe("reloaded");
    });

    test("undefined is rejected with a clear error and nothing is stored", async () => {
      const cache = newCache(uniquePrefix());
      const knowledge = cache.namespace<unknown>("knowledge");
      await expect(knowledge.set("u", undefined)).rejects.toThrow(/undefined.*null/);
      await expect(knowledge.getOrSet("u", () => undefined)).rejects.toThrow(/undefined/);
      expect(await knowledge.getOrSet("u", () => null)).toBeNull();
    });

    test("health names the L2 and reports it reachable with a closed breaker", async () => {
      const health = await newCache(uniquePrefix()).health();
      expect(health.status).toBe("ok");
      expect(health.l2).toMatchObject({ kind: name, reachable: true });
      expect(health.breaker?.state).toBe("closed");
    });
  });
}
