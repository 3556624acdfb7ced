/**
 * Several cache instances sharing one L2, as several servers do: the invalidation bus over every
 * real transport (single redis, cluster, Upstash REST), the staleness bound while the bus is down,
 * the replay of writes that failed while L2 was out, and distributed single flight.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { Redis } from "ioredis";
import {
  createCache,
  encodeEnvelope,
  memoryL2,
  type Cache,
  type CacheOptions,
  type L2Adapter,
} from "../../src/cache/index.ts";
import { redisClusterL2, redisL2 } from "../../src/cache/redis.ts";
import { upstashL2 } from "../../src/cache/upstash.ts";
import { sharedCluster, sharedRedis, sharedUpstash, startRedis } from "../support/servers.ts";
import { switchableBusView } from "../support/switchable-bus.ts";

type Names = "business" | "knowledge" | "session";

const open: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  await Promise.allSettled(open.map((c) => c.close()));
});

let run = 0;
const uniquePrefix = (label: string) => `bus${label}${Date.now().toString(36)}${(run++).toString(36)}`;

function newCache(l2: L2Adapter, prefix: string, extra: Partial<CacheOptions<Names>> = {}): Cache<Names> {
  const cache = createCache<Names>({
    prefix,
    l2,
    l2TimeoutMs: 1_000,
    namespaces: {
      business: { ttl: 60_000, l1Ttl: 60_000 },
      knowledge: { ttl: 60_000, l1Ttl: 60_000, grace: 60_000 },
      session: { ttl: 60_000 },
    },
    ...extra,
  });
  open.push(cache);
  return cache;
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(10);
  }
}

const busUp = (...caches: Cache<Names>[]) => waitFor("the buses to be up", () => caches.every((c) => c.stats().bus.state === "up"));

/** Waits until `from` has sent `total` messages in all and `to` has received `total` from others in all. */
async function delivered(from: Cache<Names>, to: Cache<Names>, total: number): Promise<void> {
  await waitFor(`${total} messages to go out`, () => from.stats().bus.sent >= total);
  await waitFor(`${total} messages to arrive`, () => to.stats().bus.received >= total);
}

// ---------------------------------------------------------------------------------------------

const transports: Array<[string, () => Promise<() => L2Adapter>]> = [
  ["redis", async () => {
    const { url } = await sharedRedis();
    return () => redisL2({ url });
  }],
  ["redis-cluster", async () => {
    const { seeds } = await sharedCluster();
    return () => redisClusterL2({ nodes: seeds });
  }],
  ["upstash", async () => {
    const { url, token } = await sharedUpstash();
    return () => upstashL2({ url, token });
  }],
];

for (const [label, makeFactory] of transports) {
  describe(`invalidation bus over ${label}`, () => {
    test("set, delete, expire, invalidateTags and clear on A reach B's L1", async () => {
      const adapter = await makeFactory();
      const prefix = uniquePrefix(label);
      const a = newCache(adapter(), prefix);
      const b = newCache(adapter(), prefix);
      await busUp(a, b);
      const ka = a.namespace<string>("knowledge");
      const kb = b.namespace<string>("knowledge");
      for (const k of ["s", "d", "e", "plain"]) await ka.set(k, "v1");
      await ka.set("t", "v1", { tags: ["biz:x"] });
      await a.namespace<string>("business").set("+1555", "bella");
      await delivered(a, b, 6);
      for (const k of ["s", "d", "e", "plain", "t"]) {
        expect(await kb.get(k)).toBe("v1");
        expect(kb.peek(k)).toBe("v1");
      }
      expect(await b.namespace<string>("business").get("+1555")).toBe("bella");

      await ka.set("s", "v2");
      await waitFor("set to reach B", () => kb.peek("s") === undefined);
      expect(await kb.get("s")).toBe("v2");

      await ka.delete("d");
      await waitFor("delete to reach B", () => kb.peek("d") === undefined);
      expect(await kb.get("d")).toBeUndefined();

      await ka.expire("e");
      await waitFor("expire to reach B", () => kb.peek("e") === undefined);
      // Expired, not gone: a failing loader still falls back to it within grace.
      expect(await kb.getOrSet("e", () => Promise.reject(new Error("source down")))).toBe("v1");

      await a.invalidateTags(["biz:x"]);
      await waitFor("the tag invalidation to reach B", () => kb.peek("t") === undefined);
      expect(kb.peek("plain")).toBe("v1");

      await a.clear("business");
      await waitFor("clear to reach B", () => b.namespace("business").peek("+1555") === undefined);
      expect(kb.peek("plain")).toBe("v1");
    });

    test("B ignores its own messages and messages older than its entry", async () => {
      const adapter = await makeFactory();
      const prefix = uniquePrefix(label);
      const a = newCache(adapter(), prefix);
      const b = newCache(adapter(), prefix);
      await busUp(a, b);
      const kb = b.namespace<string>("knowledge");

      // B's own set publishes a drop of the key; were B to apply it, its new value would go.
      await kb.set("own", "mine");
      await delivered(b, a, 1);
      expect(a.stats().bus.received).toBe(1);
      expect(b.stats().bus.received).toBe(0);
      expect(kb.peek("own")).toBe("mine");

      // Messages from another instance, sent before B's entry was produced, leave it alone.
      const raw = adapter();
      open.push(raw);
      const channel = `${prefix}:__bus`;
      const wire = (t: number) => JSON.stringify({ i: "another-instance", t, k: "del", n: "knowledge", ks: ["own"] });
      await raw.bus!.publish(channel, wire(Date.now() - 60_000));
      await raw.bus!.publish(channel, "not json");
      await waitFor("the old message and the garbage to arrive", () => b.stats().bus.received === 1 && b.stats().bus.dropped === 1);
      expect(kb.peek("own")).toBe("mine");

      await raw.bus!.publish(channel, wire(Date.now() + 1));
      await waitFor("the newer message to drop the entry", () => kb.peek("own") === undefined);
    });
  });
}

