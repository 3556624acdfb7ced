import type { Attributes } from "@opentelemetry/api";
import { decodeEnvelope, encodeEnvelope, type Envelope } from "./codec.ts";
import type { CacheCore } from "./core.ts";
import { L2_FAILED, type L2Guard } from "./l2-guard.ts";
import type { NamespacePolicy } from "./policy.ts";
import type { NamespaceCounters } from "./stats.ts";

/** The histogram attributes of one namespace's operations, built once. */
export type NamespaceAttributes = Record<"get" | "getMany" | "set" | "delete" | "lock" | "loader", Attributes>;

/** What an L2 read gives: an entry, `undefined` for a miss (or a corrupt entry), or L2_FAILED when L2 is out. */
export type L2Read<V> = Envelope<V> | undefined | typeof L2_FAILED;

/**
 * One namespace's side of L2: reads and decodes entries, writes them with their tag memberships,
 * and queues explicit writes that L2 failed for replay (see write-queue.ts). Every call goes
 * through the cache's guard, so a failure is a value ({@link L2_FAILED}), never an exception.
 *
 * @example
 * ```ts
 * const l2 = new NamespaceL2<string>(policy, core, counters, attrs);
 * const read = await l2.read("q1"); // Envelope | undefined | L2_FAILED
 * ```
 */
export class NamespaceL2<V> {
  /** The guard when this namespace uses L2 at all, else `undefined`. */
  readonly guard: L2Guard | undefined;

  constructor(
    private readonly policy: NamespacePolicy,
    private readonly core: CacheCore,
    private readonly counters: NamespaceCounters,
    private readonly attrs: NamespaceAttributes,
  ) {
    this.guard = policy.useL2 ? core.guard : undefined;
  }

  /** Tells other instances to drop their L1 copies, unless the namespace's copies are too short-lived to need it. */
  announce(kind: "del" | "exp" | "clear", keys?: string[]): void {
    if (this.policy.broadcast) this.core.publish(kind, this.policy.name, keys);
  }

  async read(key: string): Promise<L2Read<V>> {
    const guard = this.guard;
    if (guard === undefined) return undefined;
    const text = await guard.call(this.attrs.get, () => guard.adapter.get(this.policy.keyPrefix + key));
    if (text === L2_FAILED) return L2_FAILED;
    return this.decode(text);
  }

  /** Raw texts for many keys in one batch (one round trip per node on a cluster). */
  readMany(keys: readonly string[]): Promise<(string | null)[] | typeof L2_FAILED> {
    const guard = this.guard;
    if (guard === undefined) return Promise.resolve(L2_FAILED);
    const fullKeys = keys.map((key) => this.policy.keyPrefix + key);
    return guard.call(this.attrs.getMany, () => guard.adapter.getMany(fullKeys));
  }

  decode(text: string | null): Envelope<V> | undefined {
    if (text === null) return undefined;
    const decoded = decodeEnvelope<V>(text);
    if (decoded.ok) return decoded.envelope;
    // Counted here; the next write of the key overwrites it.
    this.counters.corrupt++;
    return undefined;
  }

  /**
   * Writes a new entry; resolves when done. An `explicit` write (`set`) that L2 fails is queued for
   * replay; a loader's value is not (any instance can produce it again).
   */
  async persist(key: string, envelope: Envelope<V>, explicit: boolean): Promise<void> {
    if ((await this.write(key, envelope)) || !explicit) return;
    this.retryLater(key, "set", envelope.createdAt, envelope.tags, () => this.replaySet(key, envelope));
  }

  /** Removes `key` from L2, queueing the delete when L2 fails. */
  async delete(key: string, at: number): Promise<void> {
    const guard = this.guard;
    if (guard === undefined) return;
    if ((await this.deleteOnce(guard, key)) === L2_FAILED) this.retryLater(key, "delete", at, undefined, () => this.replayDelete(key, at));
  }

  /** Expires the L2 entry as of `at`, queueing the change when L2 fails. */
  async expire(key: string, at: number): Promise<void> {
    if (this.guard === undefined || (await this.expireOnce(key, at))) return;
    this.retryLater(key, "expire", at, undefined, async () => {
      const done = await this.expireOnce(key, at);
      if (done) this.announce("exp", [key]);
      return done;
    });
  }

  /** Removes every entry of the namespace from L2, queueing the clear when L2 fails. */
  async clear(at: number): Promise<void> {
    const guard = this.guard;
    if (guard === undefined) return;
    const clearOnce = () => guard.call(this.attrs.delete, () => guard.adapter.deleteByPrefix(this.policy.keyPrefix));
    if ((await clearOnce()) !== L2_FAILED) return;
    this.core.retryLater(`c:${this.policy.keyPrefix}`, {
      kind: "clear",
      namespace: this.policy.name,
      key: undefined,
      tags: undefined,
      at,
      replay: async () => {
        if ((await clearOnce()) === L2_FAILED) return false;
        this.announce("clear");
        return true;
      },
    });
  }

  /** Writes the envelope and its tag memberships; `false` when L2 failed any of it (an unencodable value counts as done). */
  private async write(key: string, envelope: Envelope<V>): Promise<boolean> {
    const guard = this.guard;
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

  private deleteOnce(guard: L2Guard, key: string): Promise<void | typeof L2_FAILED> {
    return guard.call(this.attrs.delete, () => guard.adapter.delete(this.policy.keyPrefix + key));
  }

  /** Queued writes of a key are filed under `k:<its L2 key>`, so that a newer one of the key replaces them. */
  private retryLater(key: string, kind: "set" | "delete" | "expire", at: number, tags: readonly string[] | undefined, replay: () => Promise<boolean>): void {
    this.core.retryLater(`k:${this.policy.keyPrefix}${key}`, { kind, namespace: this.policy.name, key, tags, at, replay });
  }

  /** A queued `set`: written unless it has expired meanwhile or L2 holds a newer entry. */
  private async replaySet(key: string, envelope: Envelope<V>): Promise<boolean> {
    if (Date.now() >= envelope.staleUntil) return true;
    const current = await this.read(key);
    if (current === L2_FAILED) return false;
    if (current !== undefined && current.createdAt > envelope.createdAt) return true;
    if (!(await this.write(key, envelope))) return false;
    // Instances that read L2 while the write waited may hold the older value.
    this.announce("del", [key]);
    return true;
  }

  /** A queued `delete`: done unless L2 now holds an entry written after it. */
  private async replayDelete(key: string, at: number): Promise<boolean> {
    const guard = this.guard;
    if (guard === undefined) return true;
    const current = await this.read(key);
    if (current === L2_FAILED) return false;
    if (current !== undefined && current.createdAt > at) return true;
    if ((await this.deleteOnce(guard, key)) === L2_FAILED) return false;
    this.announce("del", [key]);
    return true;
  }

  /** Expires the L2 entry as of `at` (an entry written after `at` is left alone); `false` when L2 failed. */
  private async expireOnce(key: string, at: number): Promise<boolean> {
    const guard = this.guard;
    if (guard === undefined) return true;
    const envelope = await this.read(key);
    if (envelope === L2_FAILED) return false;
    if (envelope === undefined || envelope.createdAt > at || envelope.expiresAt <= at) return true;
    if (envelope.staleUntil <= Date.now()) return (await this.deleteOnce(guard, key)) !== L2_FAILED;
    return this.write(key, { ...envelope, expiresAt: at });
  }
}
