import { sleep } from "./clock.ts";
import type { Envelope } from "./codec.ts";
import type { CacheCore } from "./core.ts";
import type { L1Entry, L1Store } from "./l1.ts";
import { L2_FAILED, type L2Guard } from "./l2-guard.ts";
import type { Loader } from "./handle.ts";
import type { LoaderRunner } from "./loader.ts";
import type { NamespaceAttributes, NamespaceL2 } from "./namespace-l2.ts";
import type { NamespacePolicy, WriteOptions } from "./policy.ts";
import type { NamespaceCounters } from "./stats.ts";

/** Polling for another instance's value under a distributed lock: first delay, and the most between two polls. */
const LOCK_POLL_FIRST_MS = 10;
const LOCK_POLL_MAX_MS = 100;

/**
 * Distributed single flight for one namespace: a short lock in L2 per key, so that N instances
 * missing one key together run its loader once. A lock that cannot be asked for (L2 out) never
 * holds anyone up.
 *
 * @example
 * ```ts
 * const lock = new DistributedLock(policy, core, counters, attrs, guard, { ttl: 5_000, wait: 1_000 }, l1, l2, runner);
 * const value = await lock.load("q1", loader, undefined, stale);
 * ```
 */
export class DistributedLock<V> {
  constructor(
    private readonly policy: NamespacePolicy,
    private readonly core: CacheCore,
    private readonly counters: NamespaceCounters,
    private readonly attrs: NamespaceAttributes,
    private readonly guard: L2Guard,
    private readonly options: { readonly ttl: number; readonly wait: number },
    private readonly l1: L1Store<V>,
    private readonly l2: NamespaceL2<V>,
    private readonly runner: LoaderRunner<V>,
  ) {}

  /** Takes the lock of `key`: `true` when taken, `false` when another instance holds it, L2_FAILED when L2 is out. */
  acquire(key: string): Promise<boolean | typeof L2_FAILED> {
    const guard = this.guard;
    const lockKey = this.core.lockKey(this.policy.name, key);
    return guard.call(this.attrs.lock, () => guard.adapter.setIfAbsent(lockKey, this.core.instanceId, this.options.ttl));
  }

  release(key: string): Promise<unknown> {
    const guard = this.guard;
    const lockKey = this.core.lockKey(this.policy.name, key);
    return guard.call(this.attrs.lock, () => guard.adapter.delete(lockKey));
  }

  /**
   * The instance that takes the lock runs the loader and writes L2 before letting go; the others
   * poll L2 for its value until `wait` passes and then run the loader themselves.
   */
  async load(key: string, loader: Loader<V>, options: WriteOptions | undefined, stale: Envelope<V> | undefined): Promise<V> {
    const deadline = Date.now() + this.options.wait;
    for (let attempt = 0; ; attempt++) {
      const acquired = await this.acquire(key);
      if (acquired === L2_FAILED) break;
      if (acquired) {
        const produced = this.runner.produce(key, loader, options, stale?.value, true);
        this.core.background(produced.finally(() => this.release(key)));
        return this.runner.withFallback(key, produced, stale);
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        this.counters.lockTimeouts++;
        break;
      }
      await sleep(Math.min(left, LOCK_POLL_FIRST_MS * 2 ** Math.min(attempt, 4), LOCK_POLL_MAX_MS));
      const asked = this.l1.dropSeq;
      const polled = await this.l2.read(key);
      if (polled === L2_FAILED) break;
      if (polled !== undefined && Date.now() < polled.expiresAt) {
        this.counters.lockWaits++;
        return this.l1.fromL2(key, polled, asked).value;
      }
    }
    return this.runner.run(key, loader, options, stale);
  }

  /**
   * An eager refresh under the lock: the holder reloads and writes L2 before letting go; when
   * another instance holds it, the current value stays and L2 is looked at again after `wait`.
   */
  async refresh(key: string, entry: L1Entry<V>, loader: Loader<V>, options: WriteOptions | undefined): Promise<V> {
    const acquired = await this.acquire(key);
    if (acquired === false) {
      // Another instance is refreshing: look at L2 again once it has had time to write.
      entry.refreshAt = Date.now() + this.options.wait;
      return entry.value;
    }
    if (acquired === L2_FAILED) return this.runner.produce(key, loader, options, entry.value);
    try {
      return await this.runner.produce(key, loader, options, entry.value, true);
    } finally {
      this.core.background(this.release(key));
    }
  }
}
