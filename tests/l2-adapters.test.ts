/**
 * One conformance suite run against every L2 adapter (memory, redis, redis-cluster, upstash), on
 * real servers from tests/support/servers.ts, plus the behaviour specific to each backend: a dead
 * server, the cluster seed with cluster mode off, Upstash errors that must not leak, and the
 * CACHE_L2 environment table.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { Cluster, Redis } from "ioredis";
import { memoryL2, redisClusterL2, redisL2, upstashL2 } from "../src/cache/l2/index.ts";
import type { L2Adapter, L2Description } from "../src/cache/l2/index.ts";
import { loadConfig } from "../src/config.ts";
import { l2FromConfig } from "../src/l2-from-config.ts";

/** The server's path from environment to adapter: one validation (`loadConfig`), then the builder. */
const adapterFor = (env: Record<string, string>): L2Adapter | undefined => l2FromConfig(loadConfig(env));
import { sharedCluster, sharedRedis, sharedUpstash, startCluster, startRedis, startUpstash } from "./support/servers.ts";

/** Polls until `check` holds; fails the test with `what` after `timeoutMs` (a hang guard, not a timing assertion). */
async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (Date.now() > until) throw new Error(`timed out waiting for: ${what}`);
    await Bun.sleep(20);
  }
}

/** Settles `work` or reports that it hung; a generous bound so a noisy machine cannot fail it. */
async function settleOrHang<T>(work: Promise<T>, hangMs = 5_000): Promise<{ value: T } | { error: Error } | "hung"> {
  return Promise.race([
    work.then(
      (value) => ({ value }),
      (error: unknown) => ({ error: error as Error }),
    ),
    Bun.sleep(hangMs).then(() => "hung" as const),
  ]);
}

/** Reads the store behind an adapter directly, to check what the adapter really wrote. */
interface RawStore {
  pttl(key: string): Promise<number>;
  close(): Promise<void>;
}

interface Fixture {
  /** The adapter under test. */
  a: L2Adapter;
  /** A second adapter on the same store (for memory: the same instance, as two caches would share it). */
  b: L2Adapter;
  raw: RawStore | undefined;
  expected: { kind: L2Adapter["kind"]; mode: L2Description["mode"] };
  /** Distinct hash slots of the keys, where the store has slots. */
  slotsOf?: (keys: string[]) => Promise<number>;
  close(): Promise<void>;
}

const VALUES = [
  "plain",
  "123",
  "true",
  "null",
  "false",
  "0",
  "-1.5e3",
  "",
  "  spaced  ",
  '{"json":true,"n":1}',
  "héllo wörld — 日本語 — 🌍🎉",
  "line\nbreak\ttab",
  "x".repeat(64 * 1024),
];

