/**
 * The test servers themselves: a single node that survives kill/restart, a cluster that serves
 * every slot, and an Upstash shim that the real @upstash/redis client accepts.
 */
import { describe, expect, test } from "bun:test";
import { Redis as UpstashRedis } from "@upstash/redis";
import { Cluster, Redis } from "ioredis";
import { keySlot } from "../../src/ops/redis-cluster.ts";
import { redisCommand, startRedisServer } from "../../src/ops/redis-server.ts";
import { countServedSlots, parseSlotRanges, SLOT_COUNT, slotsContain } from "../../src/ops/slots.ts";
import { sleep } from "../../src/util/sleep.ts";
import { sharedCluster, sharedRedis, sharedUpstash, startRedis, startUpstash } from "./servers.ts";

const unique = () => `support-test:${crypto.randomUUID()}`;

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await Bun.sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("single redis-server", () => {
  test("the shared server answers PING on a free port, not 6379", async () => {
    const { url, port } = await sharedRedis();
    expect(port).not.toBe(6379);
    expect(url).toBe(`redis://127.0.0.1:${port}`);
    expect(await redisCommand(port, ["PING"])).toBe("PONG");
    expect(await sharedRedis()).toEqual({ url, port });
  });

  test("a dedicated server can be killed and restarted on the same port", async () => {
    const redis = await startRedis();
    try {
      const { port, pid } = redis;
      await redisCommand(port, ["SET", "k", "v"]);
      await redis.kill();
      expect(redis.isRunning()).toBe(false);
      await expect(redisCommand(port, ["PING"])).rejects.toThrow();

      await redis.restart();
      expect(redis.isRunning()).toBe(true);
      expect(redis.port).toBe(port);
      expect(redis.pid).not.toBe(pid);
      expect(await redisCommand(port, ["PING"])).toBe("PONG");
      // No persistence: a restart starts empty.
      expect(await redisCommand(port, ["GET", "k"])).toBeNull();
    } finally {
      await redis.stop();
    }
    expect(redis.isRunning()).toBe(false);
  });

  test("a missing redis-server fails with an install hint", async () => {
    const path = process.env.PATH;
    process.env.PATH = "/nonexistent";
    try {
      await expect(startRedisServer()).rejects.toThrow(/apt-get install redis-server/);
    } finally {
      process.env.PATH = path;
    }
  });

  test("a server that cannot bind reports the log tail", async () => {
    const { port } = await sharedRedis();
    await expect(startRedis({ port })).rejects.toThrow(/Address already in use/);
  });
});

