import { CACHE_DEFAULTS } from "./defaults.ts";

/** Where the breaker stands: `closed` lets calls through, `open` skips L2, `half_open` lets one probe through. */
export type BreakerState = "closed" | "open" | "half_open";

export interface BreakerOptions {
  /** Failures within `windowMs` that open the breaker. Default 5. */
  failureThreshold?: number;
  /** Default 10 000 ms. */
  windowMs?: number;
  /** How long the breaker stays open before one probe is let through. Default 5 000 ms. */
  openMs?: number;
}

/** A snapshot for health and stats. */
export interface BreakerSnapshot {
  state: BreakerState;
  recentFailures: number;
  openedAt: number | undefined;
  transitions: { open: number; half_open: number; closed: number };
}

/**
 * A circuit breaker for the L2: after `failureThreshold` failures within `windowMs` it opens and
 * L2 is skipped for `openMs`; then one probe call is let through (half-open), and its outcome
 * closes or re-opens the breaker. While open, callers lose nothing but L2: L1 and loaders answer.
 *
 * @example
 * ```ts
 * const breaker = createBreaker({ failureThreshold: 3 });
 * if (breaker.allow()) { try { await l2.get(k); breaker.success(); } catch { breaker.failure(); } }
 * ```
 */
export function createBreaker(options: BreakerOptions = {}, onChange?: (state: BreakerState) => void) {
  const threshold = options.failureThreshold ?? CACHE_DEFAULTS.breakerFailureThreshold;
  const windowMs = options.windowMs ?? 10_000;
  const openMs = options.openMs ?? CACHE_DEFAULTS.breakerOpenMs;

  let state: BreakerState = "closed";
  let failures: number[] = [];
  let openedAt: number | undefined;
  let probeInFlight = false;
  const transitions = { open: 0, half_open: 0, closed: 0 };

  function moveTo(next: BreakerState): void {
    if (state === next) return;
    state = next;
    transitions[next]++;
    onChange?.(next);
  }

  function open(): void {
    openedAt = Date.now();
    probeInFlight = false;
    moveTo("open");
  }

  return {
    /** Whether a call may go to L2 now. In half-open, only the first caller gets `true`. */
    allow(): boolean {
      if (state === "closed") return true;
      if (state === "open") {
        if (Date.now() - (openedAt ?? 0) < openMs) return false;
        moveTo("half_open");
      }
      if (probeInFlight) return false;
      probeInFlight = true;
      return true;
    },
    success(): void {
      if (state !== "closed") {
        failures = [];
        probeInFlight = false;
        openedAt = undefined;
        moveTo("closed");
      }
    },
    failure(): void {
      if (state === "half_open") return open();
      if (state === "open") return;
      const now = Date.now();
      failures.push(now);
      // Drop failures that left the window; the list never holds more than `threshold` entries.
      while (failures.length > 0 && (failures[0] as number) <= now - windowMs) failures.shift();
      if (failures.length >= threshold) {
        failures = [];
        open();
      }
    },
    get state(): BreakerState {
      return state;
    },
    snapshot(): BreakerSnapshot {
      const now = Date.now();
      return {
        state,
        recentFailures: failures.filter((t) => t > now - windowMs).length,
        openedAt,
        transitions: { ...transitions },
      };
    },
  };
}

export type Breaker = ReturnType<typeof createBreaker>;
