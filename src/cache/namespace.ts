import QuickLRU from "quick-lru";
import type { Attributes, Histogram } from "@opentelemetry/api";
import { coarseNow } from "./clock.ts";
import { decodeEnvelope, encodeEnvelope, type Envelope } from "./codec.ts";
import { L2_FAILED, type L2Guard } from "./l2-guard.ts";
import { mergeTags, type NamespacePolicy, type WriteOptions } from "./policy.ts";
import { createCounters, type NamespaceCounters } from "./stats.ts";
import type { QueuedWrite } from "./write-queue.ts";

/** What a loader is told, and what it may change about the entry it produces (adaptive caching). */
export interface LoaderContext<V> {
  /** The key within the namespace. */
  readonly key: string;
  /** Aborts when the namespace's hard timeout passes; pass it on to fetch and drivers. */
  readonly signal: AbortSignal;
  /** The stale value being replaced, when there is one. */
  readonly stale: V | undefined;
  /** TTL for the value about to be produced; a loader may change it from its result. */
  ttl: number;
  grace: number;
  tags: readonly string[] | undefined;
}

/** Produces a value on a miss. It must not return `undefined`: return `null` to cache an absence. */
export type Loader<V> = (context: LoaderContext<V>) => Promise<V> | V;

/** Produces values for several missing keys at once; returns one value per key, in order (`undefined`: none). */
export type BatchLoader<V> = (keys: string[]) => Promise<ReadonlyArray<V | undefined>> | ReadonlyArray<V | undefined>;

/** Raised when a loader outlives the namespace's hard timeout. */
export class LoaderTimeoutError extends Error {
  constructor(namespace: string, key: string, ms: number) {
    super(`Loader for ${namespace}:${key} gave up after the hard timeout of ${ms} ms`);
    this.name = "LoaderTimeoutError";
  }
}

/** What the namespace handles share with the cache that created them. */
export interface CacheCore {
  readonly guard: L2Guard | undefined;
  /** Bumped whenever L1 may have missed invalidations (the bus dropped); older L1 entries revalidate. */
  epoch: number;
  /** While the bus is down, L1 answers for at most this long before checking L2. */
  l1TtlCap: number;
  readonly compressAbove: number;
  readonly durations: Histogram;
  background(work: Promise<unknown>): void;
  publish(kind: "del" | "exp" | "clear", namespace: string, keys?: string[]): void;
  tagKey(tag: string): string;
  /** The L2 key of the distributed lock for `key` of `namespace` (outside the namespace's key prefix). */
  lockKey(namespace: string, key: string): string;
  /** Names this instance in lock values, for operators reading L2. */
  readonly instanceId: string;
  /** Keeps an explicit write that L2 failed, to replay it once L2 answers again. */
  retryLater(id: string, write: QueuedWrite): void;
  /** Discards queued `set`s of `namespace` (only `keys`, when given) made before `at`: an invalidation superseded them. */
  supersede(namespace: string, keys: readonly string[] | undefined, at: number): void;
}

interface L1Entry<V> extends Envelope<V> {
  /** L1 answers without asking L2 until then (min of expiry and L1 TTL). */
  freshUntil: number;
  /** A hit after this starts one background refresh; `Infinity` for never. */
  refreshAt: number;
  epoch: number;
  /** The value as an already-resolved promise, made on first hit and reused: the hit path allocates nothing. */
  promise: Promise<V> | undefined;
}

const NEVER_ABORTED = new AbortController().signal;
/** Polling for another instance's value under a distributed lock: first delay, and the most between two polls. */
const LOCK_POLL_FIRST_MS = 10;
const LOCK_POLL_MAX_MS = 100;

class Context<V> implements LoaderContext<V> {
  ttl: number;
  grace: number;
  tags: readonly string[] | undefined;
  constructor(
    readonly key: string,
    readonly signal: AbortSignal,
    readonly stale: V | undefined,
    policy: NamespacePolicy,
    options: WriteOptions | undefined,
  ) {
    this.ttl = options?.ttl ?? policy.ttl;
    this.grace = options?.grace ?? policy.grace;
    this.tags = mergeTags(policy.tags, options?.tags);
  }
}