describe("redis cluster", () => {
  test("reaches cluster_state:ok with 3 masters, each with a replica", async () => {
    const { cluster, seeds } = await sharedCluster();
    expect(seeds).toHaveLength(6);
    expect(await cluster.clusterState()).toBe("ok");
    const nodes = await cluster.nodeInfo();
    const masters = nodes.filter((node) => node.role === "master");
    const replicas = nodes.filter((node) => node.role === "replica");
    expect(masters).toHaveLength(3);
    expect(replicas).toHaveLength(3);
    expect(new Set(replicas.map((node) => node.masterPort))).toEqual(new Set(masters.map((node) => node.port)));
    for (const master of masters) expect(master.slots).toMatch(/^\d+-\d+/);
  });

  test("keySlot agrees with CLUSTER KEYSLOT, hash tags and unicode included", async () => {
    const { cluster } = await sharedCluster();
    const port = cluster.nodes[0]!.port;
    for (const key of ["foo", "user:{42}:name", "{42}", "héllo 🌍", "a{}b", "{}x", "x{y}{z}", ""]) {
      expect(keySlot(key)).toBe((await redisCommand(port, ["CLUSTER", "KEYSLOT", key])) as number);
    }
  });

  test("the masters' slot lists read as CLUSTER SLOTS reports them, covering every slot once", async () => {
    const { cluster } = await sharedCluster();
    const masters = (await cluster.nodeInfo()).filter((node) => node.role === "master");
    const reply = (await redisCommand(masters[0]!.port, ["CLUSTER", "SLOTS"])) as Array<[number, number, [string, number]]>;
    const expected = new Map<number, Array<{ from: number; to: number }>>();
    for (const [from, to, [, port]] of reply) expected.set(port, [...(expected.get(port) ?? []), { from, to }]);
    for (const master of masters) {
      const ranges = parseSlotRanges(master.slots);
      expect(ranges.toSorted((a, b) => a.from - b.from)).toEqual(expected.get(master.port)!.toSorted((a, b) => a.from - b.from));
      expect(slotsContain(master.slots, ranges[0]!.from)).toBe(true);
    }
    expect(countServedSlots(masters.map((master) => master.slots))).toBe(SLOT_COUNT);
    const key = unique();
    const owners = masters.filter((master) => slotsContain(master.slots, keySlot(key)));
    expect(owners.map((master) => master.port)).toEqual([(await cluster.masterFor(key)).port]);
  });

  test("an ioredis Cluster can SET and GET keys in every shard", async () => {
    const { cluster, seeds } = await sharedCluster();
    const client = new Cluster(seeds.map((seed) => ({ host: "127.0.0.1", port: Number(seed.split(":")[1]) })));
    const prefix = unique();
    try {
      const keys = Array.from({ length: 120 }, (_, i) => `${prefix}:${i}`);
      await Promise.all(keys.map((key, i) => client.set(key, `value-${i}`)));
      const values = await Promise.all(keys.map((key) => client.get(key)));
      expect(values).toEqual(keys.map((_, i) => `value-${i}`));

      const slots = new Set(keys.map(keySlot));
      expect(slots.size).toBeGreaterThan(100);
      const ownersOfKeys = new Set(await Promise.all(keys.slice(0, 30).map(async (k) => (await cluster.masterFor(k)).port)));
      expect(ownersOfKeys.size).toBe(3);
      for (const master of (await cluster.nodeInfo()).filter((node) => node.role === "master")) {
        expect(master.keys).toBeGreaterThan(0);
      }
    } finally {
      client.disconnect();
    }
  });
});

