import { metrics, type Meter } from "@opentelemetry/api";
import type { BreakerOptions, BreakerSnapshot } from "./breaker.ts";
import type { BusState } from "./bus.ts";
import { createCore } from "./core.ts";
import type { CacheEventHandler } from "./events.ts";
import { CACHE_DEFAULTS } from "./defaults.ts";
import { CacheConfigError, UnknownNamespaceError } from "./errors.ts";
import type { LocalNamespace, NamespaceHandle } from "./handle.ts";
import { checkHealth, type CacheHealth } from "./health.ts";
import { CACHE_INSTRUMENTS } from "./instruments.ts";
import type { L2Adapter } from "./l2/types.ts";
import { registerCacheMetrics } from "./metrics.ts";
import { Namespace } from "./namespace.ts";
import { compilePolicy, type NamespaceOptions } from "./policy.ts";
import type { L2ErrorKind, NamespaceCounters } from "./stats.ts";
import { runWarm, type WarmOptions, type WarmReport, type WarmSpec } from "./warm.ts";
import type { WriteQueueOptions, WriteQueueStats } from "./write-queue.ts";

export interface CacheOptions<N extends string> {
  /** First part of every L2 key and of the bus channel: `prefix:namespace:key`. Default `voxedge`. */
  prefix?: string;
  l1?: { maxEntries?: number };
  /** The shared tier; `undefined` for L1 only. */
  l2?: L2Adapter;
  namespaces: Record<N, NamespaceOptions>;
  /** Every L2 call is bounded by this. Default 250 ms. */
  l2TimeoutMs?: number;
  breaker?: BreakerOptions;
  /** Envelopes longer than this many characters are compressed. Default 2 048. */
  compressAbove?: number;
  /**
   * Invalidation bus over the L2's pub/sub. Default on when the L2 has one.
   *
   * The staleness bound it keeps, for an invalidation (`set`, `delete`, `expire`, `invalidateTags`,
   * `clear`) that has reached L2 on any instance:
   * - while the bus is up, every instance drops the entry when the message arrives (loopback:
   *   about a millisecond);
   * - while the bus is down or not yet connected, an L1 entry answers for at most `l1TtlWhileDown`
   *   before it is read from L2 again; entries filled before the drop are read from L2 again at
   *   their next use (the epoch is bumped when the drop is noticed), so no instance serves an
   *   invalidated value longer than `l1TtlWhileDown` after the invalidation;
   * - when the bus is back up, every entry filled while it was down is read from L2 again at its
   *   next use, so what was missed while down is not served at all after the reconnect.
   * The clock starts when an instance notices the drop (a closed connection is noticed at once; a
   * silently dead one only when the client's keepalive gives up). When L2 itself is out too, L1
   * keeps answering within the logical TTL: nothing newer can be known then.
   */
  bus?: {
    enabled?: boolean;
    /** While the bus is down, L1 answers for at most this long. Default 1 000 ms. */
    l1TtlWhileDown?: number;
    /**
     * `false`: publish invalidations for other instances but never subscribe, for a runtime that
     * cannot hold a subscriber socket (Cloudflare Workers). The bus then counts as off here: this
     * instance learns of others' invalidations through the tag and clear times only.
     */
    subscribe?: boolean;
  };
  /**
   * Tags and `clear` are invalidation times, not member sets: `invalidateTags` writes one small
   * key per tag (`prefix:__tt:<tag>`) and `clear` one per namespace (`prefix:__ns:<name>`) holding
   * the time; an entry created at or before a time that applies to it is expired (tags: still
   * usable as stale within grace) or gone (clear). Each instance keeps the times it has read for
   * `ttl` (default {@link CACHE_DEFAULTS.tagTimesTtl}, 5 000 ms; at most `bus.l1TtlWhileDown` while
   * the bus is not up) and learns new ones from bus messages, which carry the time: a read needs
   * no extra round trip unless a time is unknown or older than that. Without a bus (a runtime
   * with no subscriber socket), these times are how invalidations reach other instances: an L1
   * copy is checked when it is read from L2 again, after its `l1Ttl`. Instances' clocks must agree
   * to well within a TTL. Times are kept in L2 for the longest entry lifetime of any namespace
   * (ttl × (1 + jitter) + grace), at least {@link CACHE_DEFAULTS.tagRetentionMs}.
   */
  tagTimes?: { ttl?: number };
  /** Told once per transition of the L2 breaker and the bus (see {@link CacheEvent}): how an app logs them. */
  onEvent?: CacheEventHandler;
  /** Replay of explicit writes that failed while L2 was out (see {@link WriteQueueOptions}); `false` turns it off. */
  writeQueue?: WriteQueueOptions | false;
  /**
   * Told of every promise the cache starts and does not wait for (write replay, eager refresh,
   * tag-time fetches, lock releases, loader writes), besides tracking it for `idle()`: on Cloudflare
   * Workers pass `waitUntil` so that work is not cancelled once the response is sent.
   */
  background?: (work: Promise<unknown>) => void;
  /** Where metrics are recorded. Default: the global meter provider's `voxedge.cache` meter at creation time. */
  meter?: Meter;
}

export interface CacheStats {
  namespaces: Record<string, NamespaceCounters & { l1Size: number; hitRatio: number }>;
  l2: { kind: string; errors: Record<L2ErrorKind, number> } | undefined;
  breaker: BreakerSnapshot | undefined;
  bus: { state: BusState; sent: number; received: number; dropped: number; pending: number };
  /** Explicit writes waiting for L2 to come back, and what became of earlier ones. */
  writeQueue: WriteQueueStats | undefined;
}

