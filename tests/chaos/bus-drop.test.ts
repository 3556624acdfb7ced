/**
 * Chaos: the bus connections are killed again and again (`CLIENT KILL TYPE pubsub` on the
 * redis-server) while instance A keeps changing values and instance B keeps reading them; for a
 * while in the middle, re-subscribing is refused too (an ACL denies SUBSCRIBE), so the bus stays
 * down far longer than `l1TtlWhileDown`. Messages published while B is not subscribed are lost for
 * good; the documented bound must hold anyway: B never serves a value more than `l1TtlWhileDown`
 * after a newer one reached L2.
 */
import { busesUp } from "../support/load.ts";
import { afterAll, expect, test } from "bun:test";
import { createCache, type Cache } from "../../src/cache/index.ts";
import { redisL2 } from "../../src/cache/redis.ts";
import { redisCommand, type RedisServerProcess } from "../../src/ops/redis-server.ts";
import { startRedis } from "../support/servers.ts";

const L1_TTL_WHILE_DOWN = 200;
/**
 * Allowance on top of the bound for what the bound does not cover: the reader stamping its read
 * before the cache looks at its coarse clock, and event-loop stalls on a shared machine.
 */
const SLACK_MS = 100;
const INVALIDATIONS = 1_500;
/** Invalidations per second: the run lasts INVALIDATIONS / RATE seconds. */
const RATE = 400;
const KEYS = 10;
const KILL_EVERY_MS = 250;
/** When re-subscribing is refused, and for how long (well beyond the bound). */
const LONG_OUTAGE_AT_MS = 1_500;
const LONG_OUTAGE_MS = 1_500;

let redis: RedisServerProcess | undefined;
const caches: Cache<"business">[] = [];
afterAll(async () => {
  await Promise.allSettled(caches.map((c) => c.close()));
  await redis?.stop();
});

