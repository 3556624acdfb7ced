/**
 * An open-loop load generator for chaos tests, and the Twilio webhook turns it sends.
 *
 * Open loop: requests go out on a fixed schedule whatever the answers do, as real callers do, so
 * a stall shows up as latency and failures instead of quietly lowering the rate. A cap on requests
 * in flight keeps a dead server from piling up sockets; requests the cap holds back are counted
 * as `skipped`, never hidden.
 */
import { expect } from "bun:test";
import { signedFormRequest } from "./twilio-peer.ts";
import { findElement, parseXml, textOf } from "./xml-tree.ts";

export interface LoadOptions {
  /** Requests per second, across all targets. */
  rate: number;
  durationMs: number;
  /** Builds request number `i` (0, 1, …). */
  request(i: number): Request;
  /** Judges an answer: `undefined` when it is good, otherwise why it is not. */
  check(response: Response, body: string, i: number): string | undefined;
  /** Most requests in flight at once. Default 500. */
  maxInFlight?: number;
  /** A request not answered within this counts as failed. Default 5 000 ms. */
  timeoutMs?: number;
  /** Called about every 100 ms with the time since the start, for scripted faults. */
  onTick?(elapsedMs: number): void;
}

export interface LoadReport {
  sent: number;
  completed: number;
  /** Responses by status code. */
  statuses: Record<number, number>;
  serverErrors: number;
  /** Requests that timed out, could not connect, or whose answer `check` rejected (5xx included). */
  failed: number;
  /** Up to 10 reasons, for the error message of a failed assertion. */
  failures: string[];
  skipped: number;
  latencyMs: { p50: number; p99: number; max: number };
}

/**
 * Sends `rate` requests per second for `durationMs` and waits for the last answer.
 *
 * @example
 * ```ts
 * const report = await runLoad({ rate: 200, durationMs: 30_000, request: (i) => turns.request(i), check: turns.check });
 * expect(report.failed).toBe(0);
 * ```
 */
/**
 * What every fault run must end with whatever the fault: each request answered, no 5xx, and no
 * turn that failed its check (the failures are listed when there are any).
 *
 * @example
 * ```ts
 * expectEveryTurnAnswered(await runLoad({ rate: 100, durationMs: 5_000, ...turns }));
 * ```
 */
export function expectEveryTurnAnswered(report: LoadReport): void {
  expect(report.sent).toBeGreaterThan(0);
  expect(report.completed).toBe(report.sent);
  expect(report.serverErrors).toBe(0);
  expect({ failed: report.failed, failures: report.failures }).toEqual({ failed: 0, failures: [] });
}

export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const maxInFlight = options.maxInFlight ?? 500;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const report: LoadReport = { sent: 0, completed: 0, statuses: {}, serverErrors: 0, failed: 0, failures: [], skipped: 0, latencyMs: { p50: 0, p99: 0, max: 0 } };
  const latencies: number[] = [];
  const inFlight = new Set<Promise<void>>();
  const fail = (reason: string) => {
    report.failed++;
    if (report.failures.length < 10) report.failures.push(reason);
  };

  async function one(i: number): Promise<void> {
    const started = performance.now();
    try {
      const response = await fetch(options.request(i), { signal: AbortSignal.timeout(timeoutMs) });
      const body = await response.text();
      latencies.push(performance.now() - started);
      report.statuses[response.status] = (report.statuses[response.status] ?? 0) + 1;
      if (response.status >= 500) report.serverErrors++;
      const problem = options.check(response, body, i);
      if (problem !== undefined) fail(`#${i}: ${problem}`);
    } catch (error) {
      fail(`#${i}: ${(error as Error).name}: ${(error as Error).message}`);
    } finally {
      report.completed++;
    }
  }

  const start = performance.now();
  let lastTick = -Infinity;
  let planned = 0;
  for (;;) {
    const elapsed = performance.now() - start;
    if (elapsed >= options.durationMs) break;
    if (options.onTick !== undefined && elapsed - lastTick >= 100) {
      lastTick = elapsed;
      options.onTick(elapsed);
    }
    const due = Math.floor((elapsed / 1000) * options.rate);
    for (; planned < due; planned++) {
      if (inFlight.size >= maxInFlight) {
        report.skipped++;
        continue;
      }
      report.sent++;
      const running = one(planned);
      inFlight.add(running);
      void running.finally(() => inFlight.delete(running));
    }
    await Bun.sleep(5);
  }
  await Promise.all([...inFlight]);

  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0) * 10) / 10;
  report.latencyMs = { p50: at(0.5), p99: at(0.99), max: at(1) };
  return report;
}

