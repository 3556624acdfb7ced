/**
 * The in-process cost of one warm `POST /twilio/gather` turn: the real app (sample businesses,
 * memory L2, signatures on, the server's global meter: a no-op unless telemetry is configured),
 * driven with `app.fetch` and no socket, so the figure is the product's own CPU per turn without
 * the HTTP server's (building each Request is counted, as the server builds one per request too).
 * Not part of `bun test`; a quicker look than `bun bench/server.ts` when changing the hot path.
 *
 * @example
 * ```sh
 * bun bench/turn.ts                 # 9 rounds of 20 000 turns
 * bun bench/turn.ts --turns 50000 --rounds 3
 * bun --cpu-prof bench/turn.ts      # writes a .cpuprofile of the turns
 * ```
 */
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { createApp } from "../src/app.ts";
import { loadDirectory } from "../src/bot/directory/from-config.ts";
import { prepareBusinesses } from "../src/bot/prepare.ts";
import { createCache } from "../src/cache/index.ts";
import { cacheOptionsFromConfig } from "../src/cache-from-config.ts";
import { loadConfig } from "../src/config.ts";
import { l2FromConfig } from "../src/l2-from-config.ts";
import { createLog } from "../src/log.ts";
import { benchCalls, FIRST_GATHER_PATH, gatherSigner, type SignedTurn } from "./lib/server-requests.ts";

const AUTH_TOKEN = "bench-auth-token";
const PUBLIC_BASE_URL = "https://bench.voxedge.test";
/** The origin requests are addressed to, as the server sees them behind a proxy. */
const ORIGIN = "http://127.0.0.1:3000";

/** Per-turn figures of one round. */
export interface TurnRound {
  /** Wall time per turn (one turn at a time). */
  usPerTurn: number;
  /** CPU time of the process per turn (every thread: the collector's helpers too), steadier on a busy machine. */
  cpuUsPerTurn: number;
}

/**
 * Builds the app as `src/server.ts` does (without listening), plays the benchmark's calls once to
 * warm the cache and record each turn's URL, then replays them and times the turns.
 *
 * @example
 * ```ts
 * const rounds = await measureTurns({ turns: 20_000, rounds: 3 });
 * ```
 */
export async function measureTurns(options: { turns: number; rounds: number }): Promise<TurnRound[]> {
  const config = loadConfig({ TWILIO_AUTH_TOKEN: AUTH_TOKEN, PUBLIC_BASE_URL, CACHE_L2: "memory", LOG_LEVEL: "warn" });
  const directory = await loadDirectory(config);
  const l2 = await l2FromConfig(config);
  const cache = createCache(cacheOptionsFromConfig(config, l2));
  const app = createApp({ config, cache, directory, log: createLog(config.LOG_LEVEL), version: "bench" });
  await prepareBusinesses(directory);

  const signer = gatherSigner({ publicBaseUrl: PUBLIC_BASE_URL, authToken: AUTH_TOKEN });
  const turns: SignedTurn[] = [];
  for (const call of benchCalls()) {
    let path = FIRST_GATHER_PATH;
    for (const turn of call.turns) {
      const sent: SignedTurn = { path, body: turn.body, headers: signer.headers(path, turn.params) };
      const response = await app.fetch(request(sent));
      const text = await response.text();
      if (response.status !== 200 || !text.includes("<Say")) throw new Error(`turn refused: ${response.status} ${text.slice(0, 120)}`);
      turns.push(sent);
      path = signer.nextPath(text) ?? path;
    }
  }

  const rounds: TurnRound[] = [];
  // One unmeasured round for the JIT.
  for (let round = -1; round < options.rounds; round++) {
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    for (let i = 0; i < options.turns; i++) {
      const response = await app.fetch(request(turns[i % turns.length]!));
      await response.text();
    }
    const elapsedMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    if (round >= 0) rounds.push({ usPerTurn: (elapsedMs * 1000) / options.turns, cpuUsPerTurn: (cpu.user + cpu.system) / options.turns });
  }
  await cache.close();
  return rounds;
}

/** The request as the HTTP server hands it over: with the Content-Length the client sent. */
function request(turn: SignedTurn): Request {
  return new Request(ORIGIN + turn.path, { method: "POST", headers: { ...turn.headers, "content-length": String(Buffer.byteLength(turn.body)) }, body: turn.body });
}

if (import.meta.main) {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { turns: { type: "string" }, rounds: { type: "string" } } });
  const rounds = await measureTurns({ turns: Number(values.turns ?? 20_000), rounds: Number(values.rounds ?? 9) });
  for (const [i, r] of rounds.entries()) console.log(`round ${i + 1}: ${r.usPerTurn.toFixed(1)} µs/turn wall, ${r.cpuUsPerTurn.toFixed(1)} µs/turn CPU`);
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const cpu = rounds.map((r) => r.cpuUsPerTurn);
  console.log(
    `median ${median(rounds.map((r) => r.usPerTurn)).toFixed(1)} µs/turn wall, ${median(cpu).toFixed(1)} µs/turn CPU, best round ${Math.min(...cpu).toFixed(1)} µs/turn CPU ` +
      `(building each Request in this process included; load average ${loadavg()[0]!.toFixed(2)})`,
  );
}