test(
  "bus connections killed during invalidations: no instance serves an invalidated value longer than l1TtlWhileDown",
  async () => {
    redis = await startRedis();
    const server = redis;
    const prefix = `chaosbus${Date.now().toString(36)}`;
    const make = () => {
      const cache = createCache({
        prefix,
        l2: redisL2({ url: server.url }),
        bus: { l1TtlWhileDown: L1_TTL_WHILE_DOWN },
        namespaces: { business: { ttl: 600_000, l1Ttl: 600_000 } },
      });
      caches.push(cache);
      return cache;
    };
    const a = make();
    const b = make();
    await busesUp([a, b]);
    const ka = a.namespace<number>("business");
    const kb = b.namespace<number>("business");

    /** Per key: versions in the order they reached L2, with the time A's write had completed. */
    const committed = Array.from({ length: KEYS }, () => [] as Array<{ version: number; at: number }>);
    for (let k = 0; k < KEYS; k++) {
      await ka.set(`k${k}`, 0);
      committed[k]!.push({ version: 0, at: Date.now() });
    }

    let writing = true;
    const reads: Array<{ key: number; at: number; version: number | undefined }> = [];
    const reader = (async () => {
      while (writing) {
        for (let k = 0; k < KEYS; k++) {
          const at = Date.now();
          reads.push({ key: k, at, version: await kb.get(`k${k}`) });
        }
        // A round of reads about every millisecond: fine enough to see staleness, few enough to keep.
        await Bun.sleep(1);
      }
    })();

    let kills = 0;
    let killedConnections = 0;
    let longOutage: "before" | "on" | "over" = "before";
    const killerStarted = performance.now();
    const killer = (async () => {
      while (writing) {
        await Bun.sleep(KILL_EVERY_MS);
        if (!writing) break;
        const elapsed = performance.now() - killerStarted;
        if (longOutage === "before" && elapsed >= LONG_OUTAGE_AT_MS) {
          await redisCommand(server.port, ["ACL", "SETUSER", "default", "-subscribe", "-psubscribe", "-ssubscribe"]);
          longOutage = "on";
        } else if (longOutage === "on" && elapsed >= LONG_OUTAGE_AT_MS + LONG_OUTAGE_MS) {
          await redisCommand(server.port, ["ACL", "SETUSER", "default", "+@all"]);
          longOutage = "over";
        }
        const killed = await redisCommand(server.port, ["CLIENT", "KILL", "TYPE", "pubsub"]).catch(() => 0);
        kills++;
        killedConnections += typeof killed === "number" ? killed : 0;
      }
      if (longOutage === "on") await redisCommand(server.port, ["ACL", "SETUSER", "default", "+@all"]);
    })();
    // The longest stretch B's bus spent down, sampled every 10 ms.
    let downSince: number | undefined;
    let longestDownMs = 0;
    const stateWatch = (async () => {
      while (writing) {
        const now = performance.now();
        if (b.stats().bus.state === "down") downSince ??= now;
        else if (downSince !== undefined) {
          longestDownMs = Math.max(longestDownMs, now - downSince);
          downSince = undefined;
        }
        await Bun.sleep(10);
      }
      if (downSince !== undefined) longestDownMs = Math.max(longestDownMs, performance.now() - downSince);
    })();

    const started = performance.now();
    for (let n = 1; n <= INVALIDATIONS; n++) {
      const k = n % KEYS;
      await ka.set(`k${k}`, n);
      committed[k]!.push({ version: n, at: Date.now() });
      const ahead = started + (n * 1000) / RATE - performance.now();
      if (ahead > 0) await Bun.sleep(ahead);
    }
    writing = false;
    await Promise.all([reader, killer, stateWatch]);

    // A read is stale when a newer version had reached L2 before it; a violation when that newer
    // version had been there for longer than the bound.
    let staleServes = 0;
    let violations = 0;
    let worstMs = 0;
    const examples: string[] = [];
    for (const read of reads) {
      const history = committed[read.key]!;
      const served = read.version ?? -1;
      // The first version newer than the one served, among those committed before the read.
      const newer = history.find((c) => c.version > served && c.at <= read.at);
      if (newer === undefined) continue;
      staleServes++;
      const age = read.at - newer.at;
      worstMs = Math.max(worstMs, age);
      if (age > L1_TTL_WHILE_DOWN + SLACK_MS) {
        violations++;
        if (examples.length < 5) examples.push(`k${read.key}: served v${served} ${age} ms after v${newer.version} reached L2`);
      }
    }
    const busB = b.stats().bus;

    console.log(
      `CHAOS bus-drop: invalidations=${INVALIDATIONS} reads=${reads.length} pubsubKills=${kills} (connections ${killedConnections}) ` +
        `staleServes=${staleServes} (all within the bound: ${violations === 0}) staleBeyondBound=${violations} worstStalenessMs=${worstMs} ` +
        `bound=${L1_TTL_WHILE_DOWN}ms+${SLACK_MS}ms longestBusDownMs=${Math.round(longestDownMs)} busSent=${a.stats().bus.sent} busReceived=${busB.received} lostWhileDown=${a.stats().bus.sent - busB.received}`,
    );

    expect(kills).toBeGreaterThanOrEqual(3);
    expect(killedConnections).toBeGreaterThanOrEqual(kills);
    // The kills did cost messages: B heard fewer than A sent, so the bound had work to do.
    expect(busB.received).toBeLessThan(a.stats().bus.sent);
    // And one outage lasted well beyond the bound, so the short L1 lifetime had to hold it.
    expect(longestDownMs).toBeGreaterThan(2 * L1_TTL_WHILE_DOWN);
    expect({ violations, examples }).toEqual({ violations: 0, examples: [] });

    // After the last kill the buses are back, and B serves the latest values.
    const settle = Date.now() + 10_000;
    while (a.stats().bus.state !== "up" || b.stats().bus.state !== "up") {
      if (Date.now() > settle) throw new Error("buses did not come back up");
      await Bun.sleep(10);
    }
    for (let k = 0; k < KEYS; k++) {
      const latest = committed[k]![committed[k]!.length - 1]!.version;
      expect(await kb.get(`k${k}`)).toBe(latest);
    }
  },
  60_000,
);
