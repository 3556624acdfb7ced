/**
 * The L2 conformance suite (tests/support/l2-conformance.ts) run against every L2 adapter (memory,
 * redis, redis-cluster, upstash), on real servers from tests/support/servers.ts, plus the behaviour
 * specific to each backend: a dead server, the cluster seed with cluster mode off, Upstash errors
 * that must not leak, and the CACHE_L2 environment table.
 */
import { describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { Cluster, Redis } from "ioredis";
import { memoryL2, redisClusterL2, redisL2, upstashL2 } from "../../src/cache/l2/index.ts";
import type { L2Adapter } from "../../src/cache/l2/index.ts";
import { loadConfig } from "../../src/config.ts";
import { l2FromConfig } from "../../src/l2-from-config.ts";
import { runL2Conformance } from "../support/l2-conformance.ts";
import { sharedCluster, sharedRedis, sharedUpstash, startCluster, startRedis, startUpstash } from "../support/servers.ts";
import { waitFor } from "../support/wait.ts";

/**
 * The server's path from environment to adapter: one validation (`loadConfig`, which throws at
 * once), then the builder (which waits for the chosen adapter's module).
 */
const adapterFor = (env: Record<string, string>): Promise<L2Adapter | undefined> => l2FromConfig(loadConfig(env));

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

// ---------------------------------------------------------------------------------------------
// The contract, one call per backend.

runL2Conformance("memory", async () => {
  const shared = memoryL2();
  return { a: shared, b: shared, expected: { kind: "memory", mode: "memory" } };
});

runL2Conformance("redis", async () => {
  const { url } = await sharedRedis();
  return { a: redisL2({ url }), b: redisL2({ url }), raw: new Redis(url), expected: { kind: "redis", mode: "single" } };
});

runL2Conformance("redis-cluster", async () => {
  const { seeds } = await sharedCluster();
  const b = redisClusterL2({ nodes: [...seeds].reverse() });
  return { a: redisClusterL2({ nodes: seeds }), b, raw: new Cluster(seeds), expected: { kind: "redis-cluster", mode: "cluster" } };
});

runL2Conformance("upstash", async () => {
  const { url, token, redisUrl } = await sharedUpstash();
  const b = (await adapterFor({ CACHE_L2: "upstash", UPSTASH_REDIS_REST_URL: url, UPSTASH_REDIS_REST_TOKEN: token }))!;
  return { a: upstashL2({ url, token }), b, raw: new Redis(redisUrl), expected: { kind: "upstash", mode: "rest" } };
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
      ["deleteMany", l2.deleteMany(["l2t:up:s", secretValue])],
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
      const l2 = await adapterFor(env);
      expect(l2?.kind).toBe(kind as L2Adapter["kind"]);
      await l2?.close();
    }
    const redis = (await adapterFor({ CACHE_L2: "redis", REDIS_URL: "redis://user:pw@10.1.2.3:6380/2" }))!;
    expect(redis.describe()).toEqual({ kind: "redis", mode: "single", target: "10.1.2.3:6380/2" });
    await redis.close();
    const upstash = (await adapterFor({ CACHE_L2: "upstash", UPSTASH_REDIS_REST_URL: "https://x.upstash.io", UPSTASH_REDIS_REST_TOKEN: "t0k3n" }))!;
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