/**
 * One namespace of the cache, with its policy resolved once. Reads go L1 → L2 → loader; an L1 hit
 * is synchronous work returning an already-resolved promise.
 *
 * Values are kept by reference in L1: treat cached values as immutable.
 *
 * @example
 * ```ts
 * const business = cache.namespace<Business | null>("business");
 * const found = await business.getOrSet("+15550001111", ({ signal }) => directory.byNumber("+15550001111", signal));
 * ```
 */
export class NamespaceHandle<V = unknown> {
  readonly name: string;
  readonly counters: NamespaceCounters = createCounters();
  private readonly l1: QuickLRU<string, L1Entry<V>>;
  private readonly inflight = new Map<string, Promise<V>>();
  private readonly attrs: Record<"get" | "getMany" | "set" | "delete" | "lock" | "loader", Attributes>;
  /**
   * Invalidations are numbered (`dropSeq`); `dropped` holds the number and time of each key's
   * latest one, oldest first, and `droppedAllSeq` the latest that may have hit any key (clear,
   * tags). An L2 read that was in flight when its key was invalidated may carry the old value: it
   * answers its callers but does not stay in L1. Keys are forgotten once no L2 read can still be in
   * flight from before their invalidation.
   */
  private dropSeq = 0;
  private readonly dropped = new Map<string, { seq: number; at: number }>();
  private droppedAllSeq = 0;
  private readonly dropMemoryMs: number;

  constructor(
    readonly policy: NamespacePolicy,
    private readonly core: CacheCore,
  ) {
    this.name = policy.name;
    const counters = this.counters;
    this.l1 = new QuickLRU<string, L1Entry<V>>({
      maxSize: policy.l1MaxEntries,
      onEviction: () => {
        counters.l1Evictions++;
      },
    });
    const op = (operation: string): Attributes => ({ "cache.namespace": policy.name, "cache.operation": operation });
    this.attrs = { get: op("l2.get"), getMany: op("l2.get_many"), set: op("l2.set"), delete: op("l2.delete"), lock: op("l2.lock"), loader: op("loader") };
    this.dropMemoryMs = Math.max(1_000, 2 * (core.guard?.timeoutMs ?? 0));
  }

  /**
   * The value for `key`: from L1, else L2, else the loader (run once however many callers miss at
   * once). With grace, a stale value answers when the loader fails or is slower than the soft timeout.
   */
  getOrSet(key: string, loader: Loader<V>, options?: WriteOptions): Promise<V> {
    const entry = this.l1.get(key);
    if (entry !== undefined) {
      const now = coarseNow();
      if (now < entry.freshUntil && entry.epoch === this.core.epoch) {
        this.counters.l1Hits++;
        if (now >= entry.refreshAt) this.refresh(key, entry, loader, options);
        return entry.promise ?? (entry.promise = Promise.resolve(entry.value));
      }
    }
    this.counters.l1Misses++;
    const running = this.inflight.get(key);
    if (running !== undefined) return running;
    const loading = this.load(key, entry, loader, options);
    this.inflight.set(key, loading);
    loading.then(
      () => this.inflight.delete(key),
      () => this.inflight.delete(key),
    );
    return loading;
  }

  /** Runs the loader now, whatever is cached, and stores its value (concurrent reloads of a key share one run). */
  reload(key: string, loader: Loader<V>, options?: WriteOptions): Promise<V> {
    const running = this.inflight.get(key);
    if (running !== undefined) return running;
    const loading = this.produce(key, loader, options, this.l1.peek(key)?.value);
    this.inflight.set(key, loading);
    loading.then(
      () => this.inflight.delete(key),
      () => this.inflight.delete(key),
    );
    return loading;
  }

  /** The value for `key` from L1 or L2, or `undefined`. Serves a stale value only while L2 is failing. */
  get(key: string): Promise<V | undefined> {
    const entry = this.l1.get(key);
    if (entry !== undefined) {
      const now = coarseNow();
      if (now < entry.freshUntil && entry.epoch === this.core.epoch) {
        this.counters.l1Hits++;
        return entry.promise ?? (entry.promise = Promise.resolve(entry.value));
      }
    }
    this.counters.l1Misses++;
    return this.getFromL2(key, entry);
  }

