import type { Envelope } from "./codec.ts";
import type { CacheCore } from "./core.ts";
import { LoaderTimeoutError, rejectUndefined } from "./errors.ts";
import type { L1Store } from "./l1.ts";
import type { BatchLoader, Loader, LoaderContext } from "./handle.ts";
import type { NamespaceAttributes } from "./namespace-l2.ts";
import { mergeTags, type NamespacePolicy, type WriteOptions } from "./policy.ts";
import type { NamespaceCounters } from "./stats.ts";

/** Stores a produced value in L1 and L2; resolves when the L2 write is done. */
export type StoreValue<V> = (key: string, value: V, ttl: number, grace: number, tags: readonly string[] | undefined, explicit: boolean) => Promise<void>;



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
 * Runs one namespace's loaders: the hard timeout (the loader's `signal` aborts and the caller gets
 * a {@link LoaderTimeoutError}), and with a stale value at hand, grace (a failing loader answers
 * with the stale value, served for the fail-safe backoff) and the soft timeout (a slow loader is
 * answered for by the stale value and refreshes the entry when it finishes).
 *
 * @example
 * ```ts
 * const runner = new LoaderRunner(policy, core, counters, attrs, l1, store);
 * const value = await runner.run("q1", loader, undefined, staleEnvelope);
 * ```
 */
export class LoaderRunner<V> {
  constructor(
    private readonly policy: NamespacePolicy,
    private readonly core: CacheCore,
    private readonly counters: NamespaceCounters,
    private readonly attrs: NamespaceAttributes,
    private readonly l1: L1Store<V>,
    private readonly store: StoreValue<V>,
  ) {}

  /** Runs the loader with grace and the soft timeout around it. */
  run(key: string, loader: Loader<V>, options: WriteOptions | undefined, stale: Envelope<V> | undefined): Promise<V> {
    return this.withFallback(key, this.produce(key, loader, options, stale?.value, false), stale);
  }

  /** Adds grace and the soft timeout to a running loader: a stale value answers when it fails or is slow. */
  withFallback(key: string, produced: Promise<V>, stale: Envelope<V> | undefined): Promise<V> {
    const policy = this.policy;
    if (stale === undefined) {
      return produced.catch((error: unknown) => {
        this.counters.loaderErrors++;
        throw error;
      });
    }
    const withFallback = produced.catch(() => {
      this.counters.loaderErrors++;
      return this.l1.serveStale(key, stale).value;
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
  async produce(key: string, loader: Loader<V>, options: WriteOptions | undefined, staleValue: V | undefined, awaitL2 = false): Promise<V> {
    const policy = this.policy;
    // One per load (a miss), never shared: Cloudflare Workers refuses an AbortController at global
    // scope, and a signal made during one request cannot be used for I/O in another.
    const controller = new AbortController();
    const context = new Context<V>(key, controller.signal, staleValue, policy, options);
    const started = performance.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let value: V;
    try {
      let work: Promise<V> = Promise.resolve().then(() => loader(context));
      if (policy.hardTimeout > 0) {
        const hard = new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            const error = new LoaderTimeoutError(policy.name, policy.hardTimeout);
            controller.abort(error);
            reject(error);
          }, policy.hardTimeout);
        });
        work = Promise.race([work, hard]);
      }
      value = await work;
      rejectUndefined(value, policy.name);
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

  /**
   * Runs a batch loader once for `keys` and stores each value it returns in the background; a
   * failure rejects (there is no stale value to fall back to for a batch).
   */
  async produceMany(keys: string[], batchLoader: BatchLoader<V>, options: WriteOptions | undefined): Promise<ReadonlyArray<V | undefined>> {
    const started = performance.now();
    let loaded: ReadonlyArray<V | undefined>;
    try {
      loaded = await batchLoader(keys);
    } catch (error) {
      this.counters.loaderErrors++;
      throw error;
    } finally {
      this.core.durations.record((performance.now() - started) / 1000, this.attrs.loader);
    }
    const { ttl, grace } = this.policy;
    const tags = mergeTags(this.policy.tags, options?.tags);
    for (let j = 0; j < keys.length; j++) {
      const value = loaded[j];
      if (value === undefined) continue;
      this.counters.loaderHits++;
      this.core.background(this.store(keys[j] as string, value, options?.ttl ?? ttl, options?.grace ?? grace, tags, false));
    }
    return loaded;
  }
}
