/**
 * Names and units of every instrument the cache records through `@opentelemetry/api`. The app's
 * own instruments live in `src/telemetry/instruments.ts`, which re-exports these so that one list
 * holds every name the dashboards may query.
 *
 * Counters that move on the hot path (requests, evictions) are kept as plain integers and reported
 * through observable instruments at collection time, so an L1 hit costs no metrics call.
 */
export const CACHE_INSTRUMENTS = {
  /** Observable counter. Attributes: `cache.namespace`, `cache.level` (l1, l2, loader), `cache.result` (hit, miss, stale). */
  requests: { name: "voxedge.cache.requests", unit: "{request}", description: "Cache lookups by namespace, level and result", kind: "observable_counter" },
  /** Histogram, seconds. Attributes: `cache.namespace`, `cache.operation` (l2.get, l2.get_many, l2.set, l2.delete, l2.lock, loader). */
  operationDuration: { name: "voxedge.cache.operation.duration", unit: "s", description: "Duration of L2 calls and loaders", kind: "histogram" },
  /** Observable counter. Attributes: `cache.l2` (adapter kind), `error.type` (timeout, connection, corrupt, breaker_open, other). */
  l2Errors: { name: "voxedge.cache.l2.errors", unit: "{error}", description: "L2 failures by kind", kind: "observable_counter" },
  /** Observable gauge. */
  l1Entries: { name: "voxedge.cache.l1.entries", unit: "{entry}", description: "Entries held in L1", kind: "gauge" },
  /** Observable counter. */
  l1Evictions: { name: "voxedge.cache.l1.evictions", unit: "{entry}", description: "L1 entries evicted for room", kind: "observable_counter" },
  /** Observable gauge: 0 closed, 1 half-open, 2 open. Attribute: `cache.l2`. */
  breakerState: { name: "voxedge.cache.breaker.state", unit: "{state}", description: "L2 circuit breaker state (0 closed, 1 half-open, 2 open)", kind: "gauge" },
  /** Observable counter. Attributes: `cache.l2`, `breaker.to` (closed, half_open, open). */
  breakerTransitions: { name: "voxedge.cache.breaker.transitions", unit: "{transition}", description: "L2 circuit breaker state changes", kind: "observable_counter" },
  /** Observable counter. Attribute: `bus.direction` (sent, received, dropped). */
  busMessages: { name: "voxedge.cache.bus.messages", unit: "{message}", description: "Invalidation bus messages", kind: "observable_counter" },
} as const;

/** Bucket boundaries, in seconds, from 50 µs to 10 s: an L1 path and a slow loader both land in a real bucket. */
export const LATENCY_BUCKETS_SECONDS = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
] as const;