/** What callers say in the turns of a simulated call (answers, intents and misses). */
const UTTERANCES = [
  "Is there somewhere to park my car?",
  "do you deliver",
  "how much is a large pizza",
  "what time do you open on Saturday",
  "do you have gluten free pizza",
  "can I make a reservation",
  "sorry can you repeat that",
  "what payment methods do you take",
  "what is the capital of france",
  "do you sell gift cards",
];

/**
 * Webhook turns of simulated calls to one business, spread over several server instances: call
 * `n` is requests `n*turnsPerCall … n*turnsPerCall + turnsPerCall - 1`; its first request is the
 * incoming-call webhook, the rest are speech results. Consecutive requests go to alternating
 * instances, so one call's turns land on different ones. As Twilio does, each turn is posted to
 * the `<Gather action>` of the latest reply `check` saw for that call (where the call's state
 * travels), moved onto the instance it goes to; the load is open loop, so when that reply has not
 * come back yet the turn goes to the URL before it, which replays an older turn, as a retry would.
 *
 * `check` accepts exactly what a caller can hear: a 200 with TwiML that says something, and not
 * the "we're having trouble" apology.
 *
 * @example
 * ```ts
 * const turns = webhookTurns({ targets: [a.url, b.url], token: TOKEN, to: "+15550001111", callPrefix: "CAchaos" });
 * await runLoad({ rate: 200, durationMs: 30_000, request: turns.request, check: turns.check });
 * ```
 */
export function webhookTurns(options: { targets: string[]; token: string; to: string; callPrefix: string; turnsPerCall?: number }) {
  const turnsPerCall = options.turnsPerCall ?? 8;
  /** Per call: the path and query of the action URL its latest reply gave. */
  const nextPath = new Map<number, string>();
  return {
    callSidOf(i: number): string {
      return `${options.callPrefix}${Math.floor(i / turnsPerCall)}`;
    },
    /**
     * A new call's first webhook to `target`, which writes its session to L2: since gather turns
     * carry their state in the URL and touch no L2, this is what lets a breaker probe.
     */
    callStart(target: string, i: number): Request {
      const params: Record<string, string> = {
        AccountSid: "AC00000000000000000000000000000000",
        ApiVersion: "2010-04-01",
        CallSid: `${options.callPrefix}probe${i}`,
        CallStatus: "ringing",
        Direction: "inbound",
        From: "+14155550100",
        To: options.to,
      };
      return signedFormRequest(`${target}/twilio/voice`, params, options.token);
    },
    request(i: number): Request {
      const target = options.targets[i % options.targets.length] as string;
      const turn = i % turnsPerCall;
      const params: Record<string, string> = {
        AccountSid: "AC00000000000000000000000000000000",
        ApiVersion: "2010-04-01",
        CallSid: `${options.callPrefix}${Math.floor(i / turnsPerCall)}`,
        CallStatus: "in-progress",
        Direction: "inbound",
        From: "+14155550100",
        To: options.to,
      };
      if (turn === 0) return signedFormRequest(`${target}/twilio/voice`, params, options.token);
      params.SpeechResult = UTTERANCES[(i * 7 + turn) % UTTERANCES.length] as string;
      params.Confidence = "0.9";
      return signedFormRequest(`${target}${nextPath.get(Math.floor(i / turnsPerCall)) ?? "/twilio/gather"}`, params, options.token);
    },
    check(response: Response, body: string, i: number): string | undefined {
      if (response.status !== 200) return `status ${response.status}: ${body.slice(0, 120)}`;
      if (!(response.headers.get("content-type") ?? "").includes("xml")) return `content-type ${response.headers.get("content-type")}`;
      let say: string;
      let doc: ReturnType<typeof parseXml>;
      try {
        doc = parseXml(body);
        say = textOf(findElement(doc, "Say")).trim();
      } catch (error) {
        return `not TwiML (${(error as Error).message}): ${body.slice(0, 120)}`;
      }
      if (say === "") return `no <Say> in ${body.slice(0, 200)}`;
      if (say.startsWith("Sorry, we're having trouble")) return `apology instead of an answer: ${say}`;
      const action = findElement(doc, "Gather")?.attributes.action;
      if (action !== undefined) {
        const url = new URL(action, "http://any.invalid");
        nextPath.set(Math.floor(i / turnsPerCall), url.pathname + url.search);
      }
      return undefined;
    },
  };
}

