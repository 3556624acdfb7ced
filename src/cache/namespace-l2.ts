import type { Attributes } from "@opentelemetry/api";
import { decodeEnvelope, encodeEnvelope, type Envelope } from "./codec.ts";
import type { CacheCore } from "./core.ts";
import { L2_FAILED, type L2Guard } from "./l2-guard.ts";
import type { NamespacePolicy } from "./policy.ts";
import type { NamespaceCounters } from "./stats.ts";
import { CLEARED, TagTimes } from "./tag-times.ts";

/** The histogram attributes of one namespace's operations, built once. */
export type NamespaceAttributes = Record<"get" | "getMany" | "set" | "delete" | "lock" | "loader", Attributes>;

/** What an L2 read gives: an entry, `undefined` for a miss (or a corrupt entry), or L2_FAILED when L2 is out. */
export type L2Read<V> = Envelope<V> | undefined | typeof L2_FAILED;

/**
 * One namespace's side of L2: reads and decodes entries and checks them against the tag and clear
 * times (fetched alongside the read when not known fresh), writes them, and queues explicit writes
 * that L2 failed for replay (see write-queue.ts). Every call goes
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
  private readonly times: TagTimes;
  private readonly clearName: string;
  /** Tag-time names every entry of the namespace depends on: its clear time and its default tags. */
  private readonly ownNames: readonly string[];

  constructor(
    private readonly policy: NamespacePolicy,
    private readonly core: CacheCore,
    private readonly counters: NamespaceCounters,
    private readonly attrs: NamespaceAttributes,
  ) {
    this.guard = policy.useL2 ? core.guard : undefined;
    this.times = core.tagTimes;
    this.clearName = TagTimes.namespaceName(policy.name);
    this.ownNames = [this.clearName, ...(policy.tags ?? [])];
  }

  /** Tells other instances to drop their L1 copies, unless the namespace's copies are too short-lived to need it. */
  announce(kind: "del" | "exp" | "clear", keys?: string[], at?: number): void {
    if (this.policy.broadcast) this.core.publish(kind, this.policy.name, keys, at);
  }

  /** The entry at `key`, checked against the tag and clear times: usually one round trip, the times being known. */
  async read(key: string): Promise<L2Read<V>> {
    const guard = this.guard;
    if (guard === undefined) return undefined;
    this.times.prefetch(this.ownNames, Date.now());
    const text = await guard.call(this.attrs.get, () => guard.adapter.get(this.policy.keyPrefix + key));
    if (text === L2_FAILED) return L2_FAILED;
    const envelope = this.decode(text);
    if (envelope === undefined) return undefined;
    const unconfirmed = this.times.unconfirmed(this.clearName, envelope.tags, Date.now());
    if (unconfirmed !== undefined) await this.times.ensure(unconfirmed);
    return this.judge(envelope);
  }

  /** Entries for many keys in one batch (one round trip per node on a cluster), checked like {@link read}. */
  async readMany(keys: readonly string[]): Promise<(Envelope<V> | undefined)[] | typeof L2_FAILED> {
    const guard = this.guard;
    if (guard === undefined) return L2_FAILED;
    const fullKeys = keys.map((key) => this.policy.keyPrefix + key);
    this.times.prefetch(this.ownNames, Date.now());
    const texts = await guard.call(this.attrs.getMany, () => guard.adapter.getMany(fullKeys));
    if (texts === L2_FAILED) return L2_FAILED;
    const envelopes = texts.map((text) => this.decode(text ?? null));
    const now = Date.now();
    const unconfirmed = new Set<string>();
    for (const envelope of envelopes) {
      if (envelope !== undefined) for (const name of this.times.unconfirmed(this.clearName, envelope.tags, now) ?? []) unconfirmed.add(name);
    }
    if (unconfirmed.size > 0) await this.times.ensure([...unconfirmed]);
    return envelopes.map((envelope) => (envelope === undefined ? undefined : this.judge(envelope)));
  }

  /** Applies the known times: an entry older than the last `clear` is a miss; one older than an invalidation of its tags is expired as of it. */
  private judge(envelope: Envelope<V>): Envelope<V> | undefined {
    const verdict = this.times.verdict(envelope.createdAt, envelope.tags, this.clearName);
    if (verdict === CLEARED) return undefined;
    if (verdict > 0 && verdict < envelope.expiresAt) envelope.expiresAt = verdict;
    return envelope;
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

  /**
   * Clears the namespace in L2 by writing its clear time: one key, whatever the number of entries
   * or masters (no SCAN); older entries read after it are misses and expire by their own TTL.
   * Queued when L2 fails.
   */
  async clear(at: number): Promise<void> {
    const guard = this.guard;
    if (guard === undefined) return;
    if (await this.core.writeTime(this.clearName, at)) return;
    this.core.retryLater(`c:${this.policy.keyPrefix}`, {
      kind: "clear",
      namespace: this.policy.name,
      key: undefined,
      tags: undefined,
      at,
      replay: async () => {
        if (!(await this.core.writeTime(this.clearName, at, true))) return false;
        this.announce("clear", undefined, at);
        return true;
      },
    });
  }

  /** Writes the envelope (its tags travel inside it: nothing else is written); `false` when L2 failed (an unencodable value counts as done). */
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
    return wrote !== L2_FAILED;
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
