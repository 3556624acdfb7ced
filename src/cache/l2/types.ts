/**
 * The one interface every L2 backend implements. It is deliberately small: strings in, strings
 * out, milliseconds for TTLs. The cache core owns timeouts, the circuit breaker, the codec and
 * key building; an adapter only speaks to its store.
 *
 * Rules every adapter follows:
 * - Clients are created lazily, on the first call, never at construction or import time.
 * - Values are opaque text (the cache codec already made them text, so Upstash REST can carry them).
 * - A missing key is `null`, never an error. Errors are thrown as `Error`s whose message never
 *   contains a value or a credential.
 * - Multi-key calls must work on a Redis Cluster with keys in different slots: no MGET/DEL across
 *   slots, no single hash tag on every key.
 *
 * @example
 * ```ts
 * const l2: L2Adapter = memoryL2();
 * await l2.set("voxedge:business:+15550001111", "…", 60_000);
 * await l2.get("voxedge:business:+15550001111"); // "…"
 * ```
 */
export interface L2Adapter {
  /** `memory`, `redis`, `redis-cluster` or `upstash`: used in health, stats and metric attributes. */
  readonly kind: L2Kind;
  get(key: string): Promise<string | null>;
  /** One result per key, in order; `null` for a miss. One round trip per node where the store allows. */
  getMany(keys: readonly string[]): Promise<(string | null)[]>;
  /** Sets the value with a TTL in milliseconds (`ttlMs` ≥ 1). */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Sets only when the key is absent (a short lock); resolves `true` when this call set it. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /**
   * Adds one to an integer counter and resolves the new count; a new counter starts at 1 and lives
   * `ttlMs` (later increments keep its expiry), so per-window counts clean up after themselves.
   */
  increment(key: string, ttlMs: number): Promise<number>;
  delete(key: string): Promise<void>;
  /** Deletes every key, key by key or per slot: never one multi-key command across slots. */
  deleteMany(keys: readonly string[]): Promise<void>;
  /**
   * Deletes every key that starts with `prefix` (on a cluster: scans every master). Returns how
   * many. A maintenance operation: the cache's own `clear` writes a clear time instead.
   */
  deleteByPrefix(prefix: string): Promise<number>;
  /** Resolves when the store answers; throws otherwise. */
  ping(): Promise<void>;
  /** What the adapter is connected to, for health: never contains credentials. */
  describe(): L2Description;
  /** Pub/sub for the invalidation bus; absent on stores that cannot carry it. */
  readonly bus?: L2Bus;
  /** Closes clients the adapter created itself; a client passed in by the app is left open. */
  close(): Promise<void>;
}

export type L2Kind = "memory" | "redis" | "redis-cluster" | "upstash";

export interface L2Description {
  kind: L2Kind;
  /** `cluster`, `single` (including a cluster seed that answered with cluster mode off), `rest`, `memory`. */
  mode: "cluster" | "single" | "rest" | "memory";
  /** Human-readable target without credentials, e.g. `127.0.0.1:7000,127.0.0.1:7001`. */
  target: string;
  /** Anything an operator should know, e.g. "cluster support disabled on seed; using single node". */
  note?: string;
}

/** Publish/subscribe as the invalidation bus needs it. */
export interface L2Bus {
  publish(channel: string, message: string): Promise<void>;
  /**
   * Subscribes; `onMessage` gets every payload on `channel`. `onState` reports `up` when the
   * subscription is (re)established and `down` when it drops, so the cache can distrust its L1
   * for the time it may have missed messages. Resolves to an unsubscribe function.
   */
  subscribe(
    channel: string,
    onMessage: (message: string) => void,
    onState?: (state: "up" | "down") => void,
  ): Promise<() => Promise<void>>;
}
