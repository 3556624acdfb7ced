import { metrics, type Meter } from "@opentelemetry/api";
import type { BreakerOptions, BreakerSnapshot } from "./breaker.ts";
import { createBus, type BusState } from "./bus.ts";
import { CACHE_INSTRUMENTS } from "./instruments.ts";
import { createL2Guard, L2_FAILED, type L2Guard } from "./l2-guard.ts";
import type { L2Adapter, L2Description } from "./l2/types.ts";
import { registerCacheMetrics } from "./metrics.ts";
import { NamespaceHandle, type CacheCore } from "./namespace.ts";
import { compilePolicy, type NamespaceOptions } from "./policy.ts";
import type { L2ErrorKind, NamespaceCounters } from "./stats.ts";
import { runWarm, type WarmOptions, type WarmReport, type WarmSpec } from "./warm.ts";
import { createWriteQueue, type QueuedWrite, type WriteQueue, type WriteQueueOptions, type WriteQueueStats } from "./write-queue.ts";

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
  bus?: { enabled?: boolean; /** While the bus is down, L1 answers for at most this long. Default 1 000 ms. */ l1TtlWhileDown?: number };
  /** Replay of explicit writes that failed while L2 was out (see {@link WriteQueueOptions}); `false` turns it off. */
  writeQueue?: WriteQueueOptions | false;
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

export interface CacheHealth {
  /** `ok`: every tier answers; `degraded`: L2 or the bus is out, and L1 and loaders carry the load. */
  status: "ok" | "degraded";
  l2:
    | (L2Description & { reachable: boolean; latencyMs?: number; error?: string; lastError?: { kind: L2ErrorKind; message: string; at: number } })
    | undefined;
  breaker: BreakerSnapshot | undefined;
  bus: BusState;
}