describe("upstash shim", () => {
  const client = async () => {
    const { url, token } = await sharedUpstash();
    return new UpstashRedis({ url, token, automaticDeserialization: false });
  };

  test("set/get keep number-like strings and unicode as text", async () => {
    const redis = await client();
    const key = unique();
    expect(await redis.set(key, "123")).toBe("OK");
    expect(await redis.get(key)).toBe("123");
    const text = "héllo wörld 🌍 日本語 \"quoted\" {json:1}";
    await redis.set(`${key}:u`, text, { ex: 60 });
    expect(await redis.get(`${key}:u`)).toBe(text);
    expect(await redis.ttl(`${key}:u`)).toBeGreaterThan(0);
    expect(await redis.get(`${key}:missing`)).toBeNull();
  });

  test("writes land in the backing redis-server", async () => {
    const { redisUrl } = await sharedUpstash();
    const redis = await client();
    const key = unique();
    await redis.set(key, "from-rest");
    const direct = new Redis(redisUrl);
    try {
      expect(await direct.get(key)).toBe("from-rest");
    } finally {
      direct.disconnect();
    }
  });

  test("arrays, integers and hashes come back in RESP2 shapes", async () => {
    const redis = await client();
    const key = unique();
    expect(await redis.incr(`${key}:n`)).toBe(1);
    await redis.rpush(`${key}:l`, "a", "ü", "3");
    expect(await redis.lrange(`${key}:l`, 0, -1)).toEqual(["a", "ü", "3"]);
    await redis.hset(`${key}:h`, { f1: "v1", f2: "2" });
    // Flat field/value array on the wire; with automaticDeserialization off the client passes it on.
    expect(await redis.hgetall(`${key}:h`)).toEqual(["f1", "v1", "f2", "2"] as unknown as Record<string, unknown>);
    expect(await redis.mget(`${key}:n`, `${key}:none`)).toEqual(["1", null]);
  });

  test("pipeline runs in order and reports errors per entry", async () => {
    const redis = await client();
    const key = unique();
    const results = await redis
      .pipeline()
      .set(key, "not-a-number")
      .get(key)
      .incr(key)
      .set(`${key}:2`, "42")
      .exec({ keepErrors: true });
    expect(results.map((entry) => entry.result)).toEqual(["OK", "not-a-number", undefined, "OK"]);
    expect(results[2]!.error).toMatch(/not an integer/);
    expect(await redis.get(`${key}:2`)).toBe("42");
  });

  test("multi-exec runs the commands as one transaction", async () => {
    const redis = await client();
    const key = unique();
    const results = await redis.multi().set(key, "1").incr(key).get(key).exec();
    expect(results).toEqual(["OK", 2, "2"]);
  });

  test("a bad token is rejected", async () => {
    const { url } = await sharedUpstash();
    const redis = new UpstashRedis({ url, token: "wrong-token", automaticDeserialization: false });
    await expect(redis.get("anything")).rejects.toThrow(/Unauthorized/);
  });

  test("failed and unsupported commands are errors", async () => {
    const redis = await client();
    const key = unique();
    await redis.set(key, "text");
    await expect(redis.incr(key)).rejects.toThrow(/not an integer/);
    await expect(redis.exec(["BLPOP", key, "1"])).rejects.toThrow(/not available/);
    await expect(redis.exec(["SELECT", "1"])).rejects.toThrow(/not available/);
    await expect(redis.exec(["CLUSTER", "INFO"])).rejects.toThrow(/not available/);
  });

  test("subscribe streams messages published on the backing redis, and closes its connection", async () => {
    const { redisUrl } = await sharedUpstash();
    const redis = await client();
    const channel = unique();
    const subscriber = redis.subscribe<string>([channel]);
    const messages: Array<{ channel: string; message: string }> = [];
    subscriber.on("message", (event) => messages.push(event));
    const publisher = new Redis(redisUrl);
    try {
      const subscribers = async () => {
        const reply = (await publisher.call("PUBSUB", "NUMSUB", channel)) as [string, number];
        return reply[1];
      };
      await eventually(async () => (await subscribers()) === 1, "the shim to subscribe");
      await publisher.publish(channel, "first, with a comma");
      await publisher.publish(channel, '{"json":true}');
      await eventually(async () => messages.length === 2, "two messages");
      expect(messages).toEqual([
        { channel, message: "first, with a comma" },
        { channel, message: '{"json":true}' },
      ]);

      await subscriber.unsubscribe();
      await eventually(async () => (await subscribers()) === 0, "the shim to drop its subscriber connection");
    } finally {
      publisher.disconnect();
    }
  });

  test("fault injection fails or stalls requests until reset", async () => {
    const upstash = await startUpstash();
    try {
      const redis = new UpstashRedis({
        url: upstash.url,
        token: upstash.token,
        automaticDeserialization: false,
        signal: () => AbortSignal.timeout(300),
      });
      const key = unique();
      await redis.set(key, "v");

      await upstash.fault("error500");
      await expect(redis.get(key)).rejects.toThrow(/simulated outage/);

      await upstash.fault("stall", 5_000);
      await expect(redis.get(key)).rejects.toThrow();

      await upstash.fault("ok");
      expect(await redis.get(key)).toBe("v");
    } finally {
      await upstash.stop();
    }
    expect(upstash.redis.isRunning()).toBe(false);
  });
});

describe("slot lists and sleep", () => {
  test("slot lists: single slots, ranges, migrations in flight skipped, overlaps counted once", () => {
    expect(parseSlotRanges("0-5460 5462 [5463->-0123abcd] 16380-99999")).toEqual([
      { from: 0, to: 5460 },
      { from: 5462, to: 5462 },
      { from: 16_380, to: SLOT_COUNT - 1 },
    ]);
    expect(parseSlotRanges("")).toEqual([]);
    expect(slotsContain("0-5460 5462", 5461)).toBe(false);
    expect(slotsContain("0-5460 5462", 5462)).toBe(true);
    expect(countServedSlots(["0-99", "50-149", "149"])).toBe(150);
  });

  test("sleep waits, and an abort ends the wait at once without rejecting", async () => {
    const began = performance.now();
    await sleep(30);
    expect(performance.now() - began).toBeGreaterThanOrEqual(25);

    const controller = new AbortController();
    const waiting = sleep(60_000, controller.signal).then(() => "woke");
    controller.abort();
    expect(await Promise.race([waiting, sleep(1_000).then(() => "still asleep")])).toBe("woke");
    expect(await Promise.race([sleep(60_000, controller.signal).then(() => "woke"), sleep(1_000).then(() => "still asleep")])).toBe("woke");
  });
});