// ---------------------------------------------------------------------------------------------

describe("while the bus is down", () => {
  async function pair(l1TtlWhileDown: number) {
    const store = memoryL2();
    open.push(store);
    const prefix = uniquePrefix("down");
    const a = newCache({ ...store, kind: store.kind, bus: store.bus, describe: () => store.describe(), close: async () => undefined }, prefix);
    const view = switchableBusView(store);
    const b = newCache(view.adapter, prefix, { bus: { l1TtlWhileDown } });
    await busUp(a, b);
    const ka = a.namespace<string>("knowledge");
    const kb = b.namespace<string>("knowledge");
    await ka.set("k", "v1");
    await delivered(a, b, 1);
    expect(await kb.get("k")).toBe("v1");
    expect(kb.peek("k")).toBe("v1");
    return { store, prefix, view, ka, kb, b };
  }

  test("entries from before the drop are read from L2 again, and new ones answer from L1 for at most l1TtlWhileDown", async () => {
    const { view, ka, kb, b } = await pair(300);
    view.setDown(true);
    expect(b.stats().bus.state).toBe("down");
    await ka.set("k", "v2"); // B misses this message
    // The entry B filled before the drop no longer answers from L1.
    expect(kb.peek("k")).toBeUndefined();
    expect(await kb.get("k")).toBe("v2");

    await ka.set("k", "v3"); // missed too
    await Bun.sleep(350);
    expect(kb.peek("k")).toBeUndefined();
    expect(await kb.get("k")).toBe("v3");
  });

  test("when the bus is back, entries filled while it was down are read from L2 again at once", async () => {
    const { store, prefix, view, kb } = await pair(30_000);
    view.setDown(true);
    expect(await kb.get("k")).toBe("v1");
    expect(kb.peek("k")).toBe("v1");
    // A change B cannot hear about: written straight to L2, no message at all.
    const now = Date.now();
    await store.set(`${prefix}:knowledge:k`, encodeEnvelope({ value: "v2", createdAt: now, expiresAt: now + 60_000, staleUntil: now + 120_000, tags: undefined }, 2_048), 120_000);
    expect(kb.peek("k")).toBe("v1");
    view.setDown(false);
    expect(kb.peek("k")).toBeUndefined();
    expect(await kb.get("k")).toBe("v2");
    expect(kb.peek("k")).toBe("v2");
  });
});

// ---------------------------------------------------------------------------------------------

