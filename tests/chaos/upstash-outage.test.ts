/**
 * Chaos: a real server process on Upstash REST (a dedicated shim in front of a real redis-server).
 * Under steady webhook turns the endpoint first stalls for seconds, then answers 500 for a while,
 * then recovers. Every turn must still be answered, and the breaker must open and close again.
 */
import { afterAll, expect, test } from "bun:test";
import { startUpstash, type UpstashShimProcess } from "../support/servers.ts";
import { startServer, type ServerProcess } from "../support/server-process.ts";
import { expectEveryTurnAnswered, probeUntilClosed, runLoad, watchReadiness, webhookTurns } from "../support/load.ts";

const TOKEN = "chaos-auth-token-0123456789";
const RATE = 100;
const STALL_AT_MS = 3_000;
const ERRORS_AT_MS = 7_000;
const HEALED_AT_MS = 10_000;
const DURATION_MS = 14_000;

let upstash: UpstashShimProcess | undefined;
let server: ServerProcess | undefined;
afterAll(async () => {
  await server?.stop();
  await upstash?.stop();
});

test(
  "the REST endpoint stalls, then answers 500: no failed turn, the breaker opens and closes",
  async () => {
    upstash = await startUpstash();
    server = await startServer({
      TWILIO_AUTH_TOKEN: TOKEN,
      LOG_LEVEL: "error",
      CACHE_L2: "upstash",
      UPSTASH_REDIS_REST_URL: upstash.url,
      UPSTASH_REDIS_REST_TOKEN: upstash.token,
      CACHE_PREFIX: `chaosup${Date.now().toString(36)}`,
      CACHE_L2_TIMEOUT_MS: "200",
      CACHE_BREAKER_OPEN_MS: "500",
    });
    const shim = upstash;
    const watch = watchReadiness(server.url);
    const turns = webhookTurns({ targets: [server.url], token: TOKEN, to: "+15550001111", callPrefix: `CAup${Date.now()}x` });

    const faults: Array<Promise<void>> = [];
    let phase = "ok";
    const report = await runLoad({
      rate: RATE,
      durationMs: DURATION_MS,
      ...turns,
      onTick(elapsed) {
        const next = elapsed >= HEALED_AT_MS ? "healed" : elapsed >= ERRORS_AT_MS ? "error500" : elapsed >= STALL_AT_MS ? "stall" : "ok";
        if (next === phase) return;
        phase = next;
        if (next === "stall") faults.push(shim.fault("stall", 3_000));
        if (next === "error500") faults.push(shim.fault("error500"));
        if (next === "healed") faults.push(shim.fault("ok"));
      },
    });
    await Promise.all(faults);

    await probeUntilClosed([server.url], turns.callStart, 10_000);
    const { states, last } = await watch.stop();
    const transitions = last?.transitions ?? { open: 0, half_open: 0, closed: 0 };

    console.log(
      `CHAOS upstash-outage: requests=${report.sent} completed=${report.completed} skipped=${report.skipped} 5xx=${report.serverErrors} failedTurns=${report.failed} ` +
        `breakerTransitions=open:${transitions.open},half_open:${transitions.half_open},closed:${transitions.closed} breakerStates=[${states.join(">")}] ` +
        `latency p50=${report.latencyMs.p50}ms p99=${report.latencyMs.p99}ms max=${report.latencyMs.max}ms`,
    );

    expectEveryTurnAnswered(report);
    expect(transitions.open).toBeGreaterThanOrEqual(1);
    expect(transitions.closed).toBeGreaterThanOrEqual(1);
    expect(states).toContain("open");
    expect(last?.breaker).toBe("closed");
    expect(last?.l2Reachable).toBe(true);
  },
  60_000,
);