function conformance(name: string, setup: () => Promise<Fixture>): void {
  describe(`${name} L2 conformance`, () => {
    let fx: Fixture;
    const prefix = `l2t:${name}:${randomUUID()}:`;
    const key = (suffix: string) => `${prefix}${suffix}`;

    beforeAll(async () => {
      fx = await setup();
    });
    afterAll(async () => {
      await fx?.a.deleteByPrefix(prefix).catch(() => 0);
      await fx?.close();
    });

    test("set then get returns the value; a missing key is null", async () => {
      await fx.a.set(key("basic"), "hello", 60_000);
      expect(await fx.a.get(key("basic"))).toBe("hello");
      expect(await fx.b.get(key("basic"))).toBe("hello");
      expect(await fx.a.get(key("never-set"))).toBeNull();
    });

    test("the TTL is honoured: stored in milliseconds, and the key expires", async () => {
      await fx.a.set(key("ttl-long"), "v", 60_000);
      if (fx.raw) {
        const pttl = await fx.raw.pttl(key("ttl-long"));
        expect(pttl).toBeGreaterThan(50_000);
        expect(pttl).toBeLessThanOrEqual(60_000);
      }
      await fx.a.set(key("ttl-short"), "v", 40);
      await waitFor("short TTL key to expire", async () => (await fx.a.get(key("ttl-short"))) === null);
      expect(await fx.a.get(key("ttl-long"))).toBe("v");
    });

    test("values come back as the very same strings (numbers-looking, unicode, empty, large)", async () => {
      const keys = VALUES.map((_, i) => key(`value:${i}`));
      for (let i = 0; i < VALUES.length; i++) await fx.a.set(keys[i]!, VALUES[i]!, 60_000);
      for (let i = 0; i < VALUES.length; i++) {
        const got = await fx.b.get(keys[i]!);
        expect(typeof got).toBe("string");
        expect(got).toBe(VALUES[i]!);
      }
      expect(await fx.b.getMany(keys)).toEqual(VALUES);
    });

    test("getMany answers in order, null for misses, over keys in many slots", async () => {
      const keys = Array.from({ length: 40 }, (_, i) => key(`many:${i}:${randomUUID()}`));
      for (let i = 0; i < keys.length; i += 2) await fx.a.set(keys[i]!, `v${i}`, 60_000);
      if (fx.slotsOf) expect(await fx.slotsOf(keys)).toBeGreaterThan(10);
      const got = await fx.a.getMany(keys);
      expect(got).toEqual(keys.map((_, i) => (i % 2 === 0 ? `v${i}` : null)));
      expect(await fx.a.getMany([])).toEqual([]);
    });

    test("setIfAbsent sets once and leaves an existing value alone", async () => {
      const k = key("lock");
      expect(await fx.a.setIfAbsent(k, "first", 30_000)).toBe(true);
      expect(await fx.b.setIfAbsent(k, "second", 30_000)).toBe(false);
      expect(await fx.a.get(k)).toBe("first");
      if (fx.raw) {
        const pttl = await fx.raw.pttl(k);
        expect(pttl).toBeGreaterThan(20_000);
        expect(pttl).toBeLessThanOrEqual(30_000);
      }
    });

    test("delete and deleteMany remove exactly the given keys, across slots", async () => {
      const keys = Array.from({ length: 30 }, (_, i) => key(`del:${i}:${randomUUID()}`));
      for (const k of keys) await fx.a.set(k, "v", 60_000);
      await fx.a.delete(keys[0]!);
      expect(await fx.a.get(keys[0]!)).toBeNull();
      expect(await fx.a.get(keys[1]!)).toBe("v");

      const doomed = keys.slice(1, 20);
      if (fx.slotsOf) expect(await fx.slotsOf(doomed)).toBeGreaterThan(5);
      await fx.a.deleteMany([...doomed, key("del:not-there")]);
      expect(await fx.a.getMany(doomed)).toEqual(doomed.map(() => null));
      expect(await fx.a.getMany(keys.slice(20))).toEqual(keys.slice(20).map(() => "v"));
      await fx.a.deleteMany([]);
    });

    test("deleteByPrefix removes only keys under the prefix, taking glob characters literally", async () => {
      const base = key("scan:");
      const literal = `${base}a*b?[c]\\d:`;
      const inside = Array.from({ length: 25 }, (_, i) => `${literal}${i}:${randomUUID()}`);
      // Each of the first five matches the prefix used as a pattern with one kind of glob
      // character left unescaped (all of them, `*`, `?`, `[]`, `\`); the last two are plain neighbours.
      const outside = [
        `${base}aZZbQcd:1`,
        `${base}aXXb?[c]\\d:1`,
        `${base}a*bQ[c]\\d:1`,
        `${base}a*b?c\\d:1`,
        `${base}a*b?[c]d:1`,
        `${base}a*b?[c]\\d`,
        `${base}other`,
      ];
      for (const k of [...inside, ...outside]) await fx.a.set(k, "v", 60_000);

      expect(await fx.a.deleteByPrefix(literal)).toBe(inside.length);
      expect(await fx.a.getMany(inside)).toEqual(inside.map(() => null));
      expect(await fx.a.getMany(outside)).toEqual(outside.map(() => "v"));
      expect(await fx.a.deleteByPrefix(literal)).toBe(0);
    });

    test("setAdd accumulates members; setMembers lists them; the set's TTL only grows", async () => {
      const k = key("tagset");
      expect(await fx.a.setMembers(k)).toEqual([]);
      await fx.a.setAdd(k, ["a", "b"], 60_000);
      await fx.b.setAdd(k, ["b", "c", "123"], 1_000);
      expect((await fx.a.setMembers(k)).sort()).toEqual(["123", "a", "b", "c"]);
      if (fx.raw) {
        // The shorter TTL of the second call did not shorten the set's life.
        expect(await fx.raw.pttl(k)).toBeGreaterThan(50_000);
        await fx.a.setAdd(k, ["d"], 120_000);
        expect(await fx.raw.pttl(k)).toBeGreaterThan(110_000);
      }
      const fresh = key("tagset-short");
      await fx.a.setAdd(fresh, ["x"], 40);
      await waitFor("short-lived set to expire", async () => (await fx.a.setMembers(fresh)).length === 0);
    });

    test("ping answers and describe names the backend without credentials", async () => {
      await fx.a.ping();
      const description = fx.a.describe();
      expect(description.kind).toBe(fx.expected.kind);
      expect(description.mode).toBe(fx.expected.mode);
      expect(description.target.length).toBeGreaterThan(0);
      expect(fx.a.kind).toBe(fx.expected.kind);
    });

    test("bus: a message published on one adapter reaches a subscriber on the other", async () => {
      const channel = key("bus");
      const payload = '{"k":"del","keys":["a,b","c"],"note":"commas, ünïcode 🌍, data: inside"}';
      const received: string[] = [];
      const states: string[] = [];
      const stop = await fx.b.bus!.subscribe(channel, (message) => received.push(message), (state) => states.push(state));
      expect(states).toEqual(["up"]);

      await fx.a.bus!.publish(channel, payload);
      await fx.a.bus!.publish(channel, "123");
      await waitFor("both messages to arrive", () => received.length >= 2);
      expect(received).toEqual([payload, "123"]);

      // After unsubscribing, a second subscription on the same channel still hears messages the first does not.
      const later: string[] = [];
      const stopLater = await fx.b.bus!.subscribe(channel, (message) => later.push(message));
      await stop();
      await fx.a.bus!.publish(channel, "after");
      await waitFor("the remaining subscriber to get the message", () => later.includes("after"));
      expect(received).toEqual([payload, "123"]);
      await stopLater();
    });
  });
}

