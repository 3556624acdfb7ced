import type { NamespacePolicy, WriteOptions } from "./policy.ts";
import type { NamespaceCounters } from "./stats.ts";

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

/**
 * One namespace of the cache, with its policy resolved once: the whole public API of a namespace.
 * Reads go L1 → L2 → loader; an L1 hit is synchronous work returning an already-resolved promise.
 * Every write and invalidation reaches L2 and the other instances (through the bus); nothing here
 * touches one tier alone.
 *
 * Values are kept by reference in L1: treat cached values as immutable.
 *
 * @example
 * ```ts
 * const business: NamespaceHandle<Business | null> = cache.namespace("business");
 * const found = await business.getOrSet("+15550001111", ({ signal }) => directory.byNumber("+15550001111", signal));
 * ```
 */
export interface NamespaceHandle<V = unknown> {
  readonly name: string;
  readonly policy: NamespacePolicy;
  /** Plain integers, read by stats and metrics. */
  readonly counters: Readonly<NamespaceCounters>;
  /** Entries in L1 now (including ones past their TTL that have not been evicted yet). */
  readonly l1Size: number;

  /**
   * The value for `key`: from L1, else L2, else the loader (run once however many callers miss at
   * once). With grace, a stale value answers when the loader fails or is slower than the soft timeout.
   */
  getOrSet(key: string, loader: Loader<V>, options?: WriteOptions): Promise<V>;
  /**
   * What `getOrSet` answers at once, synchronously: the value when L1 holds `key` fresh, counted
   * as a hit and refreshed in the background when due, as `getOrSet`'s hit is; `undefined` when it
   * does not (then `getOrSet` goes on to L2 and the loader). Spares a hot path its `await`.
   */
  l1Hit(key: string, loader: Loader<V>, options?: WriteOptions): V | undefined;
  /** Runs the loader now, whatever is cached, and stores its value (concurrent reloads of a key share one run). */
  reload(key: string, loader: Loader<V>, options?: WriteOptions): Promise<V>;
  /** The value for `key` from L1 or L2, or `undefined`. Serves a stale value only while L2 is failing. */
  get(key: string): Promise<V | undefined>;
  /** The value for `key` if L1 holds it fresh; synchronous, never touches L2. */
  peek(key: string): V | undefined;
  /**
   * Values for many keys in order: L1 first, then one L2 batch (one round trip per node on a
   * cluster), then one `batchLoader` call for what is still missing. Without a batch loader,
   * missing keys are `undefined`.
   */
  getMany(keys: readonly string[], batchLoader?: BatchLoader<V>, options?: WriteOptions): Promise<(V | undefined)[]>;
  /**
   * Writes a value to L1 and L2, then tells other instances to drop their copy. When L2 is out the
   * write waits in the cache's write queue and is replayed once L2 is back.
   */
  set(key: string, value: V, options?: WriteOptions): Promise<void>;
  /** Removes `key` from L1, L2 and every other instance's L1. */
  delete(key: string): Promise<void>;
  /**
   * Marks `key` expired but keeps it for its grace period: the next read reloads it, and a failing
   * loader can still fall back to it.
   */
  expire(key: string): Promise<void>;
  /**
   * Removes every entry of the namespace, here and on every instance: L2 gets one key holding the
   * clear time (no scan), and entries created before it are misses from then on.
   */
  clear(): Promise<void>;
}

/**
 * What the cache and its invalidation bus do to a namespace's L1 alone, after L2 and the other
 * instances have been dealt with (or because another instance already did). Internal: not exported
 * from the library, so a caller cannot drop L1 entries without touching L2 or the bus.
 */
export interface LocalNamespace<V = unknown> extends NamespaceHandle<V> {
  /** Drops `key` from L1 unless the entry was produced after `sentAt` (a newer value than the message knew of). */
  dropLocal(key: string, sentAt?: number): void;
  /** Marks `key` expired in L1 as of `now`, unless the entry was produced after `sentAt`. */
  expireLocal(key: string, now: number, sentAt?: number): void;
  clearLocal(): void;
  /** The bus went up or down: an L2 read in flight may have missed messages, so what it brings keeps only the shorter `l1Ttl`. */
  busChanged(): void;
}
