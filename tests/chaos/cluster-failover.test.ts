/**
 * Chaos: two real server processes share a dedicated 3-master + 3-replica Redis Cluster; about 200
 * webhook turns per second go to both for 30 s, and one master is SIGKILLed at 10 s. Every turn
 * must still be answered with TwiML that says something, and readiness must show the L2 breaker
 * opening and closing again once a replica has taken over.
 */
import { afterAll, expect, test } from "bun:test";
import { startCluster } from "../support/servers.ts";
import { startServer, type ServerProcess } from "../support/server-process.ts";
import { expectEveryTurnAnswered, probeUntilClosed, runLoad, watchReadiness, webhookTurns } from "../support/load.ts";
import type { RedisClusterProcess } from "../../src/ops/redis-cluster.ts";

const TOKEN = "chaos-auth-token-0123456789";
const ADMIN = "chaos-admin-token-0123456789ab";
const RATE = 200;
const DURATION_MS = 30_000;
const KILL_AT_MS = 10_000;

let cluster: RedisClusterProcess | undefined;
const servers: ServerProcess[] = [];
afterAll(async () => {
  await Promise.allSettled(servers.map((s) => s.stop()));
  await cluster?.stop();
});

test(
  "a master SIGKILLed under 200 turns/s: no 5xx, no failed turn, the breaker opens and recovers",
  async () => {
    cluster = await startCluster({ nodeTimeoutMs: 2_000 });
    const env = {
      TWILIO_AUTH_TOKEN: TOKEN,
      ADMIN_TOKEN: ADMIN,
      LOG_LEVEL: "error",
      CACHE_L2: "redis-cluster",
      REDIS_CLUSTER_NODES: cluster.seeds.join(","),
      CACHE_PREFIX: `chaos${Date.now().toString(36)}`,
      CACHE_BREAKER_OPEN_MS: "1000",
    };
    servers.push(...(await Promise.all([startServer(env), startServer(env)])));
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const watches = [watchReadiness(a.url), watchReadiness(b.url)];

    const turns = webhookTurns({ targets: [a.url, b.url], token: TOKEN, to: "+15550001111", callPrefix: `CAfail${Date.now()}x` });
    let killed: Promise<number> | undefined;
    const report = await runLoad({
      rate: RATE,
      durationMs: DURATION_MS,
      ...turns,
      onTick(elapsed) {
        if (elapsed >= KILL_AT_MS && killed === undefined) {
          const current = cluster as RedisClusterProcess;
          killed = current.masterFor("chaos").then(async (master) => {
            await master.kill();
            return master.port;
          });
        }
      },
    });
    const killedPort = await killed;

    await probeUntilClosed(servers.map((s) => s.url), turns.callStart, 15_000);
    const seen = await Promise.all(watches.map((w) => w.stop()));
    const stats = await Promise.all(
      servers.map(async (s) => (await (await fetch(`${s.url}/cache/stats`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as { l2: { errors: Record<string, number> }; writeQueue?: { replayed: number; dropped: number; pending: number } }),
    );
    const l2Errors = stats.reduce((sum, s) => sum + Object.entries(s.l2.errors).reduce((n, [kind, count]) => (kind === "breaker_open" ? n : n + count), 0), 0);
    const replayed = stats.reduce((n, s) => n + (s.writeQueue?.replayed ?? 0), 0);
    const replayDropped = stats.reduce((n, s) => n + (s.writeQueue?.dropped ?? 0), 0);
    const transitions = seen.map((s) => s.last?.transitions ?? { open: 0, half_open: 0, closed: 0 });
    const opened = transitions.reduce((n, t) => n + t.open, 0);
    const closed = transitions.reduce((n, t) => n + t.closed, 0);

    console.log(
      `CHAOS cluster-failover: requests=${report.sent} completed=${report.completed} skipped=${report.skipped} 5xx=${report.serverErrors} failedTurns=${report.failed} ` +
        `breakerTransitions=open:${opened},closed:${closed} breakerStates=[a:${seen[0]!.states.join(">")} b:${seen[1]!.states.join(">")}] ` +
        `l2Errors=${l2Errors} writesReplayed=${replayed} writesDropped=${replayDropped} latency p50=${report.latencyMs.p50}ms p99=${report.latencyMs.p99}ms max=${report.latencyMs.max}ms killedMaster=${killedPort}`,
    );

    expect(killedPort).toBeGreaterThan(0);
    expectEveryTurnAnswered(report);
    // The kill must have been felt: L2 calls to the dead shard failed.
    expect(l2Errors).toBeGreaterThan(0);
    if (opened > 0) {
      // Readiness saw the breaker leave `closed` and come back to it, on every instance it opened on.
      expect(seen.some((s) => s.states.includes("open") || s.states.includes("half_open"))).toBe(true);
      for (const t of transitions) if (t.open > 0) expect(t.closed).toBeGreaterThanOrEqual(1);
    }
    for (const s of seen) expect(s.last?.breaker).toBe("closed");
  },
  120_000,
);
