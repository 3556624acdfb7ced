/**
 * The L2 adapter contract, as one suite: every adapter runs all of it with one call, so a new
 * backend gets the whole contract by adding one line to tests/cache/l2-adapters.test.ts.
 *
 * The suite writes through one adapter and reads through a second one on the same store (two
 * server instances), and where the store is a real Redis it reads TTLs and hash slots straight from
 * it, to check what the adapter really wrote.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { Cluster, type Redis } from "ioredis";
import type { L2Adapter, L2Description } from "../../src/cache/l2/index.ts";
import { waitFor } from "./wait.ts";

/** What one adapter brings to the suite; the suite closes all of it when done. */
export interface L2Subject {
  /** The adapter under test. */
  a: L2Adapter;
  /** A second adapter on the same store (for memory: the same instance, as two caches would share it). */
  b: L2Adapter;
  /** An ioredis client on the store behind the adapters, where there is one; a Cluster also counts hash slots. */
  raw?: Redis | Cluster;
  /** What `describe()` and `kind` must say. */
  expected: { kind: L2Adapter["kind"]; mode: L2Description["mode"] };
}

interface Fixture extends L2Subject {
  /** Distinct hash slots of the keys, where the store has slots. */
  slotsOf?: (keys: string[]) => Promise<number>;
  close(): Promise<void>;
}

function fixture(subject: L2Subject): Fixture {
  const { a, b, raw } = subject;
  const cluster = raw instanceof Cluster ? raw : undefined;
  return {
    ...subject,
    ...(cluster && {
      async slotsOf(keys: string[]) {
        const slots = await Promise.all(keys.map((k) => cluster.cluster("KEYSLOT", k)));
        return new Set(slots).size;
      },
    }),
    async close() {
      await Promise.all([...new Set([a, b])].map((adapter) => adapter.close()));
      raw?.disconnect();
    },
  };
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

/**
 * Defines the whole L2 contract as a `describe` block named "`name` L2 conformance": get/set,
 * TTLs in milliseconds, exact strings, getMany, setIfAbsent, deletes across slots, deleteByPrefix
 * with glob characters taken literally, tag sets, ping/describe and the bus.
 *
 * @example
 * runL2Conformance("redis", async () => {
 *   const { url } = await sharedRedis();
 *   return { a: redisL2({ url }), b: redisL2({ url }), raw: new Redis(url), expected: { kind: "redis", mode: "single" } };
 * });
 */
export function runL2Conformance(name: string, open: () => Promise<L2Subject>): void {
  describe(`${name} L2 conformance`, () => {
    let fx: Fixture;
    const prefix = `l2t:${name}:${randomUUID()}:`;
    const key = (suffix: string) => `${prefix}${suffix}`;

    beforeAll(async () => {
      fx = fixture(await open());
      // Starting the shared cluster can take longer than the 5 s a hook gets by default.
    }, 60_000);
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

    test("increment counts from 1, shares the count between clients and keeps the first expiry", async () => {
      const k = key("counter");
      expect(await fx.a.increment(k, 30_000)).toBe(1);
      expect(await fx.b.increment(k, 90_000)).toBe(2);
      expect(await Promise.all([fx.a.increment(k, 30_000), fx.b.increment(k, 30_000), fx.a.increment(k, 30_000)])).toEqual(expect.arrayContaining([3, 4, 5]));
      expect(await fx.b.get(k)).toBe("5");
      if (fx.raw) {
        const pttl = await fx.raw.pttl(k);
        expect(pttl).toBeGreaterThan(20_000);
        expect(pttl).toBeLessThanOrEqual(30_000);
      }
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

    test("a tag time (a short string with a day-long TTL) keeps its TTL and reads back across slots", async () => {
      // Tags are invalidation times: one string key per tag, read with getMany next to entries.
      const tagKeys = [key("__tt:biz:a"), key("__tt:biz:b"), key("__ns:knowledge")];
      for (const [i, k] of tagKeys.entries()) await fx.a.set(k, String(1_700_000_000_000 + i), 86_400_000);
      expect(await fx.b.getMany([...tagKeys, key("__tt:never")])).toEqual(["1700000000000", "1700000000001", "1700000000002", null]);
      if (fx.raw) expect(await fx.raw.pttl(tagKeys[0] as string)).toBeGreaterThan(86_000_000);
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