// ---------------------------------------------------------------------------------------------
// The four backends.

conformance("memory", async () => {
  const shared = memoryL2();
  return {
    a: shared,
    b: shared,
    raw: undefined,
    expected: { kind: "memory", mode: "memory" },
    close: () => shared.close(),
  };
});

conformance("redis", async () => {
  const { url } = await sharedRedis();
  const raw = new Redis(url);
  const a = redisL2({ url });
  const b = redisL2({ url });
  return {
    a,
    b,
    raw: { pttl: (k) => raw.pttl(k), close: async () => void raw.disconnect() },
    expected: { kind: "redis", mode: "single" },
    async close() {
      await Promise.all([a.close(), b.close()]);
      raw.disconnect();
    },
  };
});

conformance("redis-cluster", async () => {
  const { seeds } = await sharedCluster();
  const raw = new Cluster(seeds);
  const a = redisClusterL2({ nodes: seeds });
  const b = redisClusterL2({ nodes: [...seeds].reverse() });
  return {
    a,
    b,
    raw: { pttl: (k) => raw.pttl(k), close: async () => void raw.disconnect() },
    expected: { kind: "redis-cluster", mode: "cluster" },
    async slotsOf(keys) {
      const slots = await Promise.all(keys.map((k) => raw.cluster("KEYSLOT", k)));
      return new Set(slots).size;
    },
    async close() {
      await Promise.all([a.close(), b.close()]);
      raw.disconnect();
    },
  };
});

conformance("upstash", async () => {
  const { url, token, redisUrl } = await sharedUpstash();
  const raw = new Redis(redisUrl);
  const a = upstashL2({ url, token });
  const b = adapterFor({ CACHE_L2: "upstash", UPSTASH_REDIS_REST_URL: url, UPSTASH_REDIS_REST_TOKEN: token })!;
  return {
    a,
    b,
    raw: { pttl: (k) => raw.pttl(k), close: async () => void raw.disconnect() },
    expected: { kind: "upstash", mode: "rest" },
    async close() {
      await Promise.all([a.close(), b.close()]);
      raw.disconnect();
    },
  };
});

// ---------------------------------------------------------------------------------------------
// Backend-specific behaviour.

describe("memory L2", () => {
  test("evicts the oldest writes beyond maxEntries", async () => {
    const l2 = memoryL2({ maxEntries: 3 });
    for (const k of ["k1", "k2", "k3", "k4"]) await l2.set(k, k, 60_000);
    expect(await l2.getMany(["k1", "k2", "k3", "k4"])).toEqual([null, "k2", "k3", "k4"]);
    await l2.close();
  });

  test("a closed adapter rejects calls", async () => {
    const l2 = memoryL2();
    await l2.close();
    await expect(l2.get("k")).rejects.toThrow(/closed/);
  });

  test("rejects a TTL below 1 ms", async () => {
    const l2 = memoryL2();
    await expect(l2.set("k", "v", 0)).rejects.toThrow(RangeError);
    await l2.close();
  });
});

