import { coarseNow } from "./clock.ts";
import type { Envelope } from "./codec.ts";
import type { CacheCore } from "./core.ts";
import { rejectUndefined } from "./errors.ts";
import { L1Store, type L1Entry } from "./l1.ts";
import { L2_FAILED } from "./l2-guard.ts";
import type { BatchLoader, LocalNamespace, Loader } from "./handle.ts";
import { LoaderRunner } from "./loader.ts";
import { DistributedLock } from "./lock.ts";
import { NamespaceL2, type NamespaceAttributes } from "./namespace-l2.ts";
import { mergeTags, type NamespacePolicy, type WriteOptions } from "./policy.ts";
import { createCounters, type NamespaceCounters } from "./stats.ts";
import type { TagTimes } from "./tag-times.ts";

/**
 * The read path of one namespace, tying its L1 store, its side of L2, the loader runner and the
 * distributed lock together. Built by the cache core; callers see it only as a `NamespaceHandle`.
 *
 * @example
 * ```ts
 * const handle: NamespaceHandle<string> = new Namespace<string>(policy, core);
 * await handle.getOrSet("q1", () => "answer");
 * ```
 */
export class Namespace<V = unknown> implements LocalNamespace<V> {
  readonly name: string;
  readonly counters: NamespaceCounters = createCounters();
  private readonly l1: L1Store<V>;
  /** The L1 store's LRU, held directly: the hit path reads one field less. */
  private readonly entries: L1Store<V>["lru"];
  /** Held directly too: the hit path compares its `seq` with the entry's. */
  private readonly times: TagTimes;
  private readonly l2: NamespaceL2<V>;
  private readonly runner: LoaderRunner<V>;
  private readonly lock: DistributedLock<V> | undefined;
  private readonly inflight = new Map<string, Promise<V>>();
  private readonly attrs: NamespaceAttributes;

  constructor(
    readonly policy: NamespacePolicy,
    private readonly core: CacheCore,
  ) {
    this.name = policy.name;
    const op = (operation: string) => ({ "cache.namespace": policy.name, "cache.operation": operation });
    this.attrs = { get: op("l2.get"), getMany: op("l2.get_many"), set: op("l2.set"), delete: op("l2.delete"), lock: op("l2.lock"), loader: op("loader") };
    this.l1 = new L1Store<V>(policy, core, this.counters);
    this.entries = this.l1.lru;
    this.times = core.tagTimes;
    this.l2 = new NamespaceL2<V>(policy, core, this.counters, this.attrs);
    this.runner = new LoaderRunner<V>(policy, core, this.counters, this.attrs, this.l1, (key, value, ttl, grace, tags, explicit) =>
      this.store(key, value, ttl, grace, tags, explicit),
    );
    const guard = this.l2.guard;
    this.lock =
      policy.distributedLock !== undefined && guard !== undefined
        ? new DistributedLock<V>(policy, core, this.counters, this.attrs, guard, policy.distributedLock, this.l1, this.l2, this.runner)
        : undefined;
  }

  getOrSet(key: string, loader: Loader<V>, options?: WriteOptions): Promise<V> {
    const entry = this.entries.get(key);
    if (entry !== undefined && this.answersNow(key, entry, loader, options)) return entry.promise ?? (entry.promise = Promise.resolve(entry.value));
    this.counters.l1Misses++;
    const running = this.inflight.get(key);
    if (running !== undefined) return running;
    return this.track(key, this.load(key, entry, loader, options));
  }

  l1Hit(key: string, loader: Loader<V>, options?: WriteOptions): V | undefined {
    const entry = this.entries.get(key);
    return entry !== undefined && this.answersNow(key, entry, loader, options) ? entry.value : undefined;
  }

  /** Whether the L1 entry answers `getOrSet` now; if so it is counted as a hit (and refreshed in the background when due). */
  private answersNow(key: string, entry: L1Entry<V>, loader: Loader<V>, options: WriteOptions | undefined): boolean {
    const now = coarseNow();
    if (now < entry.freshUntil && entry.epoch === this.core.epoch && (entry.checkedSeq === this.times.seq || this.l1.fresh(key, entry, now))) {
      this.counters.l1Hits++;
      if (now >= entry.refreshAt) this.refresh(key, entry, loader, options);
      return true;
    }
    return false;
  }

