/**
 * The per-business model budget: at most `maxPerMinute` model calls per business per clock minute,
 * counted across the fleet in L2 so that two instances share one allowance: one counter per
 * business and minute, incremented once per call (one round trip), expiring after its minute. With
 * no shared L2 (none, or the in-process store), while L2 fails or when it does not answer within
 * `timeoutMs`, the count is kept in this process: a budget that cannot be asked never blocks or
 * delays a call, and never lets one process go past the allowance on its own.
 */
import type { L2Adapter } from "../cache/index.ts";

/** Options of {@link createModelBudget}; read once at creation. */
export interface ModelBudgetOptions {
  /** Calls per business per minute; 0 refuses every call. */
  readonly maxPerMinute: number;
  /** The shared store; absent: counted in this process only. */
  readonly l2?: L2Adapter;
  /** First part of the counter keys (the cache prefix). */
  readonly prefix: string;
  /** How long the shared count may take before this process counts alone (the L2 timeout). Default 250. */
  readonly timeoutMs?: number;
  /** The clock, for tests. */
  readonly now?: () => number;
}

/** Takes one call from a business's allowance for this minute. */
export interface ModelBudget {
  /** True when the call may go; false when the business used this minute's allowance. */
  take(businessId: string): Promise<boolean>;
}

const MINUTE_MS = 60_000;

/**
 * Creates a budget.
 *
 * @example
 * ```ts
 * const budget = createModelBudget({ maxPerMinute: 60, l2, prefix: "voxedge" });
 * if (!(await budget.take("bella-pizza"))) return fallback();
 * ```
 */
export function createModelBudget(options: ModelBudgetOptions): ModelBudget {
  const { maxPerMinute, l2, prefix } = options;
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 250;
  /** This process's own counts, for the current minute only. */
  let localMinute = -1;
  const local = new Map<string, number>();

  const takeLocally = (businessId: string, minute: number): boolean => {
    if (minute !== localMinute) {
      localMinute = minute;
      local.clear();
    }
    const used = local.get(businessId) ?? 0;
    if (used >= maxPerMinute) return false;
    local.set(businessId, used + 1);
    return true;
  };

  return {
    async take(businessId) {
      if (maxPerMinute <= 0) return false;
      const minute = Math.floor(now() / MINUTE_MS);
      if (l2 === undefined) return takeLocally(businessId, minute);
      const key = `${prefix}:model-budget:${businessId}:${minute}`;
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        const stalled = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error("budget count timed out")), timeoutMs);
        });
        const used = await Promise.race([l2.increment(key, 2 * MINUTE_MS), stalled]);
        return used <= maxPerMinute;
      } catch {
        return takeLocally(businessId, minute);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