/** The cache: typed namespace handles plus operations that span namespaces. */
export interface Cache<N extends string = string> {
  namespace<V = unknown>(name: N): NamespaceHandle<V>;
  /** Expires every entry carrying any of the tags (usable as stale within grace), in L2 and on every instance: one L2 write per tag. */
  invalidateTags(tags: readonly string[]): Promise<void>;
  /** Removes every entry of the namespace, here and on every instance: one L2 write, no scan (see `tagTimes`). */
  clear(namespace: N): Promise<void>;
  stats(): CacheStats;
  health(): Promise<CacheHealth>;
  warm(specs: ReadonlyArray<WarmSpec<N>>, options?: WarmOptions): Promise<WarmReport>;
  /** Resolves when background writes started so far have settled. */
  idle(): Promise<void>;
  close(): Promise<void>;
  readonly namespaces: readonly N[];
}


export type { CacheHealth };

/**
 * Creates a cache. Namespace policies are compiled here, once; nothing on the read path looks at
 * options again.
 *
 * @example
 * ```ts
 * const cache = createCache({
 *   prefix: "voxedge",
 *   l1: { maxEntries: 50_000 },
 *   l2: redisL2({ url: "redis://127.0.0.1:6380" }),
 *   namespaces: { business: { ttl: 3_600_000, l1Ttl: 60_000, jitter: 0.1 }, knowledge: { ttl: 900_000 } },
 * });
 * const business = cache.namespace("business");
 * await business.getOrSet("+15550001111", () => loadBusiness("+15550001111"));
 * ```
 */
export function createCache<N extends string>(options: CacheOptions<N>): Cache<N> {
  const prefix = options.prefix ?? CACHE_DEFAULTS.prefix;
  const l1MaxEntries = options.l1?.maxEntries ?? CACHE_DEFAULTS.l1MaxEntries;
  const meter = options.meter ?? metrics.getMeter("voxedge.cache");
  const durations = meter.createHistogram(CACHE_INSTRUMENTS.operationDuration.name, {
    unit: CACHE_INSTRUMENTS.operationDuration.unit,
    description: CACHE_INSTRUMENTS.operationDuration.description,
  });

  const tagTimesTtl = options.tagTimes?.ttl ?? CACHE_DEFAULTS.tagTimesTtl;
  if (!(typeof tagTimesTtl === "number" && tagTimesTtl > 0 && Number.isFinite(tagTimesTtl))) {
    throw new CacheConfigError(`tagTimes.ttl must be a positive number of milliseconds (got ${String(tagTimesTtl)})`);
  }
  const handles = new Map<string, LocalNamespace<unknown>>();
  const { core, bus, writes, idle, recover, invalidateTags } = createCore({
    prefix,
    l2: options.l2,
    l2TimeoutMs: options.l2TimeoutMs,
    breaker: options.breaker,
    compressAbove: options.compressAbove ?? CACHE_DEFAULTS.compressAbove,
    bus: options.bus,
    tagTimesTtl,
    tagRetentionMs: longestLifetime(options.namespaces),
    onEvent: options.onEvent,
    writeQueue: options.writeQueue,
    background: options.background,
    durations,
    targets: handles,
  });
  const guard = core.guard;

  const names = Object.keys(options.namespaces) as N[];
  for (const name of names) {
    const policy = compilePolicy(name, options.namespaces[name], { prefix, l1MaxEntries });
    handles.set(name, new Namespace(policy, core));
  }

  const cache: Cache<N> = {
    namespaces: names,

    namespace<V = unknown>(name: N): NamespaceHandle<V> {
      const handle = handles.get(name);
      if (handle === undefined) throw new UnknownNamespaceError(String(name), names);
      return handle as NamespaceHandle<unknown> as NamespaceHandle<V>;
    },

    invalidateTags,

    async clear(name) {
      await cache.namespace(name).clear();
    },

    stats() {
      const namespaces: CacheStats["namespaces"] = {};
      for (const [name, handle] of handles) {
        const c = handle.counters;
        const lookups = c.l1Hits + c.l1Misses;
        namespaces[name] = { ...c, l1Size: handle.l1Size, hitRatio: lookups === 0 ? 0 : c.l1Hits / lookups };
      }
      return {
        namespaces,
        l2: guard === undefined ? undefined : { kind: guard.adapter.kind, errors: { ...guard.errors } },
        breaker: guard?.breaker.snapshot(),
        bus: { ...bus.stats(), pending: bus.pending },
        writeQueue: writes?.stats(),
      };
    },

    health: () => checkHealth(guard, bus),

    warm(specs, warmOptions) {
      return runWarm((name) => cache.namespace(name), specs, warmOptions);
    },

    idle,

    async close() {
      // One last try for writes that waited, if L2 answers; each call is still bounded by the timeout.
      await idle();
      if (guard !== undefined && guard.breaker.state === "closed") await recover();
      writes?.close();
      await bus.close();
      await idle();
      unregisterMetrics();
      await options.l2?.close();
    },
  };

  const unregisterMetrics = registerCacheMetrics(meter, handles, guard, bus);
  bus.start();
  return cache;
}

/** The longest an entry of any namespace lives in L2 (ttl with its jitter, plus grace): tag times must outlive it. */
function longestLifetime(namespaces: Record<string, NamespaceOptions>): number {
  let longest: number = CACHE_DEFAULTS.tagRetentionMs;
  for (const options of Object.values(namespaces)) {
    const lifetime = (options.ttl ?? 0) * (1 + (options.jitter ?? 0)) + (options.grace ?? 0);
    if (Number.isFinite(lifetime) && lifetime > longest) longest = Math.ceil(lifetime);
  }
  return longest;
}