describe("redis L2 against a server that goes away", () => {
  test("calls reject quickly (no hang, no wrong data) and recover after a restart, bus included", async () => {
    const server = await startRedis();
    const l2 = redisL2({ url: server.url });
    const key = `l2t:dead:${randomUUID()}`;
    const secretValue = `value-${randomUUID()}`;
    try {
      await l2.set(key, secretValue, 60_000);
      const states: string[] = [];
      const received: string[] = [];
      await l2.bus!.subscribe("l2t:dead:bus", (m) => received.push(m), (s) => states.push(s));
      expect(states).toEqual(["up"]);

      await server.kill();
      for (const call of [l2.get(key), l2.set(key, secretValue, 1_000), l2.getMany([key, `${key}:2`]), l2.ping()]) {
        const outcome = await settleOrHang(call as Promise<unknown>);
        expect(outcome).not.toBe("hung");
        expect(outcome).toHaveProperty("error");
        if (outcome !== "hung" && "error" in outcome) {
          expect(outcome.error.message).toMatch(/^redis \w+ failed: /);
          expect(outcome.error.message).not.toContain(secretValue);
        }
      }
      await waitFor("bus to report down", () => states.includes("down"));

      await server.restart();
      await waitFor("L2 to answer again", async () => {
        await l2.ping();
        return true;
      });
      await waitFor("bus to report up again", () => states.at(-1) === "up");
      await l2.set(key, "again", 60_000);
      expect(await l2.get(key)).toBe("again");
      await l2.bus!.publish("l2t:dead:bus", "after-restart");
      await waitFor("bus message after restart", () => received.includes("after-restart"));
    } finally {
      await l2.close();
      await server.stop();
    }
  });

  test("a shared client stays open after close; the adapter's own one does not", async () => {
    const { url } = await sharedRedis();
    const client = new Redis(url);
    const l2 = redisL2({ client });
    await l2.set(`l2t:shared:${randomUUID()}`, "v", 10_000);
    await l2.close();
    expect(await client.ping()).toBe("PONG");
    client.disconnect();

    const own = redisL2({ url });
    await own.ping();
    await own.close();
    await expect(own.ping()).rejects.toThrow(/closed/);
  });

  test("refuses a shared client with keyPrefix (SCAN would not see it)", () => {
    const client = new Redis({ lazyConnect: true, keyPrefix: "app:" });
    expect(() => redisL2({ client })).toThrow(/keyPrefix/);
    client.disconnect();
  });
});