/** A real adapter behind a switch: while `failing`, every call (and, separately, publishing) throws. */
function faulty(inner: L2Adapter) {
  const state = { failing: false, publishFailing: false };
  const guard = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) => (...args: A): Promise<R> =>
    state.failing ? Promise.reject(new Error("connect ECONNREFUSED (injected)")) : fn(...args);
  const adapter: L2Adapter = {
    kind: inner.kind,
    get: guard((k) => inner.get(k)),
    getMany: guard((k) => inner.getMany(k)),
    set: guard((k, v, t) => inner.set(k, v, t)),
    setIfAbsent: guard((k, v, t) => inner.setIfAbsent(k, v, t)),
    increment: guard((k, t) => inner.increment(k, t)),
    delete: guard((k) => inner.delete(k)),
    deleteMany: guard((k) => inner.deleteMany(k)),
    deleteByPrefix: guard((p) => inner.deleteByPrefix(p)),
    ping: guard(() => inner.ping()),
    describe: () => inner.describe(),
    bus: {
      publish: (channel, message) =>
        state.failing || state.publishFailing ? Promise.reject(new Error("connect ECONNREFUSED (injected)")) : inner.bus!.publish(channel, message),
      subscribe: (channel, onMessage, onState) => inner.bus!.subscribe(channel, onMessage, onState),
    },
    close: () => inner.close(),
  };
  return { adapter, state };
}

const fastRecovery: Partial<CacheOptions<Names>> = {
  l2TimeoutMs: 150,
  breaker: { failureThreshold: 2, openMs: 200 },
  writeQueue: { retryEveryMs: 100 },
};