  private async getFromL2(key: string, entry: L1Entry<V> | undefined): Promise<V | undefined> {
    const asked = this.dropSeq;
    const fromL2 = await this.readL2(key);
    if (fromL2 === L2_FAILED) return this.fallback(key, entry, true)?.value;
    if (fromL2 !== undefined && Date.now() < fromL2.expiresAt) return this.l2Hit(key, fromL2, asked).value;
    this.counters.l2Misses++;
    return undefined;
  }

  /** The value for `key` if L1 holds it fresh; synchronous, never touches L2. */
  peek(key: string): V | undefined {
    const entry = this.l1.peek(key);
    if (entry === undefined) return undefined;
    return coarseNow() < entry.freshUntil && entry.epoch === this.core.epoch ? entry.value : undefined;
  }

  /**
   * Values for many keys in order: L1 first, then one L2 batch (one round trip per node on a
   * cluster), then one `batchLoader` call for what is still missing. Without a batch loader,
   * missing keys are `undefined`.
   */
  async getMany(keys: readonly string[], batchLoader?: BatchLoader<V>, options?: WriteOptions): Promise<(V | undefined)[]> {
    const results = new Array<V | undefined>(keys.length);
    const now = coarseNow();
    let missing: number[] = [];
    for (let i = 0; i < keys.length; i++) {
      const entry = this.l1.get(keys[i] as string);
      if (entry !== undefined && now < entry.freshUntil && entry.epoch === this.core.epoch) {
        this.counters.l1Hits++;
        results[i] = entry.value;
      } else {
        this.counters.l1Misses++;
        missing.push(i);
      }
    }
    if (missing.length === 0) return results;

    const guard = this.policy.useL2 ? this.core.guard : undefined;
    if (guard !== undefined) {
      const fullKeys = missing.map((i) => this.policy.keyPrefix + (keys[i] as string));
      const asked = this.dropSeq;
      const texts = await guard.call(this.attrs.getMany, () => guard.adapter.getMany(fullKeys));
      if (texts !== L2_FAILED) {
        const stillMissing: number[] = [];
        const t = Date.now();
        for (let j = 0; j < missing.length; j++) {
          const i = missing[j] as number;
          const envelope = this.decode(texts[j] ?? null);
          if (envelope !== undefined && t < envelope.expiresAt) results[i] = this.l2Hit(keys[i] as string, envelope, asked).value;
          else {
            this.counters.l2Misses++;
            stillMissing.push(i);
          }
        }
        missing = stillMissing;
      }
    }
    if (missing.length === 0 || batchLoader === undefined) return results;

    const missingKeys = missing.map((i) => keys[i] as string);
    const started = performance.now();
    let loaded: ReadonlyArray<V | undefined>;
    try {
      loaded = await batchLoader(missingKeys);
    } catch (error) {
      this.counters.loaderErrors++;
      throw error;
    } finally {
      this.core.durations.record((performance.now() - started) / 1000, this.attrs.loader);
    }
    for (let j = 0; j < missing.length; j++) {
      const value = loaded[j];
      if (value === undefined) continue;
      this.counters.loaderHits++;
      results[missing[j] as number] = value;
      this.core.background(this.store(missingKeys[j] as string, value, options?.ttl ?? this.policy.ttl, options?.grace ?? this.policy.grace, mergeTags(this.policy.tags, options?.tags), false));
    }
    return results;
  }

  /**
   * Writes a value to L1 and L2, then tells other instances to drop their copy. When L2 is out the
   * write waits in the cache's write queue and is replayed once L2 is back.
   */
  async set(key: string, value: V, options?: WriteOptions): Promise<void> {
    rejectUndefined(value, this.name, key);
    await this.store(key, value, options?.ttl ?? this.policy.ttl, options?.grace ?? this.policy.grace, mergeTags(this.policy.tags, options?.tags), true);
    // After the write: an instance that drops its copy and reads L2 again must find the new value.
    this.announce("del", this.name, [key]);
  }

