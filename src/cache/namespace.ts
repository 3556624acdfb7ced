import QuickLRU from "quick-lru";
import type { Attributes, Histogram } from "@opentelemetry/api";
import { coarseNow } from "./clock.ts";
import { decodeEnvelope, encodeEnvelope, type Envelope } from "./codec.ts";
import { L2_FAILED, type L2Guard } from "./l2-guard.ts";
import { mergeTags, type NamespacePolicy, type WriteOptions } from "./policy.ts";
import { createCounters, type NamespaceCounters } from "./stats.ts";

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
  private readonly attrs: Record<"get" | "getMany" | "set" | "delete" | "loader", Attributes>;

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
    this.attrs = { get: op("l2.get"), getMany: op("l2.get_many"), set: op("l2.set"), delete: op("l2.delete"), loader: op("loader") };
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
  async get(key: string): Promise<V | undefined> {
    const entry = this.l1.get(key);
    if (entry !== undefined) {
      const now = coarseNow();
      if (now < entry.freshUntil && entry.epoch === this.core.epoch) {
        this.counters.l1Hits++;
        return entry.value;
      }
    }
    this.counters.l1Misses++;
    const fromL2 = await this.readL2(key);
    if (fromL2 === L2_FAILED) return this.fallback(key, entry, true)?.value;
    if (fromL2 !== undefined && Date.now() < fromL2.expiresAt) return this.l2Hit(key, fromL2).value;
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
      const texts = await guard.call(this.attrs.getMany, () => guard.adapter.getMany(fullKeys));
      if (texts !== L2_FAILED) {
        const stillMissing: number[] = [];
        const t = Date.now();
        for (let j = 0; j < missing.length; j++) {
          const i = missing[j] as number;
          const envelope = this.decode(texts[j] ?? null);
          if (envelope !== undefined && t < envelope.expiresAt) results[i] = this.l2Hit(keys[i] as string, envelope).value;
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
      this.store(missingKeys[j] as string, value, options?.ttl ?? this.policy.ttl, options?.grace ?? this.policy.grace, mergeTags(this.policy.tags, options?.tags), false);
    }
    return results;
  }

  /** Writes a value to L1 and L2 and tells other instances to drop their copy. */
  async set(key: string, value: V, options?: WriteOptions): Promise<void> {
    rejectUndefined(value, this.name, key);
    const write = this.store(key, value, options?.ttl ?? this.policy.ttl, options?.grace ?? this.policy.grace, mergeTags(this.policy.tags, options?.tags), true);
    this.core.publish("del", this.name, [key]);
    await write;
  }

  /** Removes `key` from L1, L2 and every other instance's L1. */
  async delete(key: string): Promise<void> {
    this.l1.delete(key);
    const guard = this.policy.useL2 ? this.core.guard : undefined;
    if (guard !== undefined) await guard.call(this.attrs.delete, () => guard.adapter.delete(this.policy.keyPrefix + key));
    this.core.publish("del", this.name, [key]);
  }

  /**
   * Marks `key` expired but keeps it for its grace period: the next read reloads it, and a failing
   * loader can still fall back to it.
   */
  async expire(key: string): Promise<void> {
    const now = Date.now();
    this.expireLocal(key, now);
    const guard = this.policy.useL2 ? this.core.guard : undefined;
    if (guard !== undefined) {
      const envelope = await this.readL2(key);
      if (envelope !== L2_FAILED && envelope !== undefined && envelope.expiresAt > now) {
        if (envelope.staleUntil <= now) await guard.call(this.attrs.delete, () => guard.adapter.delete(this.policy.keyPrefix + key));
        else await this.writeL2(key, { ...envelope, expiresAt: now });
      }
    }
    this.core.publish("exp", this.name, [key]);
  }

  /** Removes every entry of the namespace, here, in L2 and in every other instance's L1. */
  async clear(): Promise<void> {
    this.l1.clear();
    const guard = this.policy.useL2 ? this.core.guard : undefined;
    if (guard !== undefined) await guard.call(this.attrs.delete, () => guard.adapter.deleteByPrefix(this.policy.keyPrefix));
    this.core.publish("clear", this.name);
  }

  /** Entries in L1 now (including ones past their TTL that have not been evicted yet). */
  get l1Size(): number {
    return this.l1.size;
  }

  // ——— what the cache and the bus call ———

  /** Drops L1 entries carrying any of `tags`; returns the L2 keys they had. */
  dropTagged(tags: ReadonlySet<string>): number {
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
    const entry = this.l1.peek(key);
    if (entry !== undefined && entry.createdAt <= sentAt) this.l1.delete(key);
  }

  expireLocal(key: string, now: number, sentAt = Infinity): void {
    const entry = this.l1.peek(key);
    if (entry === undefined || entry.createdAt > sentAt) return;
    if (entry.staleUntil <= now) this.l1.delete(key);
    else this.l1.set(key, { ...entry, expiresAt: Math.min(entry.expiresAt, now), freshUntil: now, refreshAt: Infinity, promise: undefined });
  }

  clearLocal(): void {
    this.l1.clear();
  }

  // ——— the slow paths ———

  private async load(key: string, entry: L1Entry<V> | undefined, loader: Loader<V>, options: WriteOptions | undefined): Promise<V> {
    const now = Date.now();
    let stale: Envelope<V> | undefined = entry !== undefined && now < entry.staleUntil ? entry : undefined;

    const fromL2 = await this.readL2(key);
    if (fromL2 === L2_FAILED) {
      // L2 is out. An L1 entry that is still within its logical TTL is simply fresh: keep answering with it.
      const kept = this.fallback(key, entry, false);
      if (kept !== undefined) return kept.value;
    } else if (fromL2 !== undefined) {
      const t = Date.now();
      if (t < fromL2.expiresAt) {
        const filled = this.l2Hit(key, fromL2);
        if (t >= filled.refreshAt) this.refresh(key, filled, loader, options);
        return fromL2.value;
      }
      if (t < fromL2.staleUntil && (stale === undefined || fromL2.createdAt > stale.createdAt)) stale = fromL2;
      this.counters.l2Misses++;
    } else if (this.policy.useL2 && this.core.guard !== undefined) {
      this.counters.l2Misses++;
    }
    return this.runLoader(key, loader, options, stale);
  }

  private runLoader(key: string, loader: Loader<V>, options: WriteOptions | undefined, stale: Envelope<V> | undefined): Promise<V> {
    const policy = this.policy;
    const produced = this.produce(key, loader, options, stale?.value);
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

  /** Runs the loader (with the hard timeout) and stores what it returns. */
  private async produce(key: string, loader: Loader<V>, options: WriteOptions | undefined, staleValue: V | undefined): Promise<V> {
    const policy = this.policy;
    const controller = policy.hardTimeout > 0 ? new AbortController() : undefined;
    const context = new Context<V>(key, controller?.signal ?? NEVER_ABORTED, staleValue, policy, options);
    const started = performance.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
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
      const value = await work;
      rejectUndefined(value, policy.name, key);
      this.counters.loaderHits++;
      this.store(key, value, context.ttl, context.grace, context.tags, false);
      return value;
    } finally {
      clearTimeout(timer);
      this.core.durations.record((performance.now() - started) / 1000, this.attrs.loader);
    }
  }

  /** Starts one background refresh of a hot entry; a failure keeps the current value and backs off. */
  private refresh(key: string, entry: L1Entry<V>, loader: Loader<V>, options: WriteOptions | undefined): void {
    if (this.inflight.has(key)) return;
    entry.refreshAt = Infinity;
    this.counters.refreshes++;
    const refreshing = (async () => {
      // Another instance may have refreshed already: its newer L2 entry saves a loader run.
      const fromL2 = await this.readL2(key);
      if (fromL2 !== L2_FAILED && fromL2 !== undefined && fromL2.createdAt > entry.createdAt) {
        const filled = this.l2Hit(key, fromL2);
        if (Date.now() < filled.refreshAt) return fromL2.value;
      }
      return this.produce(key, loader, options, entry.value);
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

  private l2Hit(key: string, envelope: Envelope<V>): L1Entry<V> {
    this.counters.l2Hits++;
    return this.fillL1(key, envelope, Date.now());
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
      value: envelope.value,
      createdAt: envelope.createdAt,
      expiresAt: envelope.expiresAt,
      staleUntil: envelope.staleUntil,
      tags: envelope.tags,
      freshUntil: Math.min(now + this.policy.failSafeBackoff, Math.max(envelope.staleUntil, envelope.expiresAt)),
      refreshAt: Infinity,
      epoch: this.core.epoch,
      promise: undefined,
    };
    this.l1.set(key, entry);
    return entry;
  }

  private fillL1(key: string, envelope: Envelope<V>, now: number): L1Entry<V> {
    const { eagerRefresh, l1Ttl } = this.policy;
    const entry: L1Entry<V> = {
      value: envelope.value,
      createdAt: envelope.createdAt,
      expiresAt: envelope.expiresAt,
      staleUntil: envelope.staleUntil,
      tags: envelope.tags,
      freshUntil: Math.min(envelope.expiresAt, now + Math.min(l1Ttl, this.core.l1TtlCap)),
      refreshAt: eagerRefresh === Infinity ? Infinity : envelope.createdAt + eagerRefresh * (envelope.expiresAt - envelope.createdAt),
      epoch: this.core.epoch,
      promise: undefined,
    };
    this.l1.set(key, entry);
    return entry;
  }

  /** Puts a new value in L1 and writes it to L2 (awaited for `set`, in the background for loaders). */
  private store(key: string, value: V, ttl: number, grace: number, tags: readonly string[] | undefined, awaitL2: boolean): Promise<void> {
    const now = Date.now();
    const jitter = this.policy.jitter;
    const lifetime = jitter > 0 ? ttl + Math.floor(Math.random() * jitter * ttl) : ttl;
    const envelope: Envelope<V> = { value, createdAt: now, expiresAt: now + lifetime, staleUntil: now + lifetime + grace, tags };
    this.fillL1(key, envelope, now);
    if (!this.policy.useL2 || this.core.guard === undefined) return Promise.resolve();
    const write = this.writeL2(key, envelope);
    if (awaitL2) return write;
    this.core.background(write);
    return Promise.resolve();
  }

  private async writeL2(key: string, envelope: Envelope<V>): Promise<void> {
    const guard = this.core.guard;
    if (guard === undefined) return;
    let text: string;
    try {
      text = encodeEnvelope(envelope, this.core.compressAbove);
    } catch {
      // A value JSON cannot carry (a BigInt, a cycle) stays in L1 only.
      guard.countError("encode");
      return;
    }
    const fullKey = this.policy.keyPrefix + key;
    const ttlMs = Math.max(1, envelope.staleUntil - Date.now());
    const wrote = await guard.call(this.attrs.set, () => guard.adapter.set(fullKey, text, ttlMs));
    if (wrote === L2_FAILED || envelope.tags === undefined) return;
    for (const tag of envelope.tags) {
      await guard.call(this.attrs.set, () => guard.adapter.setAdd(this.core.tagKey(tag), [fullKey], ttlMs));
    }
  }
}

function rejectUndefined(value: unknown, namespace: string, key: string): void {
  if (value === undefined) {
    throw new TypeError(`Cannot cache undefined for ${namespace}:${key}; return null to cache an absence`);
  }
}
