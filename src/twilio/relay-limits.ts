/**
 * Per-socket limits of a ConversationRelay call: a frame budget (a token bucket) and a warning
 * limiter, so a flooding peer costs bounded work and a bounded number of log lines.
 */

/** How many frames one socket may send: `perSecond` on average, up to `burst` at once. */
export interface FrameBudgetOptions {
  perSecond: number;
  burst: number;
}

/**
 * Twilio sends a handful of frames per second in a real call (partial prompts, DTMF, interrupts);
 * this leaves ample room for them and bounds what a runaway or hostile peer can make the bot do.
 */
export const DEFAULT_FRAME_BUDGET: Readonly<FrameBudgetOptions> = { perSecond: 50, burst: 100 };

/**
 * A token bucket for one socket. `take()` is allocation-free: two numbers and a clock read.
 *
 * @example
 * ```ts
 * const budget = frameBudget({ perSecond: 50, burst: 100 });
 * if (!budget.take()) return; // dropped; budget.dropped counts it
 * ```
 */
export function frameBudget(options: FrameBudgetOptions, now: () => number = performance.now.bind(performance)) {
  const burst = Math.max(1, options.burst);
  const perMs = Math.max(0, options.perSecond) / 1000;
  let tokens = burst;
  let last = now();
  let dropped = 0;
  return {
    /** True when the frame may be handled; false (and counted) when it is over the budget. */
    take(): boolean {
      const t = now();
      tokens = Math.min(burst, tokens + (t - last) * perMs);
      last = t;
      if (tokens >= 1) {
        tokens -= 1;
        return true;
      }
      dropped++;
      return false;
    },
    /** Frames refused so far. */
    get dropped(): number {
      return dropped;
    },
  };
}

/**
 * Lets one warning through per `intervalMs` and counts the rest, so a socket that keeps sending
 * bad frames writes one log line a minute, not one per frame.
 *
 * @example
 * ```ts
 * const warnings = warningLimiter(60_000);
 * if (warnings.allow()) log("warn", "relay: invalid frame ignored", { callSid });
 * ```
 */
export function warningLimiter(intervalMs: number, now: () => number = performance.now.bind(performance)) {
  let nextAt = -Infinity;
  let suppressed = 0;
  return {
    /** True when a warning may be logged now; `count: false` for a caller that counts what it holds back itself. */
    allow(count = true): boolean {
      const t = now();
      if (t >= nextAt) {
        nextAt = t + intervalMs;
        return true;
      }
      if (count) suppressed++;
      return false;
    },
    /** Warnings held back so far. */
    get suppressed(): number {
      return suppressed;
    },
  };
}