  /** Tells other instances to drop their L1 copies, unless the namespace's copies are too short-lived to need it. */
  private announce(kind: "del" | "exp" | "clear", namespace: string, keys?: string[]): void {
    if (this.policy.broadcast) this.core.publish(kind, namespace, keys);
  }

  /** Removes `key` from L1, L2 and every other instance's L1. */
  async delete(key: string): Promise<void> {
    const at = Date.now();
    this.l1.delete(key);
    this.markDropped(key);
    this.core.supersede(this.name, [key], at);
    const guard = this.policy.useL2 ? this.core.guard : undefined;
    if (guard !== undefined) {
      const done = await guard.call(this.attrs.delete, () => guard.adapter.delete(this.policy.keyPrefix + key));
      if (done === L2_FAILED) {
        this.core.retryLater(`k:${this.policy.keyPrefix}${key}`, {
          kind: "delete",
          namespace: this.name,
          key,
          tags: undefined,
          at,
          replay: () => this.replayDelete(key, at),
        });
      }
    }
    this.announce("del", this.name, [key]);
  }

  /**
   * Marks `key` expired but keeps it for its grace period: the next read reloads it, and a failing
   * loader can still fall back to it.
   */
  async expire(key: string): Promise<void> {
    const at = Date.now();
    this.expireLocal(key, at);
    this.core.supersede(this.name, [key], at);
    if (this.policy.useL2 && this.core.guard !== undefined && !(await this.expireL2(key, at))) {
      this.core.retryLater(`k:${this.policy.keyPrefix}${key}`, {
        kind: "expire",
        namespace: this.name,
        key,
        tags: undefined,
        at,
        replay: async () => {
          const done = await this.expireL2(key, at);
          if (done) this.announce("exp", this.name, [key]);
          return done;
        },
      });
    }
    this.announce("exp", this.name, [key]);
  }

  /** Removes every entry of the namespace, here, in L2 and in every other instance's L1. */
  async clear(): Promise<void> {
    const at = Date.now();
    this.clearLocal();
    this.core.supersede(this.name, undefined, at);
    const guard = this.policy.useL2 ? this.core.guard : undefined;
    if (guard !== undefined) {
      const clearL2 = () => guard.call(this.attrs.delete, () => guard.adapter.deleteByPrefix(this.policy.keyPrefix));
      if ((await clearL2()) === L2_FAILED) {
        this.core.retryLater(`c:${this.policy.keyPrefix}`, {
          kind: "clear",
          namespace: this.name,
          key: undefined,
          tags: undefined,
          at,
          replay: async () => {
            if ((await clearL2()) === L2_FAILED) return false;
            this.announce("clear", this.name);
            return true;
          },
        });
      }
    }
    this.announce("clear", this.name);
  }

  /** Entries in L1 now (including ones past their TTL that have not been evicted yet). */
  get l1Size(): number {
    return this.l1.size;
  }

  // ——— what the cache and the bus call ———

  /** Drops L1 entries carrying any of `tags`; returns how many it dropped. */
  dropTagged(tags: ReadonlySet<string>): number {
    // Any key may carry the tags, including ones being read from L2 right now.
    this.droppedAllSeq = ++this.dropSeq;
    let dropped = 0;
    for (const [key, entry] of this.l1) {
      if (entry.tags !== undefined && entry.tags.some((t) => tags.has(t))) {
        this.l1.delete(key);
        dropped++;
      }
    }
    return dropped;
  }

  /** Drops `key` from L1 unless the entry was produced after `sentAt` (a newer value than the message knew of). */
  dropLocal(key: string, sentAt = Infinity): void {
    this.markDropped(key);
    const entry = this.l1.peek(key);
    if (entry !== undefined && entry.createdAt <= sentAt) this.l1.delete(key);
  }

  expireLocal(key: string, now: number, sentAt = Infinity): void {
    this.markDropped(key);
    const entry = this.l1.peek(key);
    if (entry === undefined || entry.createdAt > sentAt) return;
    if (entry.staleUntil <= now) this.l1.delete(key);
    else this.l1.set(key, { ...entry, expiresAt: Math.min(entry.expiresAt, now), freshUntil: 0, refreshAt: Infinity, promise: undefined });
  }

  clearLocal(): void {
    this.droppedAllSeq = ++this.dropSeq;
    this.l1.clear();
  }

