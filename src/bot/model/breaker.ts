/**
 * A small circuit breaker in front of the model. A model that answers 429s, 5xxs or stalls is not
 * called again for a while: every refused call costs nothing and the turn falls back at once,
 * instead of each caller waiting out the hard timeout. (The cache has its own breaker for L2; it is
 * internal to the cache library, and the model's needs differ: a 429 says how long to stay away.)
 *
 * States: `closed` (calls go through) → after `failureThreshold` failures in a row `open` (calls
 * refused) → after `openMs`, or the provider's Retry-After if longer, `half_open`: one probe goes
 * through; its success closes the breaker, its failure opens it again.
 */

/** Where the model breaker stands. */
export type ModelBreakerState = "closed" | "open" | "half_open";

/** Options of {@link createModelBreaker}; merged once at creation. */
export interface ModelBreakerOptions {
  /** Failures in a row that open the breaker. Default 3. */
  readonly failureThreshold?: number;
  /** How long it stays open before a probe. Default 10 000 ms. */
  readonly openMs?: number;
  /** The clock, for tests. Default `Date.now`. */
  readonly now?: () => number;
}

/** The breaker's interface: ask before a call, report how it ended. */
export interface ModelBreaker {
  /** Whether a call may go now. In half-open only one caller at a time gets true (the probe). */
  allow(): boolean;
  success(): void;
  /** A failure of the model; `retryAfterMs` (from a 429) keeps it open at least that long. */
  failure(retryAfterMs?: number): void;
  /** A call that ended without telling anything about the model (the caller aborted it). */
  release(): void;
  state(): ModelBreakerState;
}

/**
 * Creates a breaker.
 *
 * @example
 * ```ts
 * const breaker = createModelBreaker({ failureThreshold: 3, openMs: 10_000 });
 * if (!breaker.allow()) return fallback();
 * try { const answer = await call(); breaker.success(); return answer; }
 * catch { breaker.failure(); return fallback(); }
 * ```
 */
export function createModelBreaker(options: ModelBreakerOptions = {}): ModelBreaker {
  const threshold = Math.max(1, options.failureThreshold ?? 3);
  const openMs = options.openMs ?? 10_000;
  const now = options.now ?? Date.now;

  let state: ModelBreakerState = "closed";
  let failuresInARow = 0;
  let reopensAt = 0;
  let probing = false;

  return {
    allow() {
      if (state === "open" && now() >= reopensAt) state = "half_open";
      if (state === "closed") return true;
      if (state === "half_open" && !probing) {
        probing = true;
        return true;
      }
      return false;
    },
    success() {
      state = "closed";
      failuresInARow = 0;
      probing = false;
    },
    failure(retryAfterMs) {
      failuresInARow++;
      const probeFailed = state === "half_open";
      probing = false;
      if (probeFailed || failuresInARow >= threshold || retryAfterMs !== undefined) {
        // A 429 is the provider saying "stop": honour it at once rather than after `threshold`.
        state = "open";
        reopensAt = now() + Math.max(openMs, retryAfterMs ?? 0);
      }
    },
    release() {
      probing = false;
    },
    state() {
      if (state === "open" && now() >= reopensAt) return "half_open";
      return state;
    },
  };
}