  reload(key: string, loader: Loader<V>, options?: WriteOptions): Promise<V> {
    const running = this.inflight.get(key);
    if (running !== undefined) return running;
    return this.track(key, this.runner.produce(key, loader, options, this.entries.peek(key)?.value));
  }

  get(key: string): Promise<V | undefined> {
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      const now = coarseNow();
      if (now < entry.freshUntil && entry.epoch === this.core.epoch && (entry.checkedSeq === this.times.seq || this.l1.fresh(key, entry, now))) {
        this.counters.l1Hits++;
        return entry.promise ?? (entry.promise = Promise.resolve(entry.value));
      }
    }
    this.counters.l1Misses++;
    return this.getFromL2(key, entry);
  }

  peek(key: string): V | undefined {
    const entry = this.entries.peek(key);
    return this.l1.fresh(key, entry, coarseNow()) ? entry.value : undefined;
  }

  async getMany(keys: readonly string[], batchLoader?: BatchLoader<V>, options?: WriteOptions): Promise<(V | undefined)[]> {
    const results = new Array<V | undefined>(keys.length);
    const now = coarseNow();
    let missing: number[] = [];
    for (let i = 0; i < keys.length; i++) {
      const entry = this.entries.get(keys[i] as string);
      if (this.l1.fresh(keys[i] as string, entry, now)) {
        this.counters.l1Hits++;
        results[i] = entry.value;
      } else {
        this.counters.l1Misses++;
        missing.push(i);
      }
    }
    if (missing.length === 0) return results;

    if (this.l2.guard !== undefined) {
      const asked = this.l1.dropSeq;
      const envelopes = await this.l2.readMany(missing.map((i) => keys[i] as string));
      if (envelopes !== L2_FAILED) {
        const stillMissing: number[] = [];
        const t = Date.now();
        for (let j = 0; j < missing.length; j++) {
          const i = missing[j] as number;
          const envelope = envelopes[j];
          if (envelope !== undefined && t < envelope.expiresAt) results[i] = this.l1.fromL2(keys[i] as string, envelope, asked).value;
          else {
            this.counters.l2Misses++;
            stillMissing.push(i);
          }
        }
        missing = stillMissing;
      }
    }
    if (missing.length === 0 || batchLoader === undefined) return results;

    const loaded = await this.runner.produceMany(missing.map((i) => keys[i] as string), batchLoader, options);
    for (let j = 0; j < missing.length; j++) if (loaded[j] !== undefined) results[missing[j] as number] = loaded[j];
    return results;
  }

  async set(key: string, value: V, options?: WriteOptions): Promise<void> {
    rejectUndefined(value, this.name);
    await this.store(key, value, options?.ttl ?? this.policy.ttl, options?.grace ?? this.policy.grace, mergeTags(this.policy.tags, options?.tags), true);
    // After the write: an instance that drops its copy and reads L2 again must find the new value.
    this.l2.announce("del", [key]);
  }

  async delete(key: string): Promise<void> {
    const at = Date.now();
    this.l1.delete(key);
    this.core.supersede(this.name, [key], at);
    await this.l2.delete(key, at);
    this.l2.announce("del", [key]);
  }

  async expire(key: string): Promise<void> {
    const at = Date.now();
    this.l1.expireLocal(key, at);
    this.core.supersede(this.name, [key], at);
    await this.l2.expire(key, at);
    this.l2.announce("exp", [key]);
  }

  async clear(): Promise<void> {
    const at = this.core.invalidationTime();
    this.l1.clear();
    this.times.observe(this.l1.clearName, at);
    this.core.supersede(this.name, undefined, at);
    await this.l2.clear(at);
    this.l2.announce("clear", undefined, at);
  }

  get l1Size(): number {
    return this.entries.size;
  }

  // ——— what the cache and the bus call (see LocalNamespace) ———

  dropLocal(key: string, sentAt?: number): void {
    this.l1.dropLocal(key, sentAt);
  }

  expireLocal(key: string, now: number, sentAt?: number): void {
    this.l1.expireLocal(key, now, sentAt);
  }

  clearLocal(): void {
    this.l1.clear();
  }

  busChanged(): void {
    this.l1.busChanged();
  }

  // ——— the slow paths ———

  /** Registers a load of `key` so that concurrent misses share it, until it settles. */
  private track(key: string, loading: Promise<V>): Promise<V> {
    this.inflight.set(key, loading);
    loading.then(
      () => this.inflight.delete(key),
      () => this.inflight.delete(key),
    );
    return loading;
  }

  private async getFromL2(key: string, found: L1Entry<V> | undefined): Promise<V | undefined> {
    const entry = found === undefined ? undefined : this.l1.settle(key, found);
    const asked = this.l1.dropSeq;
    const fromL2 = await this.l2.read(key);
    if (fromL2 === L2_FAILED) return this.l1.fallback(key, entry, true)?.value;
    if (fromL2 !== undefined && Date.now() < fromL2.expiresAt) return this.l1.fromL2(key, fromL2, asked).value;
    this.counters.l2Misses++;
    return undefined;
  }

  private async load(key: string, found: L1Entry<V> | undefined, loader: Loader<V>, options: WriteOptions | undefined): Promise<V> {
    // An entry whose namespace was cleared since is gone; one whose tag was invalidated is stale.
    const entry = found === undefined ? undefined : this.l1.settle(key, found);
    let stale: Envelope<V> | undefined = entry !== undefined && Date.now() < entry.staleUntil ? entry : undefined;
    const asked = this.l1.dropSeq;
    const fromL2 = await this.l2.read(key);
    if (fromL2 === L2_FAILED) {
      // L2 is out. An L1 entry that is still within its logical TTL is simply fresh: keep answering with it.
      const kept = this.l1.fallback(key, entry, false);
      if (kept !== undefined) return kept.value;
      return this.runner.run(key, loader, options, stale);
    }
    if (fromL2 !== undefined) {
      const t = Date.now();
      if (t < fromL2.expiresAt) {
        const filled = this.l1.fromL2(key, fromL2, asked);
        if (t >= filled.refreshAt) this.refresh(key, filled, loader, options);
        return filled.value;
      }
      if (t < fromL2.staleUntil && (stale === undefined || fromL2.createdAt > stale.createdAt)) stale = fromL2;
      this.counters.l2Misses++;
    } else if (this.l2.guard !== undefined) {
      this.counters.l2Misses++;
    }
    if (this.lock !== undefined) return this.lock.load(key, loader, options, stale);
    return this.runner.run(key, loader, options, stale);
  }

  /** Starts one background refresh of a hot entry; a failure keeps the current value and backs off. */
  private refresh(key: string, entry: L1Entry<V>, loader: Loader<V>, options: WriteOptions | undefined): void {
    if (this.inflight.has(key)) return;
    entry.refreshAt = Infinity;
    this.counters.refreshes++;
    const refreshing = this.refreshOnce(key, entry, loader, options);
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

  private async refreshOnce(key: string, entry: L1Entry<V>, loader: Loader<V>, options: WriteOptions | undefined): Promise<V> {
    // Another instance may have refreshed already: its newer L2 entry saves a loader run.
    const asked = this.l1.dropSeq;
    const fromL2 = await this.l2.read(key);
    if (fromL2 !== L2_FAILED && fromL2 !== undefined && fromL2.createdAt > entry.createdAt) {
      const filled = this.l1.fromL2(key, fromL2, asked);
      if (Date.now() < filled.refreshAt) return filled.value;
    }
    if (this.lock === undefined || fromL2 === L2_FAILED) return this.runner.produce(key, loader, options, entry.value);
    return this.lock.refresh(key, entry, loader, options);
  }

  /** Puts a new value in L1 and writes it to L2; resolves when the L2 write is done. */
  private store(key: string, value: V, ttl: number, grace: number, tags: readonly string[] | undefined, explicit: boolean): Promise<void> {
    // A value stored in the same millisecond as an invalidation this instance knows of is newer than it.
    const invalidated = this.times.latest(tags, this.l1.clearName);
    const now = Math.max(Date.now(), invalidated + 1);
    if (now > this.core.newestCreated) this.core.newestCreated = now;
    const jitter = this.policy.jitter;
    const lifetime = jitter > 0 ? ttl + Math.floor(Math.random() * jitter * ttl) : ttl;
    const envelope: Envelope<V> = { value, createdAt: now, expiresAt: now + lifetime, staleUntil: now + lifetime + grace, tags };
    this.l1.fill(key, envelope, now);
    if (this.l2.guard === undefined) return Promise.resolve();
    return this.l2.persist(key, envelope, explicit);
  }
}