  // ——— the slow paths ———

  private async load(key: string, entry: L1Entry<V> | undefined, loader: Loader<V>, options: WriteOptions | undefined): Promise<V> {
    const now = Date.now();
    let stale: Envelope<V> | undefined = entry !== undefined && now < entry.staleUntil ? entry : undefined;

    const asked = this.dropSeq;
    const fromL2 = await this.readL2(key);
    if (fromL2 === L2_FAILED) {
      // L2 is out. An L1 entry that is still within its logical TTL is simply fresh: keep answering with it.
      const kept = this.fallback(key, entry, false);
      if (kept !== undefined) return kept.value;
      return this.runLoader(key, loader, options, stale);
    }
    if (fromL2 !== undefined) {
      const t = Date.now();
      if (t < fromL2.expiresAt) {
        const filled = this.l2Hit(key, fromL2, asked);
        if (t >= filled.refreshAt) this.refresh(key, filled, loader, options);
        return filled.value;
      }
      if (t < fromL2.staleUntil && (stale === undefined || fromL2.createdAt > stale.createdAt)) stale = fromL2;
      this.counters.l2Misses++;
    } else if (this.policy.useL2 && this.core.guard !== undefined) {
      this.counters.l2Misses++;
    }
    if (this.policy.distributedLock !== undefined && this.policy.useL2 && this.core.guard !== undefined) {
      return this.loadUnderLock(key, loader, options, stale, this.core.guard, this.policy.distributedLock);
    }
    return this.runLoader(key, loader, options, stale);
  }

  /**
   * Distributed single flight: the instance that takes the lock runs the loader and writes L2
   * before letting go; the others poll L2 for its value until `wait` passes and then run the
   * loader themselves. A lock that cannot be asked for (L2 out) never holds anyone up.
   */
  private async loadUnderLock(
    key: string,
    loader: Loader<V>,
    options: WriteOptions | undefined,
    stale: Envelope<V> | undefined,
    guard: L2Guard,
    lock: { readonly ttl: number; readonly wait: number },
  ): Promise<V> {
    const lockKey = this.core.lockKey(this.name, key);
    const deadline = Date.now() + lock.wait;
    for (let attempt = 0; ; attempt++) {
      const acquired = await guard.call(this.attrs.lock, () => guard.adapter.setIfAbsent(lockKey, this.core.instanceId, lock.ttl));
      if (acquired === L2_FAILED) break;
      if (acquired) {
        const produced = this.produce(key, loader, options, stale?.value, true);
        this.core.background(produced.finally(() => guard.call(this.attrs.lock, () => guard.adapter.delete(lockKey))));
        return this.withFallback(key, produced, stale);
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        this.counters.lockTimeouts++;
        break;
      }
      await sleep(Math.min(left, LOCK_POLL_FIRST_MS * 2 ** Math.min(attempt, 4), LOCK_POLL_MAX_MS));
      const asked = this.dropSeq;
      const polled = await this.readL2(key);
      if (polled === L2_FAILED) break;
      if (polled !== undefined && Date.now() < polled.expiresAt) {
        this.counters.lockWaits++;
        return this.l2Hit(key, polled, asked).value;
      }
    }
    return this.runLoader(key, loader, options, stale);
  }

  private runLoader(key: string, loader: Loader<V>, options: WriteOptions | undefined, stale: Envelope<V> | undefined): Promise<V> {
    return this.withFallback(key, this.produce(key, loader, options, stale?.value, false), stale);
  }