describe("redis-cluster L2", () => {
  test("falls back to a single node when the seed has cluster support disabled, and says so", async () => {
    const plain = await startRedis();
    const gone = await startRedis();
    await gone.stop();
    const l2 = redisClusterL2({ nodes: [`127.0.0.1:${gone.port}`, `127.0.0.1:${plain.port}`] });
    try {
      expect(l2.describe().mode).toBe("cluster");
      const key = `l2t:fallback:${randomUUID()}`;
      await l2.set(key, "v", 60_000);
      expect(await l2.get(key)).toBe("v");
      expect(await l2.getMany([key, `${key}:x`])).toEqual(["v", null]);
      const description = l2.describe();
      expect(description.kind).toBe("redis-cluster");
      expect(description.mode).toBe("single");
      expect(description.target).toBe(`127.0.0.1:${plain.port}`);
      expect(description.note).toMatch(/cluster support disabled/);

      const raw = new Redis(plain.url);
      expect(await raw.get(key)).toBe("v");
      raw.disconnect();

      const received: string[] = [];
      await l2.bus!.subscribe("l2t:fallback:bus", (m) => received.push(m));
      await l2.bus!.publish("l2t:fallback:bus", "hi");
      await waitFor("fallback bus message", () => received.includes("hi"));
    } finally {
      await l2.close();
      await plain.stop();
    }
  });

  test("with no seed reachable, calls reject quickly and the bus reports down", async () => {
    const gone = await startRedis();
    await gone.stop();
    const l2 = redisClusterL2({ nodes: [`127.0.0.1:${gone.port}`] });
    const outcome = await settleOrHang(l2.get("k"));
    expect(outcome).toHaveProperty("error");
    if (outcome !== "hung" && "error" in outcome) expect(outcome.error.message).toMatch(/^redis-cluster get failed: /);
    const states: string[] = [];
    const stop = await l2.bus!.subscribe("l2t:nobody", () => {}, (s) => states.push(s));
    expect(states).toEqual(["down"]);
    await stop();
    await l2.close();
  });

  test("a killed master fails its keys fast while other shards answer, and recovers after failover", async () => {
    const cluster = await startCluster({ nodeTimeoutMs: 2_000 });
    const l2 = redisClusterL2({ nodes: cluster.seeds });
    try {
      const keys = Array.from({ length: 30 }, (_, i) => `l2t:failover:${i}:${randomUUID()}`);
      for (const k of keys) await l2.set(k, `v:${k}`, 120_000);
      const victim = await cluster.masterFor(keys[0]!);
      const owners = await Promise.all(keys.map((k) => cluster.masterFor(k)));
      const elsewhere = keys.filter((_, i) => owners[i]!.port !== victim.port);
      expect(elsewhere.length).toBeGreaterThan(0);
      // Make sure the replica has every write before the crash, so recovery must return the same data.
      const direct = new Redis(victim.url);
      await direct.call("WAIT", "1", "5000");
      direct.disconnect();

      await victim.kill();
      const outcome = await settleOrHang(l2.get(keys[0]!));
      expect(outcome).not.toBe("hung");
      expect(outcome).toHaveProperty("error");
      expect(await l2.get(elsewhere[0]!)).toBe(`v:${elsewhere[0]}`);

      await waitFor("the replica to take over", async () => (await l2.get(keys[0]!)) === `v:${keys[0]}`, 25_000);
      expect(await l2.getMany(keys)).toEqual(keys.map((k) => `v:${k}`));
    } finally {
      await l2.close();
      await cluster.stop();
    }
  }, 90_000);

  test("a shared Cluster client works and stays open after close", async () => {
    const { seeds } = await sharedCluster();
    const client = new Cluster(seeds);
    const l2 = redisClusterL2({ client });
    const keys = Array.from({ length: 10 }, (_, i) => `l2t:shared-cluster:${i}:${randomUUID()}`);
    for (const k of keys) await l2.set(k, "v", 60_000);
    expect(await l2.getMany(keys)).toEqual(keys.map(() => "v"));
    expect(await l2.deleteByPrefix("l2t:shared-cluster:")).toBeGreaterThanOrEqual(keys.length);
    await l2.close();
    expect(await client.ping()).toBe("PONG");
    client.disconnect();
  });
});

describe("upstash L2", () => {
  test("errors with a bad token name the operation but never the token or the value", async () => {
    const { url } = await sharedUpstash();
    const badToken = `bad-token-${randomUUID()}`;
    const secretValue = `secret-value-${randomUUID()}`;
    const l2 = upstashL2({ url, token: badToken });
    const calls: Array<[string, Promise<unknown>]> = [
      ["set", l2.set("l2t:up:k", secretValue, 10_000)],
      ["setIfAbsent", l2.setIfAbsent("l2t:up:k", secretValue, 10_000)],
      ["get", l2.get("l2t:up:k")],
      ["getMany", l2.getMany(["l2t:up:k", "l2t:up:k2"])],
      ["setAdd", l2.setAdd("l2t:up:s", [secretValue], 10_000)],
      ["publish", l2.bus!.publish("l2t:up:bus", secretValue)],
    ];
    for (const [op, call] of calls) {
      const outcome = await settleOrHang(call);
      expect(outcome).toHaveProperty("error");
      if (outcome === "hung" || !("error" in outcome)) continue;
      expect(outcome.error.message).toStartWith(`upstash ${op} failed: `);
      expect(outcome.error.message).not.toContain(badToken);
      expect(outcome.error.message).not.toContain(secretValue);
      expect(String(outcome.error.stack)).not.toContain(secretValue);
      expect(outcome.error.cause).toBeUndefined();
    }
    expect(JSON.stringify(l2.describe())).not.toContain(badToken);
    await l2.close();
  });

  test("a subscription with a bad token reports down instead of failing or hanging", async () => {
    const { url } = await sharedUpstash();
    const l2 = upstashL2({ url, token: "wrong" });
    const states: string[] = [];
    const stop = await l2.bus!.subscribe("l2t:up:bad", () => {}, (s) => states.push(s));
    expect(states).toEqual(["down"]);
    await stop();
    await l2.close();
  });

  test("without url or token the calls reject naming the missing variables", async () => {
    const l2 = upstashL2({});
    await expect(l2.get("k")).rejects.toThrow(/UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN/);
    expect(l2.describe().target).toBe("not configured");
    await l2.close();
  });

  test("a stalled endpoint times out each call, and the client answers correctly once it recovers", async () => {
    const upstash = await startUpstash();
    const l2 = upstashL2({ url: upstash.url, token: upstash.token, timeoutMs: 300 });
    try {
      await l2.set("l2t:stall:k", "before", 60_000);
      await upstash.fault("stall", 20_000);
      for (const call of [l2.get("l2t:stall:k"), l2.set("l2t:stall:k", "during", 60_000), l2.ping()]) {
        const outcome = await settleOrHang(call as Promise<unknown>);
        expect(outcome).not.toBe("hung");
        expect(outcome).toHaveProperty("error");
      }
      await upstash.fault("ok");
      // A timed-out request must not poison the client: later calls get real answers, not garbage.
      await l2.set("l2t:stall:k2", "after", 60_000);
      expect(await l2.get("l2t:stall:k2")).toBe("after");
      expect(await l2.get("l2t:stall:missing")).toBeNull();
    } finally {
      await l2.close();
      await upstash.stop();
    }
  });

  test("an unreachable endpoint rejects within the timeout", async () => {
    const gone = await startRedis();
    await gone.stop();
    const l2 = upstashL2({ url: `http://127.0.0.1:${gone.port}`, token: "t", timeoutMs: 300 });
    const outcome = await settleOrHang(l2.get("k"));
    expect(outcome).toHaveProperty("error");
    await l2.close();
  });
});

