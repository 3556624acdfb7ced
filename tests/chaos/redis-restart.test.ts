/**
 * Chaos: the redis-server behind two real server processes is stopped under load and started
 * again a few seconds later. The servers keep answering from L1 and loaders, and once redis is
 * back the breaker closes and L2 is used again, without restarting either server.
 */
import { afterAll, expect, test } from "bun:test";
import { Redis } from "ioredis";
import { startRedis } from "../support/servers.ts";
import { startServer, type ServerProcess } from "../support/server-process.ts";
import { expectEveryTurnAnswered, probeUntilClosed, runLoad, watchReadiness, webhookTurns } from "../support/load.ts";
import { signedFormRequest } from "../support/twilio-peer.ts";
import type { RedisServerProcess } from "../../src/ops/redis-server.ts";

const TOKEN = "chaos-auth-token-0123456789";
const RATE = 100;
const STOP_AT_MS = 3_000;
const START_AT_MS = 7_000;
const DURATION_MS = 11_000;

let redis: RedisServerProcess | undefined;
const servers: ServerProcess[] = [];
afterAll(async () => {
  await Promise.allSettled(servers.map((s) => s.stop()));
  await redis?.stop();
});

test(
  "redis-server stopped and started again: every turn answered, the breaker closes, L2 is used again",
  async () => {
    redis = await startRedis();
    const server = redis;
    const prefix = `chaosrs${Date.now().toString(36)}`;
    const env = {
      TWILIO_AUTH_TOKEN: TOKEN,
      LOG_LEVEL: "error",
      CACHE_L2: "redis",
      REDIS_URL: server.url,
      CACHE_PREFIX: prefix,
      CACHE_BREAKER_OPEN_MS: "500",
    };
    servers.push(...(await Promise.all([startServer(env), startServer(env)])));
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const watches = [watchReadiness(a.url), watchReadiness(b.url)];
    const callPrefix = `CArs${Date.now()}x`;
    const turns = webhookTurns({ targets: [a.url, b.url], token: TOKEN, to: "+15550001111", callPrefix });

    // An object, so that the narrowing of a local does not hide what the callbacks change.
    const redisPhase: { now: "up" | "stopping" | "stopped" | "starting" | "started" } = { now: "up" };
    const transitionsDone: Array<Promise<void>> = [];
    const report = await runLoad({
      rate: RATE,
      durationMs: DURATION_MS,
      ...turns,
      onTick(elapsed) {
        if (redisPhase.now === "up" && elapsed >= STOP_AT_MS) {
          redisPhase.now = "stopping";
          transitionsDone.push(server.stop().then(() => void (redisPhase.now = "stopped")));
        } else if (redisPhase.now === "stopped" && elapsed >= START_AT_MS) {
          redisPhase.now = "starting";
          transitionsDone.push(server.restart().then(() => void (redisPhase.now = "started")));
        }
      },
    });
    await Promise.all(transitionsDone);
    expect(redisPhase.now).toBe("started");

    // A breaker still open needs calls to probe with: keep a trickle of turns until both close.
    await probeUntilClosed(servers.map((s) => s.url), turns.callStart, 10_000);
    const seen = await Promise.all(watches.map((w) => w.stop()));

    // L2 is used again: a call started now keeps its session in redis, and the other instance finds it.
    const callSid = `${callPrefix}after`;
    const params = { AccountSid: "AC00000000000000000000000000000000", ApiVersion: "2010-04-01", CallSid: callSid, CallStatus: "in-progress", Direction: "inbound", From: "+14155550100", To: "+15550001111" };
    expect((await fetch(signedFormRequest(`${a.url}/twilio/voice`, params, TOKEN))).status).toBe(200);
    const raw = new Redis(server.url);
    const stored = await raw.exists(`${prefix}:session:${callSid}`);
    raw.disconnect();

    const transitions = seen.map((s) => s.last?.transitions ?? { open: 0, half_open: 0, closed: 0 });
    console.log(
      `CHAOS redis-restart: requests=${report.sent} completed=${report.completed} skipped=${report.skipped} 5xx=${report.serverErrors} failedTurns=${report.failed} ` +
        `breakerTransitions=open:${transitions.reduce((n, t) => n + t.open, 0)},closed:${transitions.reduce((n, t) => n + t.closed, 0)} ` +
        `breakerStates=[a:${seen[0]!.states.join(">")} b:${seen[1]!.states.join(">")}] sessionInL2After=${stored === 1} ` +
        `latency p50=${report.latencyMs.p50}ms p99=${report.latencyMs.p99}ms max=${report.latencyMs.max}ms`,
    );

    expectEveryTurnAnswered(report);
    for (const s of seen) {
      expect(s.states).toContain("open");
      expect(s.last?.breaker).toBe("closed");
      expect(s.last?.l2Reachable).toBe(true);
    }
    for (const t of transitions) expect(t.closed).toBeGreaterThanOrEqual(1);
    expect(stored).toBe(1);
  },
  60_000,
);
