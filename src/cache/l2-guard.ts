import type { Histogram, Attributes } from "@opentelemetry/api";
import { CACHE_DEFAULTS } from "./defaults.ts";
import { L2TimeoutError } from "./errors.ts";
import { createBreaker, type BreakerOptions, type BreakerState } from "./breaker.ts";
import type { L2Adapter } from "./l2/types.ts";
import { createL2ErrorCounters, type L2ErrorKind } from "./stats.ts";

/** What a guarded call resolves to when L2 could not answer; callers treat it as "ask the loader". */
export const L2_FAILED: unique symbol = Symbol("l2-failed");
export type L2Failed = typeof L2_FAILED;

export interface L2GuardOptions {
  /** Upper bound of every L2 call. Default {@link CACHE_DEFAULTS.l2TimeoutMs} (250 ms). */
  timeoutMs?: number;
  breaker?: BreakerOptions;
}

/**
 * Wraps an L2 adapter so that no call can hurt a caller: each call has a timeout, failures feed a
 * circuit breaker, an open breaker skips L2 at once, and every failure becomes {@link L2_FAILED}
 * instead of an exception. Durations go to the operation histogram.
 *
 * @example
 * ```ts
 * const guard = createL2Guard(redisL2({ url }), { timeoutMs: 100 }, histogram);
 * const text = await guard.call(attrs, () => guard.adapter.get("voxedge:business:+1555…"));
 * if (text === L2_FAILED) { ... }
 * ```
 */
export function createL2Guard(
  adapter: L2Adapter,
  options: L2GuardOptions,
  durations: Histogram,
  onBreakerChange?: (state: BreakerState) => void,
  /** Told after each call L2 answered: L2 is reachable now. */
  onSuccess?: () => void,
) {
  const timeoutMs = options.timeoutMs ?? CACHE_DEFAULTS.l2TimeoutMs;
  const breaker = createBreaker(options.breaker, onBreakerChange);
  const errors = createL2ErrorCounters();
  let lastError: { kind: L2ErrorKind; message: string; at: number } | undefined;

  function recordFailure(error: unknown): void {
    const kind = classify(error);
    errors[kind]++;
    lastError = { kind, message: safeMessage(error), at: Date.now() };
    breaker.failure();
  }

  async function call<T>(attributes: Attributes, run: () => Promise<T>): Promise<T | L2Failed> {
    if (!breaker.allow()) {
      errors.breaker_open++;
      return L2_FAILED;
    }
    const started = performance.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const result = await Promise.race([
        run(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new L2TimeoutError(timeoutMs)), timeoutMs);
        }),
      ]);
      breaker.success();
      onSuccess?.();
      return result;
    } catch (error) {
      recordFailure(error);
      return L2_FAILED;
    } finally {
      clearTimeout(timer);
      durations.record((performance.now() - started) / 1000, attributes);
    }
  }

  return {
    adapter,
    breaker,
    errors,
    timeoutMs,
    call,
    /** Counts a failure found outside `call`, e.g. a value that could not be encoded. */
    countError(kind: L2ErrorKind): void {
      errors[kind]++;
    },
    get lastError() {
      return lastError;
    },
  };
}

export type L2Guard = ReturnType<typeof createL2Guard>;

function classify(error: unknown): L2ErrorKind {
  if (error instanceof L2TimeoutError) return "timeout";
  const text = `${(error as { code?: unknown })?.code ?? ""} ${(error as Error)?.message ?? ""}`;
  if (/timed? ?out|ETIMEDOUT|TimeoutError|aborted/i.test(text)) return "timeout";
  if (/ECONNREFUSED|ECONNRESET|EPIPE|closed|connect|CLUSTERDOWN|TRYAGAIN|MOVED|unreachable|fetch failed|socket/i.test(text)) {
    return "connection";
  }
  return "other";
}

/** Adapters promise messages without values or credentials; still, keep health output short. */
function safeMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.length > 200 ? `${message.slice(0, 200)}…` : message;
}
