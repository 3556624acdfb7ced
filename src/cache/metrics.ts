import type { Attributes, BatchObservableResult, Meter } from "@opentelemetry/api";
import type { BreakerState } from "./breaker.ts";
import type { Bus } from "./bus.ts";
import { CACHE_INSTRUMENTS as I } from "./instruments.ts";
import type { L2Guard } from "./l2-guard.ts";
import type { NamespaceHandle } from "./handle.ts";
import type { L2ErrorKind } from "./stats.ts";

const BREAKER_VALUE: Record<BreakerState, number> = { closed: 0, half_open: 1, open: 2 };

/**
 * Reports the cache's counters through observable instruments, read at collection time, so that
 * the hot path only increments plain integers. Returns a function that stops reporting.
 *
 * @example
 * ```ts
 * const stop = registerCacheMetrics(meter, handles, guard, bus);
 * ```
 */
export function registerCacheMetrics(
  meter: Meter,
  handles: ReadonlyMap<string, NamespaceHandle<unknown>>,
  guard: L2Guard | undefined,
  bus: Bus,
): () => void {
  const requests = meter.createObservableCounter(I.requests.name, { unit: I.requests.unit, description: I.requests.description });
  const l2Errors = meter.createObservableCounter(I.l2Errors.name, { unit: I.l2Errors.unit, description: I.l2Errors.description });
  const l1Entries = meter.createObservableGauge(I.l1Entries.name, { unit: I.l1Entries.unit, description: I.l1Entries.description });
  const l1Evictions = meter.createObservableCounter(I.l1Evictions.name, { unit: I.l1Evictions.unit, description: I.l1Evictions.description });
  const breakerState = meter.createObservableGauge(I.breakerState.name, { unit: I.breakerState.unit, description: I.breakerState.description });
  const breakerTransitions = meter.createObservableCounter(I.breakerTransitions.name, {
    unit: I.breakerTransitions.unit,
    description: I.breakerTransitions.description,
  });
  const busMessages = meter.createObservableCounter(I.busMessages.name, { unit: I.busMessages.unit, description: I.busMessages.description });

  // Attribute objects are built once per namespace, not per collection.
  const perNamespace = [...handles.values()].map((handle) => {
    const attrs = (level: string, result: string): Attributes => ({ "cache.namespace": handle.name, "cache.level": level, "cache.result": result });
    return {
      handle,
      l1Hit: attrs("l1", "hit"),
      l1Miss: attrs("l1", "miss"),
      l2Hit: attrs("l2", "hit"),
      l2Miss: attrs("l2", "miss"),
      loaderHit: attrs("loader", "hit"),
      loaderMiss: attrs("loader", "miss"),
      stale: attrs("loader", "stale"),
      ns: { "cache.namespace": handle.name } as Attributes,
    };
  });
  const l2Kind = guard?.adapter.kind ?? "none";
  const errorAttrs = attributesBy(["timeout", "connection", "breaker_open", "encode", "other", "corrupt"] as const, (kind) => ({
    "cache.l2": l2Kind,
    "error.type": kind,
  }));
  const transitionAttrs = attributesBy(["closed", "half_open", "open"] as const, (to) => ({ "cache.l2": l2Kind, "breaker.to": to }));
  const l2Attrs: Attributes = { "cache.l2": l2Kind };

  const callback = (result: BatchObservableResult): void => {
    let corrupt = 0;
    for (const n of perNamespace) {
      const c = n.handle.counters;
      result.observe(requests, c.l1Hits, n.l1Hit);
      result.observe(requests, c.l1Misses, n.l1Miss);
      result.observe(requests, c.l2Hits, n.l2Hit);
      result.observe(requests, c.l2Misses, n.l2Miss);
      result.observe(requests, c.loaderHits, n.loaderHit);
      result.observe(requests, c.loaderErrors, n.loaderMiss);
      result.observe(requests, c.staleServed, n.stale);
      result.observe(l1Entries, n.handle.l1Size, n.ns);
      result.observe(l1Evictions, c.l1Evictions, n.ns);
      corrupt += c.corrupt;
    }
    if (guard !== undefined) {
      for (const kind of Object.keys(guard.errors) as L2ErrorKind[]) result.observe(l2Errors, guard.errors[kind], errorAttrs[kind]);
      result.observe(l2Errors, corrupt, errorAttrs.corrupt);
      const snapshot = guard.breaker.snapshot();
      result.observe(breakerState, BREAKER_VALUE[snapshot.state], l2Attrs);
      for (const to of ["closed", "half_open", "open"] as const) result.observe(breakerTransitions, snapshot.transitions[to], transitionAttrs[to]);
    }
    const busStats = bus.stats();
    result.observe(busMessages, busStats.sent, { "bus.direction": "sent" });
    result.observe(busMessages, busStats.received, { "bus.direction": "received" });
    result.observe(busMessages, busStats.dropped, { "bus.direction": "dropped" });
  };
  const observables = [requests, l2Errors, l1Entries, l1Evictions, breakerState, breakerTransitions, busMessages];
  meter.addBatchObservableCallback(callback, observables);
  return () => meter.removeBatchObservableCallback(callback, observables);
}

function attributesBy<K extends string>(keys: readonly K[], build: (key: K) => Attributes): Record<K, Attributes> {
  const out = {} as Record<K, Attributes>;
  for (const key of keys) out[key] = build(key);
  return out;
}
