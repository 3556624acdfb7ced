/** Counters of one namespace: plain integers, so counting costs the hot path nothing measurable. */
export interface NamespaceCounters {
  l1Hits: number;
  l1Misses: number;
  l2Hits: number;
  l2Misses: number;
  /** Loader runs that produced a value. */
  loaderHits: number;
  /** Loader runs that failed or timed out. */
  loaderErrors: number;
  /** Stale values served because the loader or L2 failed, or was slower than the soft timeout. */
  staleServed: number;
  /** L2 entries that could not be decoded (counted as misses and overwritten). */
  corrupt: number;
  /** Background refreshes started by eager refresh. */
  refreshes: number;
  /** L1 entries evicted for room. */
  l1Evictions: number;
  /** Misses answered by another instance's loader while waiting on its distributed lock. */
  lockWaits: number;
  /** Waits on another instance's lock that ran out, after which this instance ran the loader. */
  lockTimeouts: number;
}

export function createCounters(): NamespaceCounters {
  return {
    l1Hits: 0,
    l1Misses: 0,
    l2Hits: 0,
    l2Misses: 0,
    loaderHits: 0,
    loaderErrors: 0,
    staleServed: 0,
    corrupt: 0,
    refreshes: 0,
    l1Evictions: 0,
    lockWaits: 0,
    lockTimeouts: 0,
  };
}

/** Why an L2 call failed, as counted in stats and the `error.type` metric attribute. */
export type L2ErrorKind = "timeout" | "connection" | "breaker_open" | "encode" | "other";

export function createL2ErrorCounters(): Record<L2ErrorKind, number> {
  return { timeout: 0, connection: 0, breaker_open: 0, encode: 0, other: 0 };
}