/** p50 and p99 of a list of numbers, rounded to 0.1. */
export function percentiles(values: readonly number[]): { p50: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => Math.round((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0) * 10) / 10;
  return { p50: at(0.5), p99: at(0.99), max: at(1) };
}

/** One look at `/health/ready`. */
export interface ReadinessSample {
  at: number;
  status: string;
  breaker: string | undefined;
  transitions: { open: number; half_open: number; closed: number } | undefined;
  l2Reachable: boolean | undefined;
  bus: string | undefined;
}

/**
 * Polls a server's `/health/ready` every `everyMs` until `stop()`, which returns every sample and
 * the breaker states seen in order (repeats collapsed).
 *
 * @example
 * ```ts
 * const watch = watchReadiness(server.url);
 * // … run load, inject faults …
 * const { states, samples } = await watch.stop(); // states: ["closed", "open", "half_open", "closed"]
 * ```
 */
export function watchReadiness(url: string, everyMs = 100) {
  const samples: ReadinessSample[] = [];
  let stopped = false;
  const started = performance.now();
  const loop = (async () => {
    while (!stopped) {
      try {
        const res = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2_000) });
        const json = (await res.json()) as {
          status: string;
          cache?: { breaker?: { state: string; transitions: ReadinessSample["transitions"] }; l2?: { reachable: boolean }; bus?: string };
        };
        samples.push({
          at: Math.round(performance.now() - started),
          status: json.status,
          breaker: json.cache?.breaker?.state,
          transitions: json.cache?.breaker?.transitions,
          l2Reachable: json.cache?.l2?.reachable,
          bus: json.cache?.bus,
        });
      } catch (error) {
        samples.push({ at: Math.round(performance.now() - started), status: `unanswered: ${(error as Error).name}`, breaker: undefined, transitions: undefined, l2Reachable: undefined, bus: undefined });
      }
      await Bun.sleep(everyMs);
    }
  })();
  return {
    async stop(): Promise<{ samples: ReadinessSample[]; states: string[]; last: ReadinessSample | undefined }> {
      stopped = true;
      await loop;
      const states: string[] = [];
      for (const s of samples) if (s.breaker !== undefined && states[states.length - 1] !== s.breaker) states.push(s.breaker);
      return { samples, states, last: samples[samples.length - 1] };
    },
  };
}

/**
 * Waits until every cache's invalidation bus is subscribed, so a test measures invalidations
 * rather than the first connection.
 *
 * @example
 * await busesUp([a, b]);
 */
export async function busesUp(caches: ReadonlyArray<{ stats(): { bus: { state: string } } }>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (caches.some((cache) => cache.stats().bus.state !== "up")) {
    if (Date.now() > until) throw new Error("buses did not come up");
    await Bun.sleep(10);
  }
}

/**
 * After the load: a breaker still open needs calls to probe L2 with. Starts one call per server
 * every 200 ms until every server's breaker reads closed, or `timeoutMs` passes (the caller's
 * assertions then say so).
 *
 * @example
 * await probeUntilClosed([a.url, b.url], turns.callStart);
 */
export async function probeUntilClosed(urls: readonly string[], callStart: (url: string, i: number) => Request, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (let i = 0; Date.now() < until; i++) {
    const states = await Promise.all(
      urls.map(async (url) => ((await (await fetch(`${url}/health/ready`)).json()) as { cache: { breaker: { state: string } } }).cache.breaker.state),
    );
    if (states.every((state) => state === "closed")) return;
    // Each instance gets a request that reaches L2 (a call's start), or its breaker has nothing to probe with.
    await Promise.all(urls.map(async (url) => (await fetch(callStart(url, i))).text()));
    await Bun.sleep(200);
  }
}