describe("CACHE_L2 through loadConfig and l2FromConfig", () => {
  test("picks the adapter CACHE_L2 names, memory by default, none for L1 only", async () => {
    const cases: Array<[Record<string, string>, string | undefined]> = [
      [{}, "memory"],
      [{ CACHE_L2: "memory" }, "memory"],
      [{ CACHE_L2: "redis", REDIS_URL: "redis://:pw@127.0.0.1:1/2" }, "redis"],
      [{ CACHE_L2: "redis-cluster", REDIS_CLUSTER_NODES: "127.0.0.1:1, 127.0.0.1:2" }, "redis-cluster"],
      [{ CACHE_L2: "upstash", UPSTASH_REDIS_REST_URL: "https://x.upstash.io", UPSTASH_REDIS_REST_TOKEN: "t0k3n" }, "upstash"],
      [{ CACHE_L2: "none" }, undefined],
    ];
    for (const [env, kind] of cases) {
      const l2 = adapterFor(env);
      expect(l2?.kind).toBe(kind as L2Adapter["kind"]);
      await l2?.close();
    }
    const redis = adapterFor({ CACHE_L2: "redis", REDIS_URL: "redis://user:pw@10.1.2.3:6380/2" })!;
    expect(redis.describe()).toEqual({ kind: "redis", mode: "single", target: "10.1.2.3:6380/2" });
    await redis.close();
    const upstash = adapterFor({ CACHE_L2: "upstash", UPSTASH_REDIS_REST_URL: "https://x.upstash.io", UPSTASH_REDIS_REST_TOKEN: "t0k3n" })!;
    expect(upstash.describe()).toEqual({ kind: "upstash", mode: "rest", target: "x.upstash.io" });
    await upstash.close();
  });

  test("reports every missing or bad variable in one error, without echoing secrets", () => {
    const message = (env: Record<string, string>) => {
      try {
        adapterFor(env);
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error("expected the configuration to be refused");
    };
    const upstash = message({ CACHE_L2: "upstash", CACHE_L2_TIMEOUT_MS: "soon" });
    expect(upstash).toContain("UPSTASH_REDIS_REST_URL");
    expect(upstash).toContain("UPSTASH_REDIS_REST_TOKEN");
    expect(upstash).toContain("CACHE_L2_TIMEOUT_MS");

    const cluster = message({ CACHE_L2: "redis-cluster", REDIS_CLUSTER_NODES: "127.0.0.1:7000,nohost,10.0.0.1:99999" });
    expect(cluster).toContain("nohost");
    expect(cluster).toContain("10.0.0.1:99999");
    expect(message({ CACHE_L2: "redis-cluster" })).toContain("REDIS_CLUSTER_NODES");

    const redis = message({ CACHE_L2: "redis", REDIS_URL: "http://:hunter2@host" });
    expect(redis).toContain("REDIS_URL");
    expect(redis).not.toContain("hunter2");
    expect(message({ CACHE_L2: "redis" })).toContain("REDIS_URL: is required");

    expect(message({ CACHE_L2: "memcached" })).toContain("CACHE_L2: must be one of memory, redis, redis-cluster, upstash, none");
  });
});