/** The cache: typed namespace handles plus operations that span namespaces. */
export interface Cache<N extends string = string> {
  namespace<V = unknown>(name: N): NamespaceHandle<V>;
  /** Removes every entry carrying any of the tags, in L2 and in the L1 of every instance. */
  invalidateTags(tags: readonly string[]): Promise<void>;
  clear(namespace: N): Promise<void>;
  stats(): CacheStats;
  health(): Promise<CacheHealth>;
  warm(specs: ReadonlyArray<WarmSpec<N>>, options?: WarmOptions): Promise<WarmReport>;
  /** Resolves when background writes started so far have settled. */
  idle(): Promise<void>;
  close(): Promise<void>;
  readonly namespaces: readonly N[];
}

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
  const prefix = options.prefix ?? "voxedge";
  const l1MaxEntries = options.l1?.maxEntries ?? 10_000;
  const meter = options.meter ?? metrics.getMeter("voxedge.cache");
  const durations = meter.createHistogram(CACHE_INSTRUMENTS.operationDuration.name, {
    unit: CACHE_INSTRUMENTS.operationDuration.unit,
    description: CACHE_INSTRUMENTS.operationDuration.description,
  });

  const instanceId = crypto.randomUUID();
  const pending = new Set<Promise<unknown>>();
  const handles = new Map<string, NamespaceHandle<unknown>>();
  const l1TtlWhileDown = options.bus?.l1TtlWhileDown ?? 1_000;
  const guard: L2Guard | undefined = options.l2
    ? createL2Guard(options.l2, { timeoutMs: options.l2TimeoutMs, breaker: options.breaker }, durations, (state) => {
        // L2 is back: send what waited. Not from inside the call that closed the breaker.
        if (state === "closed") setTimeout(() => void recover(), 0);
      })
    : undefined;
  const writes: WriteQueue | undefined = guard !== undefined && options.writeQueue !== false ? createWriteQueue(options.writeQueue || {}) : undefined;
  const tagKey = (tag: string) => `${prefix}:__tag:${tag}`;

  const core: CacheCore = {
    guard,
    epoch: 0,
    l1TtlCap: Infinity,
    compressAbove: options.compressAbove ?? 2_048,
    durations,
    instanceId,
    background(work) {
      const tracked = work.catch(() => undefined);
      pending.add(tracked);
      tracked.then(() => pending.delete(tracked));
    },
    publish(kind, namespace, keys) {
      bus.publish({ kind, namespace, keys });
    },
    tagKey,
    lockKey: (namespace, key) => `${prefix}:__lock:${namespace}:${key}`,
    retryLater(id, write) {
      writes?.add(id, write);
    },
    supersede(namespace, keys, at) {
      if (writes === undefined || writes.size === 0) return;
      const older = (w: QueuedWrite) => w.at <= at;
      // Queued writes of a key are filed under `k:<its L2 key>` (see NamespaceHandle).
      if (keys !== undefined) for (const key of keys) writes.discardOne(`k:${prefix}:${namespace}:${key}`, older);
      else writes.discard((w) => w.namespace === namespace && older(w));
    },
  };

  function supersedeTagged(tags: ReadonlySet<string>, at: number): void {
    if (writes === undefined || writes.size === 0) return;
    writes.discard((w) => w.at <= at && w.tags !== undefined && w.tags.some((t) => tags.has(t)));
  }

  let wasDown = false;

  async function recover(): Promise<void> {
    await writes?.flush();
    await bus.retry();
  }

  const bus = createBus({
    adapter: options.bus?.enabled === false ? undefined : options.l2,
    channel: `${prefix}:__bus`,
    instanceId,
    onMessage(message) {
      const name = message.namespace;
      const handle = name === undefined ? undefined : handles.get(name);
      const now = Date.now();
      switch (message.kind) {
        case "del":
          for (const key of message.keys ?? []) handle?.dropLocal(key, message.sentAt);
          if (name !== undefined) core.supersede(name, message.keys ?? [], message.sentAt);
          break;
        case "exp":
          for (const key of message.keys ?? []) handle?.expireLocal(key, now, message.sentAt);
          if (name !== undefined) core.supersede(name, message.keys ?? [], message.sentAt);
          break;
        case "clear":
          handle?.clearLocal();
          if (name !== undefined) core.supersede(name, undefined, message.sentAt);
          break;
        case "tags": {
          const tags = new Set(message.tags ?? []);
          for (const h of handles.values()) h.dropTagged(tags);
          supersedeTagged(tags, message.sentAt);
          break;
        }
      }
    },
    onStateChange(state) {
      // Going down: messages are being missed, so every L1 entry checks L2 again at its next use
      // and new ones live at most l1TtlWhileDown. Coming back up: entries filled while down may
      // have missed messages too, so they check L2 again as well. The first `up` needs no bump:
      // entries filled while connecting already live at most l1TtlWhileDown. See `CacheOptions.bus`.
      if (state === "down" || wasDown) core.epoch++;
      if (state === "down") wasDown = true;
      core.l1TtlCap = state === "up" ? Infinity : l1TtlWhileDown;
    },
  });
  // Until the subscription stands, messages can be missed just as while it is down.
  if (bus.state !== "off") core.l1TtlCap = l1TtlWhileDown;

  /** Removes a tag's entries and its member set from L2; `false` when L2 failed any step. */
  async function invalidateTagInL2(l2: L2Guard, tag: string): Promise<boolean> {
    const attributes = { "cache.namespace": "*", "cache.operation": "l2.delete" };
    const key = tagKey(tag);
    const members = await l2.call(attributes, () => l2.adapter.setMembers(key));
    if (members === L2_FAILED) return false;
    if (members.length > 0 && (await l2.call(attributes, () => l2.adapter.deleteMany(members))) === L2_FAILED) return false;
    return (await l2.call(attributes, () => l2.adapter.delete(key))) !== L2_FAILED;
  }

  const names = Object.keys(options.namespaces) as N[];
  for (const name of names) {
    const policy = compilePolicy(name, options.namespaces[name], { prefix, l1MaxEntries });
    handles.set(name, new NamespaceHandle(policy, core));
  }

  const cache: Cache<N> = {
    namespaces: names,

    namespace<V = unknown>(name: N): NamespaceHandle<V> {
      const handle = handles.get(name);
      if (handle === undefined) {
        throw new Error(`Unknown cache namespace "${String(name)}"; configured namespaces: ${names.join(", ") || "(none)"}`);
      }
      return handle as NamespaceHandle<V>;
    },

    async invalidateTags(tags) {
      if (tags.length === 0) return;
      const at = Date.now();
      const set = new Set(tags);
      for (const handle of handles.values()) handle.dropTagged(set);
      supersedeTagged(set, at);
      if (guard !== undefined) {
        for (const tag of set) {
          if (await invalidateTagInL2(guard, tag)) continue;
          writes?.add(`t:${tag}`, {
            kind: "tags",
            namespace: undefined,
            key: undefined,
            tags: [tag],
            at,
            replay: async () => {
              if (!(await invalidateTagInL2(guard, tag))) return false;
              bus.publish({ kind: "tags", tags: [tag] });
              return true;
            },
          });
        }
      }
      bus.publish({ kind: "tags", tags: [...set] });
    },

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

    async health() {
      let l2: CacheHealth["l2"];
      if (guard !== undefined) {
        const started = performance.now();
        let reachable = false;
        let error: string | undefined;
        let timer: ReturnType<typeof setTimeout> | undefined;
        try {
          await Promise.race([
            guard.adapter.ping(),
            new Promise((_, reject) => {
              timer = setTimeout(() => reject(new Error(`no answer within ${guard.timeoutMs} ms`)), guard.timeoutMs);
            }),
          ]);
          reachable = true;
        } catch (e) {
          error = e instanceof Error ? e.message : String(e);
        } finally {
          clearTimeout(timer);
        }
        l2 = {
          ...guard.adapter.describe(),
          reachable,
          ...(reachable ? { latencyMs: Math.round((performance.now() - started) * 100) / 100 } : { error }),
          ...(guard.lastError ? { lastError: guard.lastError } : {}),
        };
      }
      const breaker = guard?.breaker.snapshot();
      const busState = bus.state;
      const degraded = (l2 !== undefined && !l2.reachable) || (breaker !== undefined && breaker.state !== "closed") || busState === "down";
      return { status: degraded ? "degraded" : "ok", l2, breaker, bus: busState };
    },

    warm(specs, warmOptions) {
      return runWarm(cache, specs, warmOptions);
    },

    async idle() {
      while (pending.size > 0) await Promise.all([...pending]);
    },

    async close() {
      // One last try for writes that waited, if L2 answers; each call is still bounded by the timeout.
      await cache.idle();
      if (guard !== undefined && guard.breaker.state === "closed") await recover();
      writes?.close();
      await bus.close();
      await cache.idle();
      unregisterMetrics();
      await options.l2?.close();
    },
  };

  const unregisterMetrics = registerCacheMetrics(meter, handles, guard, bus);
  bus.start();
  return cache;
}
