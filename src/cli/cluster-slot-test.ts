/**
 * The `bun run cluster test` check: one key in each of the 16384 hash slots, written and read back
 * through an ioredis `Cluster` the way the cache's redis-cluster L2 talks to it.
 */
import { Cluster } from "ioredis";
import { keySlot, SLOT_COUNT } from "../ops/slots.ts";

const CONCURRENCY = 64;
const KEY_PREFIX = "voxedge:cluster-test:";

/** Latency of one kind of command over the whole run. */
export interface LatencySummary {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  opsPerSec: number;
}

/** What `runSlotTest` found; `ok` only when every slot was written and read back intact. */
export interface SlotTestReport {
  ok: boolean;
  slots: number;
  /** SETs that succeeded. */
  written: number;
  /** GETs that returned the value written. */
  read: number;
  /** GETs that answered with something else (or nothing). */
  mismatches: number;
  /** Commands that threw (timeouts, CLUSTERDOWN, connection errors). */
  errors: number;
  /** A few distinct error messages, for the report. */
  errorSamples: string[];
  set: LatencySummary;
  get: LatencySummary;
  /** The test keys expire after this long. */
  ttlSeconds: number;
  keyPrefix: string;
}

let hashTagsBySlot: string[] | undefined;

/** A hash tag per slot (index = slot), found by counting upward: about 170k CRC16s, same every run. */
function slotHashTags(): readonly string[] {
  if (hashTagsBySlot) return hashTagsBySlot;
  const tags = new Array<string>(SLOT_COUNT);
  let missing = SLOT_COUNT;
  for (let n = 0; missing > 0; n++) {
    const tag = n.toString(36);
    const slot = keySlot(tag);
    if (tags[slot] === undefined) {
      tags[slot] = tag;
      missing--;
    }
  }
  hashTagsBySlot = tags;
  return tags;
}

/**
 * Connects to `seeds` ("host:port"), writes one key per slot (SET … EX ttl), reads every key back
 * and compares. Never throws for command failures: they are counted in the report.
 *
 * @example const report = await runSlotTest(["127.0.0.1:7000"]); if (!report.ok) process.exitCode = 1;
 */
export async function runSlotTest(
  seeds: readonly string[],
  opts: { ttlSeconds?: number; connectTimeoutMs?: number } = {},
): Promise<SlotTestReport> {
  const ttlSeconds = opts.ttlSeconds ?? 600;
  const client = new Cluster(
    seeds.map((seed) => {
      const [host, port] = splitSeed(seed);
      return { host, port };
    }),
    {
      // Fail commands instead of queueing them forever when the cluster is down.
      clusterRetryStrategy: (times) => (times > 5 ? null : 200),
      redisOptions: { commandTimeout: 2_000, connectTimeout: 2_000 },
    },
  );
  try {
    await waitForReady(client, opts.connectTimeoutMs ?? 10_000);
    const runId = crypto.randomUUID().slice(0, 8);
    const tags = slotHashTags();
    const keyOf = (slot: number) => `${KEY_PREFIX}{${tags[slot]}}`;
    const valueOf = (slot: number) => `${runId}:${slot}`;
    const errors = new ErrorTally();

    let written = 0;
    const set = await timeEach(SLOT_COUNT, async (slot) => {
      try {
        await client.set(keyOf(slot), valueOf(slot), "EX", ttlSeconds);
        written++;
      } catch (error) {
        errors.add(error);
      }
    });

    let read = 0;
    let mismatches = 0;
    const get = await timeEach(SLOT_COUNT, async (slot) => {
      try {
        if ((await client.get(keyOf(slot))) === valueOf(slot)) read++;
        else mismatches++;
      } catch (error) {
        errors.add(error);
      }
    });

    return {
      ok: written === SLOT_COUNT && read === SLOT_COUNT && errors.count === 0,
      slots: SLOT_COUNT,
      written,
      read,
      mismatches,
      errors: errors.count,
      errorSamples: errors.samples,
      set,
      get,
      ttlSeconds,
      keyPrefix: KEY_PREFIX,
    };
  } finally {
    client.disconnect();
  }
}

function splitSeed(seed: string): [string, number] {
  const colon = seed.lastIndexOf(":");
  return [seed.slice(0, colon), Number(seed.slice(colon + 1))];
}

function waitForReady(client: Cluster, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let lastError = "";
    const onError = (error: Error) => {
      lastError = error.message;
    };
    const done = (error?: Error) => {
      clearTimeout(timer);
      client.off("ready", onReady);
      client.off("error", onError);
      client.off("end", onEnd);
      if (error) reject(error);
      else resolve();
    };
    const onReady = () => done();
    const onEnd = () => done(new Error(`the cluster client gave up connecting${lastError ? `: ${lastError}` : ""}`));
    const timer = setTimeout(
      () => done(new Error(`the cluster client was not ready within ${timeoutMs} ms${lastError ? `: ${lastError}` : ""}`)),
      timeoutMs,
    );
    client.once("ready", onReady);
    client.on("error", onError);
    client.once("end", onEnd);
  });
}

/** Runs `work(0 … count-1)` with bounded concurrency and summarises the latency of each call. */
async function timeEach(count: number, work: (index: number) => Promise<void>): Promise<LatencySummary> {
  const durations = new Float64Array(count);
  let next = 0;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        const index = next++;
        const start = performance.now();
        await work(index);
        durations[index] = performance.now() - start;
      }
    }),
  );
  const elapsedMs = performance.now() - began;
  durations.sort();
  const at = (q: number) => durations[Math.min(count - 1, Math.floor(q * count))] ?? 0;
  return {
    p50Ms: round(at(0.5)),
    p99Ms: round(at(0.99)),
    maxMs: round(durations[count - 1] ?? 0),
    opsPerSec: Math.round((count / elapsedMs) * 1_000),
  };
}

const round = (ms: number) => Math.round(ms * 100) / 100;

class ErrorTally {
  count = 0;
  readonly samples: string[] = [];

  add(error: unknown): void {
    this.count++;
    const message = error instanceof Error ? error.message : String(error);
    if (this.samples.length < 5 && !this.samples.includes(message)) this.samples.push(message);
  }
}

/**
 * The report as a few lines for the terminal; `resetCommand` is the command that removes the
 * test keys before they expire.
 *
 * @example console.log(renderSlotTestReport(report, 6, "bun run cluster reset"));
 */
export function renderSlotTestReport(report: SlotTestReport, seedCount: number, resetCommand: string): string {
  const line = (name: string, done: number, l: LatencySummary) =>
    `  ${name}  ${done}/${report.slots} ok   p50 ${l.p50Ms} ms   p99 ${l.p99Ms} ms   max ${l.maxMs} ms   (${l.opsPerSec} ops/s)`;
  return [
    `${report.ok ? "PASS" : "FAIL"}: one key in each of the ${report.slots} slots, written and read back ` +
      `through an ioredis Cluster (${seedCount} seeds).`,
    line("SET", report.written, report.set),
    line("GET", report.read, report.get),
    `  wrong values: ${report.mismatches}   errors: ${report.errors}`,
    ...report.errorSamples.map((message) => `    ${message}`),
    `Test keys (${report.keyPrefix}{…}) expire after ${report.ttlSeconds} s; \`${resetCommand}\` removes them now.`,
  ].join("\n");
}
