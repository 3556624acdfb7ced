/**
 * One load run with autocannon's programmatic API, with latency kept at sub-millisecond resolution
 * (autocannon's own histogram rounds to whole milliseconds, and loopback answers take less).
 */
import { createRequire } from "node:module";
import type { SignedTurn } from "./server-requests.ts";

/** The part of autocannon's options this benchmark uses. */
interface AutocannonRequest {
  method: "POST";
  path: string;
  body: string;
  headers: Record<string, string>;
}
interface AutocannonClient {
  setRequests(requests: AutocannonRequest[]): void;
}
interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  requests: AutocannonRequest[];
  setupClient: (client: AutocannonClient) => void;
  timeout: number;
}
interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  requests: { total: number };
  statusCodeStats: Record<string, { count: number }>;
}
interface AutocannonInstance extends PromiseLike<AutocannonResult> {
  on(event: "response", listener: (client: unknown, statusCode: number, bytes: number, responseTimeMs: number) => void): void;
}
type Autocannon = (options: AutocannonOptions) => AutocannonInstance;

let loaded: Autocannon | undefined;
function autocannon(): Autocannon {
  // autocannon ships no type declarations; the shapes above are the ones used here.
  loaded ??= createRequire(import.meta.url)("autocannon") as Autocannon;
  return loaded;
}

/** Where to send the load and how much of it. */
export interface LoadOptions {
  /** Origin of the server, e.g. `http://127.0.0.1:3000`. */
  origin: string;
  /** Each call's turns, signed for the action URLs its replies gave (see `recordCalls`). */
  calls: readonly (readonly SignedTurn[])[];
  connections: number;
  durationSec: number;
}

/** What one run measured. Latencies cover every response, whatever its status. */
export interface LoadResult {
  requests: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Responses with a status outside 200–299. */
  non2xx: number;
  /** Connection errors and timeouts. */
  errors: number;
  /** Count per status code, e.g. `{ "200": 412345 }`. */
  statuses: Record<string, number>;
}

/**
 * Runs the calls over `connections` keep-alive connections for `durationSec`: each connection
 * plays one call, turn after turn, each turn posted to the action URL the reply before it gave
 * (recorded when the calls were first played, so the generator only replays bytes and keeps the
 * signing cost out of the measurement), and starts the call again after its last turn. Connection
 * `n` plays call `n`, so concurrent requests carry different CallSids and questions.
 *
 * @example
 * ```ts
 * const result = await runLoad({ origin: "http://127.0.0.1:3000", calls: recorded, connections: 50, durationSec: 10 });
 * console.log(result.reqPerSec, result.p99Ms, result.non2xx);
 * ```
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const requests = (call: readonly SignedTurn[]): AutocannonRequest[] =>
    call.map((turn) => ({ method: "POST", path: turn.path, body: turn.body, headers: { ...turn.headers } }));
  const latencies = new LatencyLog();
  let nextCall = 0;
  const instance = autocannon()({
    url: options.origin,
    connections: options.connections,
    duration: options.durationSec,
    timeout: 10,
    requests: requests(options.calls[0]!),
    setupClient: (client) => client.setRequests(requests(options.calls[nextCall++ % options.calls.length]!)),
  });
  instance.on("response", (_client, _status, _bytes, responseTimeMs) => latencies.add(responseTimeMs));
  const result = await instance;
  const statuses: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats)) statuses[code] = stat.count;
  return {
    requests: result.requests.total,
    reqPerSec: result.requests.total / result.duration,
    p50Ms: latencies.percentile(50),
    p99Ms: latencies.percentile(99),
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    statuses,
  };
}

/** A growable list of latencies in milliseconds; sorted once, when a percentile is first asked for. */
class LatencyLog {
  private values = new Float64Array(1 << 16);
  private length = 0;
  private sorted: Float64Array | undefined;

  add(ms: number): void {
    if (this.length === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.length++] = ms;
    this.sorted = undefined;
  }

  percentile(p: number): number {
    if (this.length === 0) return Number.NaN;
    this.sorted ??= this.values.subarray(0, this.length).sort();
    const rank = Math.min(this.length - 1, Math.max(0, Math.ceil((p / 100) * this.length) - 1));
    return this.sorted[rank]!;
  }
}
