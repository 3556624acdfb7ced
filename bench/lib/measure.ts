/**
 * Timing for the benchmarks: fresh loop code per variant, warm-up, interleaved rounds and medians.
 *
 * Rounds are interleaved (round 1 of every variant, then round 2 of every variant, …, with the
 * order rotated each round) so that a noisy neighbour or a slow minute on this shared machine hits
 * every variant alike instead of ruining one of them.
 */

/** Runs `n` operations; the returned number (sync loops) only keeps the work observable. */
export type Loop = (n: number) => Promise<unknown> | unknown;

/** One thing to time: a label and a loop that performs `n` operations. */
export interface Variant {
  name: string;
  loop: Loop;
  /** Operations per round for this variant when it differs from the round's (a slow library). */
  ops?: number;
}

/** Medians and spread of one variant, in nanoseconds per operation. */
export interface Timing {
  name: string;
  medianNs: number;
  minNs: number;
  maxNs: number;
  samplesNs: number[];
}

export interface RoundOptions {
  /** Operations per round and variant. */
  ops: number;
  rounds: number;
  /** Operations run once per variant before any round is timed. */
  warmupOps: number;
  /** Full GC before each timed round, so one variant's garbage is not collected on another's clock. Default true. */
  gcBetween?: boolean;
}

/**
 * A loop that awaits `op(i)` for i = 0…n-1. The loop is compiled from its own source text for each
 * call, so every variant gets its own call site and type feedback; one shared loop would turn
 * megamorphic and tax the cheapest variants most.
 *
 * @example
 * ```ts
 * const loop = asyncLoop((i) => handle.getOrSet(keys[i & 1023]!, loader));
 * await loop(1_000_000);
 * ```
 */
export function asyncLoop(op: (i: number) => unknown): Loop {
  const make = new Function("op", "return async function loop(n) { for (let i = 0; i < n; i++) await op(i); };") as (
    op: (i: number) => unknown,
  ) => Loop;
  return make(op);
}

/**
 * A synchronous loop over `op(i)` that counts defined results, so the engine cannot drop the calls.
 *
 * @example
 * ```ts
 * const loop = syncLoop((i) => lru.get(keys[i & 1023]!));
 * loop(1_000_000); // 1000000 when every key is present
 * ```
 */
export function syncLoop(op: (i: number) => unknown): Loop {
  const make = new Function(
    "op",
    "return function loop(n) { let seen = 0; for (let i = 0; i < n; i++) if (op(i) !== undefined) seen++; return seen; };",
  ) as (op: (i: number) => unknown) => Loop;
  return make(op);
}

/**
 * `total` operations with at most `inFlight` awaiting at once; operation `i` is handed out in order.
 *
 * @example
 * ```ts
 * await concurrently(10_000, 50, (i) => redis.get(keys[i % keys.length]!));
 * ```
 */
export async function concurrently(total: number, inFlight: number, op: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) await op(next++);
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, total) }, worker));
}

/**
 * Warms every variant up, then times `rounds` interleaved rounds of `ops` operations each.
 *
 * @example
 * ```ts
 * const [lru] = await timeRounds([{ name: "quick-lru get", loop }], { ops: 1e6, rounds: 7, warmupOps: 2e5 });
 * lru.medianNs; // ≈ 3
 * ```
 */
export async function timeRounds(variants: readonly Variant[], options: RoundOptions): Promise<Timing[]> {
  const gcBetween = options.gcBetween ?? true;
  for (const variant of variants) await variant.loop(Math.min(options.warmupOps, variant.ops ?? options.ops));
  const samples = variants.map(() => [] as number[]);
  for (let round = 0; round < options.rounds; round++) {
    for (let k = 0; k < variants.length; k++) {
      const index = (k + round) % variants.length;
      const variant = variants[index] as Variant;
      const ops = variant.ops ?? options.ops;
      if (gcBetween) Bun.gc(true);
      const started = Bun.nanoseconds();
      await variant.loop(ops);
      (samples[index] as number[]).push((Bun.nanoseconds() - started) / ops);
    }
  }
  return variants.map((variant, i) => summarize(variant.name, samples[i] as number[]));
}

/** Latency percentiles of single awaited operations, in nanoseconds. */
export interface Latency {
  name: string;
  p10Ns: number;
  medianNs: number;
  p90Ns: number;
}

/**
 * Times single awaited operations, one at a time, taking turns between variants (a, b, c, a, b, c…)
 * so that every variant sees the same moments of the machine. Round trips over loopback on a busy
 * 2-core machine drift between modes (20 µs one minute, 60 µs the next); whole-round timings
 * then depend on which variant ran when, per-operation turns do not.
 *
 * @example
 * ```ts
 * const [raw] = await interleavedLatency([{ name: "GET", op: (i) => redis.get(keys[i % 1000]!) }], 5_000, 1_000);
 * raw.medianNs; // ≈ 25_000
 * ```
 */
export async function interleavedLatency(
  variants: ReadonlyArray<{ name: string; op: (i: number) => Promise<unknown> }>,
  opsPerVariant: number,
  warmupOps: number,
): Promise<Latency[]> {
  for (const variant of variants) for (let i = 0; i < warmupOps; i++) await variant.op(i);
  const samples = variants.map(() => new Float64Array(opsPerVariant));
  for (let i = 0; i < opsPerVariant; i++) {
    for (let k = 0; k < variants.length; k++) {
      const index = (k + i) % variants.length;
      const started = Bun.nanoseconds();
      await (variants[index] as (typeof variants)[number]).op(i);
      (samples[index] as Float64Array)[i] = Bun.nanoseconds() - started;
    }
  }
  return variants.map((variant, k) => {
    const sorted = (samples[k] as Float64Array).sort();
    const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
    return { name: variant.name, p10Ns: at(0.1), medianNs: median(Array.from(sorted)), p90Ns: at(0.9) };
  });
}

/** Median, min and max of per-operation samples. */
export function summarize(name: string, samplesNs: number[]): Timing {
  const sorted = [...samplesNs].sort((a, b) => a - b);
  return { name, medianNs: median(sorted), minNs: sorted[0] ?? Number.NaN, maxNs: sorted[sorted.length - 1] ?? Number.NaN, samplesNs };
}

/** Median of numbers (sorted or not). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