describe("writes made while L2 is out", () => {
  test("set, delete, invalidateTags and clear are replayed once a killed redis-server is back", async () => {
    // Persisted on every write, so that the kill loses nothing and the replays have something to change.
    const redis = await startRedis({ args: ["--appendonly", "yes", "--appendfsync", "always"] });
    open.push({ close: () => redis.stop() });
    const prefix = uniquePrefix("replay");
    const a = newCache(redisL2({ url: redis.url }), prefix, fastRecovery);
    const ka = a.namespace<string>("knowledge");
    await ka.set("keep", "v0");
    await ka.set("gone", "v0");
    await ka.set("tagged", "v0", { tags: ["biz:t"] });
    await a.namespace<string>("business").set("+1555", "v0");

    await redis.kill();
    await ka.set("keep", "v1");
    await ka.set("keep", "v2"); // the newest write of a key wins
    await ka.delete("gone");
    await a.invalidateTags(["biz:t"]);
    await a.namespace<string>("session").set("CA1", "state");
    await a.clear("business");
    // Five writes wait (a retry attempt may have one more in flight for a moment: the first "keep").
    await waitFor("five writes to wait", () => a.stats().writeQueue?.pending === 5);
    expect(a.stats().writeQueue).toMatchObject({ dropped: 0, replayed: 0 });
    // Meanwhile this instance answers from L1.
    expect(await ka.get("keep")).toBe("v2");

    await redis.restart();
    await waitFor("the queue to drain", () => a.stats().writeQueue?.pending === 0);
    expect(a.stats().writeQueue).toMatchObject({ pending: 0, replayed: 5, dropped: 0 });
    expect(a.stats().breaker?.state).toBe("closed");

    const other = newCache(redisL2({ url: redis.url }), prefix);
    const ko = other.namespace<string>("knowledge");
    expect(await ko.get("keep")).toBe("v2");
    expect(await ko.get("gone")).toBeUndefined();
    expect(await ko.get("tagged")).toBeUndefined();
    expect(await other.namespace<string>("session").get("CA1")).toBe("state");
    expect(await other.namespace<string>("business").get("+1555")).toBeUndefined();
  });

  test("a replay never overwrites a newer entry, a later invalidation discards it, and the queue is bounded", async () => {
    const { url } = await sharedRedis();
    const prefix = uniquePrefix("newer");
    const broken = faulty(redisL2({ url }));
    const a = newCache(broken.adapter, prefix, fastRecovery);
    const bounded = faulty(redisL2({ url }));
    const small = newCache(bounded.adapter, `${prefix}small`, { ...fastRecovery, writeQueue: { maxEntries: 3, retryEveryMs: 100 } });
    const b = newCache(redisL2({ url }), prefix);
    await busUp(a, b, small);
    const ka = a.namespace<string>("knowledge");
    const kb = b.namespace<string>("knowledge");
    const raw = new Redis(url);
    open.push({ close: async () => void raw.disconnect() });

    broken.state.failing = true;
    await ka.set("x", "from-a"); // superseded by B's later set, announced on the bus
    await ka.set("y", "from-a"); // superseded by a newer entry written to L2 without a message
    await ka.delete("z"); // B writes z afterwards: the late delete must not remove it
    expect(a.stats().writeQueue?.pending).toBe(3);

    await kb.set("x", "from-b");
    await delivered(b, a, 1);
    expect(a.stats().writeQueue).toMatchObject({ pending: 2, discarded: 1 });
    const now = Date.now() + 1_000;
    await raw.set(`${prefix}:knowledge:y`, encodeEnvelope({ value: "newer", createdAt: now, expiresAt: now + 60_000, staleUntil: now + 60_000, tags: undefined }, 2_048), "PX", 60_000);
    await kb.set("z", "from-b");

    bounded.state.failing = true;
    const ks = small.namespace<string>("knowledge");
    for (let i = 1; i <= 5; i++) await ks.set(`n${i}`, `v${i}`);
    expect(small.stats().writeQueue).toMatchObject({ pending: 3, dropped: 2 });

    broken.state.failing = false;
    bounded.state.failing = false;
    await waitFor("both queues to drain", () => a.stats().writeQueue?.pending === 0 && small.stats().writeQueue?.pending === 0);
    const reader = newCache(redisL2({ url }), prefix).namespace<string>("knowledge");
    expect(await reader.get("x")).toBe("from-b");
    expect(await reader.get("y")).toBe("newer");
    expect(await reader.get("z")).toBe("from-b");
    const smallReader = newCache(redisL2({ url }), `${prefix}small`).namespace<string>("knowledge");
    expect(await smallReader.getMany(["n1", "n2", "n3", "n4", "n5"])).toEqual([undefined, undefined, "v3", "v4", "v5"]);
  });

  test("bus messages that failed to go out are sent once publishing works again", async () => {
    const { url } = await sharedRedis();
    const prefix = uniquePrefix("pub");
    const broken = faulty(redisL2({ url }));
    const a = newCache(broken.adapter, prefix);
    const b = newCache(redisL2({ url }), prefix);
    await busUp(a, b);
    const kb = b.namespace<string>("knowledge");
    await a.namespace<string>("knowledge").set("k", "v1");
    await delivered(a, b, 1);
    expect(await kb.get("k")).toBe("v1");

    // The subscription stays up; only publishing fails, so no reconnect will trigger a resend.
    broken.state.publishFailing = true;
    await a.namespace<string>("knowledge").delete("k");
    await waitFor("the publish to fail", () => a.stats().bus.pending === 1);
    expect(kb.peek("k")).toBe("v1");
    broken.state.publishFailing = false;
    await waitFor("the queued message to reach B", () => kb.peek("k") === undefined);
    expect(a.stats().bus.pending).toBe(0);
  });

  test("publishes queued while a killed redis-server is down go out on reconnect; what B missed is read again", async () => {
    const redis = await startRedis({ args: ["--appendonly", "yes", "--appendfsync", "always"] });
    open.push({ close: () => redis.stop() });
    const prefix = uniquePrefix("reconnect");
    const a = newCache(redisL2({ url: redis.url }), prefix, fastRecovery);
    const b = newCache(redisL2({ url: redis.url }), prefix, fastRecovery);
    await busUp(a, b);
    const kb = b.namespace<string>("knowledge");
    await a.namespace<string>("knowledge").set("k", "v1");
    await delivered(a, b, 1);
    expect(await kb.get("k")).toBe("v1");

    await redis.kill();
    await a.namespace<string>("knowledge").delete("k");
    await a.invalidateTags(["biz:y"]);
    await waitFor("both publishes to fail", () => a.stats().bus.pending === 2);
    const sentBefore = a.stats().bus.sent;
    await redis.restart();
    await busUp(a, b);
    await waitFor("the queued messages to go out", () => a.stats().bus.pending === 0 && a.stats().bus.sent >= sentBefore + 2);
    // Whether B was listening again when they went out or not, it does not serve the deleted value
    // once it reaches L2 again (until then it answers from L1, as it must while L2 is out).
    await waitFor("A's delete to be replayed", () => a.stats().writeQueue?.pending === 0);
    await waitFor("B to reach L2 again", async () => (await b.health()).l2?.reachable === true);
    expect(kb.peek("k")).toBeUndefined();
    expect(await kb.get("k")).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------

const lockBackends = transports.filter(([name]) => name === "redis" || name === "redis-cluster");

const lockNamespaces = {
  business: { ttl: 60_000 },
  knowledge: { ttl: 60_000, distributedLock: { ttl: 5_000, wait: 3_000 } },
  session: { ttl: 60_000, distributedLock: { ttl: 5_000, wait: 200 } },
};

for (const [label, makeFactory] of lockBackends) {
  describe(`distributed single flight on ${label}`, () => {
    test("two instances missing the same keys together run each loader once", async () => {
      const adapter = await makeFactory();
      const prefix = uniquePrefix(`lock${label}`);
      const a = newCache(adapter(), prefix, { namespaces: lockNamespaces });
      const b = newCache(adapter(), prefix, { namespaces: lockNamespaces });
      const runs = new Map<string, number>();
      const loader = (who: string) => async ({ key }: { key: string }) => {
        runs.set(key, (runs.get(key) ?? 0) + 1);
        await Bun.sleep(150);
        return `${key} by ${who}`;
      };
      const keys = Array.from({ length: 20 }, (_, i) => `q${i}`);
      const results = await Promise.all(
        keys.flatMap((k) => [a.namespace<string>("knowledge").getOrSet(k, loader("a")), b.namespace<string>("knowledge").getOrSet(k, loader("b"))]),
      );
      for (let i = 0; i < keys.length; i++) expect(results[2 * i]).toBe(results[2 * i + 1] as string);
      expect([...runs.values()].every((n) => n === 1)).toBe(true);
      expect(runs.size).toBe(20);
      const waits = (a.stats().namespaces.knowledge?.lockWaits ?? 0) + (b.stats().namespaces.knowledge?.lockWaits ?? 0);
      expect(waits).toBe(20);

      // Without the lock, the same race runs the loader on both instances (for most keys at least).
      runs.clear();
      await Promise.all(keys.flatMap((k) => [a.namespace<string>("business").getOrSet(k, loader("a")), b.namespace<string>("business").getOrSet(k, loader("b"))]));
      expect([...runs.values()].reduce((sum, n) => sum + n, 0)).toBeGreaterThan(30);
    });

    test("when the holder's loader fails a waiter takes over, and a holder slower than the wait is not waited for", async () => {
      const adapter = await makeFactory();
      const prefix = uniquePrefix(`lockfail${label}`);
      const a = newCache(adapter(), prefix, { namespaces: lockNamespaces });
      const b = newCache(adapter(), prefix, { namespaces: lockNamespaces });
      const ka = a.namespace<string>("knowledge");
      const kb = b.namespace<string>("knowledge");

      const raw = adapter();
      open.push(raw);
      const locked = (ns: string, key: string) => waitFor("A to hold the lock", async () => (await raw.get(`${prefix}:__lock:${ns}:${key}`)) !== null);

      const failing = ka.getOrSet("f", async () => {
        await Bun.sleep(100);
        throw new Error("source down");
      });
      await locked("knowledge", "f");
      let bRan = false;
      const taken = kb.getOrSet("f", () => {
        bRan = true;
        return "from b";
      });
      await expect(failing).rejects.toThrow("source down");
      expect(await taken).toBe("from b");
      expect(bRan).toBe(true);

      // session: wait 200 ms. A's loader takes far longer; B runs its own after the wait.
      const slow = a.namespace<string>("session").getOrSet("s", async () => {
        await Bun.sleep(1_000);
        return "slow a";
      });
      await locked("session", "s");
      expect(await b.namespace<string>("session").getOrSet("s", () => "quick b")).toBe("quick b");
      expect(b.stats().namespaces.session?.lockTimeouts).toBe(1);
      expect(await slow).toBe("slow a");
    });
  });
}

test("with L2 out, a namespace with a distributed lock still loads without waiting for a lock", async () => {
  const { url } = await sharedRedis();
  const broken = faulty(redisL2({ url }));
  broken.state.failing = true;
  // A wait longer than the test's timeout: waiting at all would fail the test.
  const namespaces = { ...lockNamespaces, knowledge: { ttl: 60_000, distributedLock: { ttl: 120_000, wait: 120_000 } } };
  const cache = newCache(broken.adapter, uniquePrefix("lockout"), { namespaces, l2TimeoutMs: 100 });
  expect(await cache.namespace<string>("knowledge").getOrSet("k", () => "loaded")).toBe("loaded");
  expect(cache.stats().namespaces.knowledge).toMatchObject({ loaderHits: 1, lockWaits: 0, lockTimeouts: 0 });
});