  /** Adds grace and the soft timeout to a running loader: a stale value answers when it fails or is slow. */
  private withFallback(key: string, produced: Promise<V>, stale: Envelope<V> | undefined): Promise<V> {
    const policy = this.policy;
    if (stale === undefined) {
      return produced.catch((error: unknown) => {
        this.counters.loaderErrors++;
        throw error;
      });
    }
    const withFallback = produced.catch(() => {
      this.counters.loaderErrors++;
      return this.serveStale(key, stale).value;
    });
    if (policy.softTimeout <= 0) return withFallback;

    // The loader keeps running after the soft timeout and refreshes the entry when it finishes.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const soft = new Promise<V>((resolve) => {
      timer = setTimeout(() => {
        this.counters.staleServed++;
        resolve(stale.value);
      }, policy.softTimeout);
    });
    this.core.background(withFallback.finally(() => clearTimeout(timer)));
    return Promise.race([withFallback, soft]);
  }

  /** Runs the loader (with the hard timeout) and stores what it returns; `awaitL2` also waits for the L2 write. */
  private async produce(key: string, loader: Loader<V>, options: WriteOptions | undefined, staleValue: V | undefined, awaitL2 = false): Promise<V> {
    const policy = this.policy;
    const controller = policy.hardTimeout > 0 ? new AbortController() : undefined;
    const context = new Context<V>(key, controller?.signal ?? NEVER_ABORTED, staleValue, policy, options);
    const started = performance.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let value: V;
    try {
      let work: Promise<V> = Promise.resolve().then(() => loader(context));
      if (controller !== undefined) {
        const hard = new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            const error = new LoaderTimeoutError(policy.name, key, policy.hardTimeout);
            controller.abort(error);
            reject(error);
          }, policy.hardTimeout);
        });
        work = Promise.race([work, hard]);
      }
      value = await work;
      rejectUndefined(value, policy.name, key);
      this.counters.loaderHits++;
    } finally {
      clearTimeout(timer);
      this.core.durations.record((performance.now() - started) / 1000, this.attrs.loader);
    }
    const written = this.store(key, value, context.ttl, context.grace, context.tags, false);
    if (awaitL2) await written;
    else this.core.background(written);
    return value;
  }

  /** Starts one background refresh of a hot entry; a failure keeps the current value and backs off. */
  private refresh(key: string, entry: L1Entry<V>, loader: Loader<V>, options: WriteOptions | undefined): void {
    if (this.inflight.has(key)) return;
    entry.refreshAt = Infinity;
    this.counters.refreshes++;
    const refreshing = (async () => {
      // Another instance may have refreshed already: its newer L2 entry saves a loader run.
      const asked = this.dropSeq;
      const fromL2 = await this.readL2(key);
      if (fromL2 !== L2_FAILED && fromL2 !== undefined && fromL2.createdAt > entry.createdAt) {
        const filled = this.l2Hit(key, fromL2, asked);
        if (Date.now() < filled.refreshAt) return filled.value;
      }
      const lock = this.policy.distributedLock;
      const guard = this.policy.useL2 ? this.core.guard : undefined;
      if (lock === undefined || guard === undefined || fromL2 === L2_FAILED) return this.produce(key, loader, options, entry.value);
      const lockKey = this.core.lockKey(this.name, key);
      const acquired = await guard.call(this.attrs.lock, () => guard.adapter.setIfAbsent(lockKey, this.core.instanceId, lock.ttl));
      if (acquired === false) {
        // Another instance is refreshing: look at L2 again once it has had time to write.
        entry.refreshAt = Date.now() + lock.wait;
        return entry.value;
      }
      if (acquired === L2_FAILED) return this.produce(key, loader, options, entry.value);
      try {
        return await this.produce(key, loader, options, entry.value, true);
      } finally {
        void guard.call(this.attrs.lock, () => guard.adapter.delete(lockKey));
      }
    })();
    this.inflight.set(key, refreshing);
    this.core.background(
      refreshing.then(
        () => this.inflight.delete(key),
        () => {
          this.inflight.delete(key);
          this.counters.loaderErrors++;
          entry.refreshAt = Date.now() + this.policy.failSafeBackoff;
        },
      ),
    );
  }

  /** Reads and decodes the L2 entry: `undefined` for a miss (or a corrupt entry), L2_FAILED when L2 is out. */
  private async readL2(key: string): Promise<Envelope<V> | undefined | typeof L2_FAILED> {
    const guard = this.policy.useL2 ? this.core.guard : undefined;
    if (guard === undefined) return undefined;
    const text = await guard.call(this.attrs.get, () => guard.adapter.get(this.policy.keyPrefix + key));
    if (text === L2_FAILED) return L2_FAILED;
    return this.decode(text);
  }

  private decode(text: string | null): Envelope<V> | undefined {
    if (text === null) return undefined;
    const decoded = decodeEnvelope<V>(text);
    if (decoded.ok) return decoded.envelope;
    // Counted here; the next write of the key overwrites it.
    this.counters.corrupt++;
    return undefined;
  }

  /**
   * Takes a fresh L2 entry, read when `dropSeq` was `asked`, into L1. A newer L1 entry (written here while the read
   * was in flight) wins; an entry whose key was invalidated while the read was in flight answers
   * this once but is not kept.
   */
  private l2Hit(key: string, envelope: Envelope<V>, asked: number): L1Entry<V> {
    this.counters.l2Hits++;
    const now = Date.now();
    const current = this.l1.peek(key);
    if (current !== undefined && current.createdAt > envelope.createdAt && now < current.expiresAt) return current;
    if (this.droppedAllSeq > asked || (this.dropped.get(key)?.seq ?? 0) > asked) {
      return { ...this.entryFrom(envelope, now), freshUntil: 0, refreshAt: Infinity };
    }
    return this.fillL1(key, envelope, now);
  }

  /** Numbers an invalidation of `key`, forgetting those that no L2 read still in flight can predate. */
  private markDropped(key: string): void {
    const at = Date.now();
    const dropped = this.dropped;
    dropped.delete(key);
    dropped.set(key, { seq: ++this.dropSeq, at });
    const horizon = at - this.dropMemoryMs;
    for (const [k, mark] of dropped) {
      if (mark.at > horizon) break;
      dropped.delete(k);
    }
  }

  /** L2 could not be asked: keep answering from an L1 entry that is fresh by its logical TTL, or stale within grace when `allowStale`. */
  private fallback(key: string, entry: L1Entry<V> | undefined, allowStale: boolean): L1Entry<V> | undefined {
    if (entry === undefined) return undefined;
    const now = Date.now();
    if (now < entry.expiresAt) {
      this.counters.l1Hits++;
      return this.rearm(key, entry, now);
    }
    if (allowStale && now < entry.staleUntil) return this.serveStale(key, entry);
    return undefined;
  }

  /** Serves a stale value and keeps serving it for the fail-safe backoff without calling the loader again. */
  private serveStale(key: string, stale: Envelope<V>): L1Entry<V> {
    this.counters.staleServed++;
    return this.rearm(key, stale, Date.now());
  }

  private rearm(key: string, envelope: Envelope<V>, now: number): L1Entry<V> {
    const entry: L1Entry<V> = {
      ...this.entryFrom(envelope, now),
      freshUntil: Math.min(now + this.policy.failSafeBackoff, Math.max(envelope.staleUntil, envelope.expiresAt)),
      refreshAt: Infinity,
    };
    this.l1.set(key, entry);
    return entry;
  }

  private fillL1(key: string, envelope: Envelope<V>, now: number): L1Entry<V> {
    const entry = this.entryFrom(envelope, now);
    this.l1.set(key, entry);
    return entry;
  }

  /** An L1 entry for `envelope` filled at `now`, fresh for the L1 TTL (capped while the bus is down). */
  private entryFrom(envelope: Envelope<V>, now: number): L1Entry<V> {
    const { eagerRefresh, l1Ttl } = this.policy;
    return {
      value: envelope.value,
      createdAt: envelope.createdAt,
      expiresAt: envelope.expiresAt,
      staleUntil: envelope.staleUntil,
      tags: envelope.tags,
      // With l1Ttl 0 the copy never answers on its own: not even a coarse clock a millisecond late may let it.
      freshUntil: l1Ttl === 0 ? 0 : Math.min(envelope.expiresAt, now + Math.min(l1Ttl, this.core.l1TtlCap)),
      refreshAt: eagerRefresh === Infinity ? Infinity : envelope.createdAt + eagerRefresh * (envelope.expiresAt - envelope.createdAt),
      epoch: this.core.epoch,
      promise: undefined,
    };
  }

  /**
   * Puts a new value in L1 and writes it to L2; resolves when the L2 write is done. An `explicit`
   * write (`set`) that L2 fails is queued for replay; a loader's value is not (any instance can
   * produce it again).
   */
  private store(key: string, value: V, ttl: number, grace: number, tags: readonly string[] | undefined, explicit: boolean): Promise<void> {
    const now = Date.now();
    const jitter = this.policy.jitter;
    const lifetime = jitter > 0 ? ttl + Math.floor(Math.random() * jitter * ttl) : ttl;
    const envelope: Envelope<V> = { value, createdAt: now, expiresAt: now + lifetime, staleUntil: now + lifetime + grace, tags };
    this.fillL1(key, envelope, now);
    if (!this.policy.useL2 || this.core.guard === undefined) return Promise.resolve();
    return this.writeL2(key, envelope).then((written) => {
      if (written || !explicit) return;
      this.core.retryLater(`k:${this.policy.keyPrefix}${key}`, {
        kind: "set",
        namespace: this.name,
        key,
        tags,
        at: envelope.createdAt,
        replay: () => this.replaySet(key, envelope),
      });
    });
  }

  /** Writes the envelope and its tag memberships; `false` when L2 failed any of it (an unencodable value counts as done). */
  private async writeL2(key: string, envelope: Envelope<V>): Promise<boolean> {
    const guard = this.core.guard;
    if (guard === undefined) return true;
    let text: string;
    try {
      text = encodeEnvelope(envelope, this.core.compressAbove);
    } catch {
      // A value JSON cannot carry (a BigInt, a cycle) stays in L1 only.
      guard.countError("encode");
      return true;
    }
    const fullKey = this.policy.keyPrefix + key;
    const ttlMs = Math.max(1, envelope.staleUntil - Date.now());
    const wrote = await guard.call(this.attrs.set, () => guard.adapter.set(fullKey, text, ttlMs));
    if (wrote === L2_FAILED) return false;
    if (envelope.tags === undefined) return true;
    let complete = true;
    for (const tag of envelope.tags) {
      const added = await guard.call(this.attrs.set, () => guard.adapter.setAdd(this.core.tagKey(tag), [fullKey], ttlMs));
      if (added === L2_FAILED) complete = false;
    }
    return complete;
  }

  // ——— replays of queued writes (see write-queue.ts) ———

  /** A queued `set`: written unless it has expired meanwhile or L2 holds a newer entry. */
  private async replaySet(key: string, envelope: Envelope<V>): Promise<boolean> {
    if (Date.now() >= envelope.staleUntil) return true;
    const current = await this.readL2(key);
    if (current === L2_FAILED) return false;
    if (current !== undefined && current.createdAt > envelope.createdAt) return true;
    if (!(await this.writeL2(key, envelope))) return false;
    // Instances that read L2 while the write waited may hold the older value.
    this.announce("del", this.name, [key]);
    return true;
  }

  /** A queued `delete`: done unless L2 now holds an entry written after it. */
  private async replayDelete(key: string, at: number): Promise<boolean> {
    const guard = this.core.guard;
    if (guard === undefined) return true;
    const current = await this.readL2(key);
    if (current === L2_FAILED) return false;
    if (current !== undefined && current.createdAt > at) return true;
    if ((await guard.call(this.attrs.delete, () => guard.adapter.delete(this.policy.keyPrefix + key))) === L2_FAILED) return false;
    this.announce("del", this.name, [key]);
    return true;
  }

  /** Expires the L2 entry as of `at` (an entry written after `at` is left alone); `false` when L2 failed. */
  private async expireL2(key: string, at: number): Promise<boolean> {
    const guard = this.core.guard;
    if (guard === undefined) return true;
    const envelope = await this.readL2(key);
    if (envelope === L2_FAILED) return false;
    if (envelope === undefined || envelope.createdAt > at || envelope.expiresAt <= at) return true;
    if (envelope.staleUntil <= Date.now()) {
      return (await guard.call(this.attrs.delete, () => guard.adapter.delete(this.policy.keyPrefix + key))) !== L2_FAILED;
    }
    return this.writeL2(key, { ...envelope, expiresAt: at });
  }
}

function rejectUndefined(value: unknown, namespace: string, key: string): void {
  if (value === undefined) {
    throw new TypeError(`Cannot cache undefined for ${namespace}:${key}; return null to cache an absence`);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
