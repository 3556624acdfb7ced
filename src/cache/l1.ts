import QuickLRU from "quick-lru";
import type { Envelope } from "./codec.ts";
import type { CacheCore } from "./core.ts";
import type { NamespacePolicy } from "./policy.ts";
import type { NamespaceCounters } from "./stats.ts";
import { CLEARED, TagTimes } from "./tag-times.ts";

/** An L1 entry: the envelope plus what the read path needs to answer without asking L2. */
export interface L1Entry<V> extends Envelope<V> {
  /** L1 answers without asking L2 until then (min of expiry and L1 TTL). */
  freshUntil: number;
  /** A hit after this starts one background refresh; `Infinity` for never. */
  refreshAt: number;
  epoch: number;
  /** The tag times' `seq` this entry was last checked against; -1 until its first use. */
  checkedSeq: number;
  /** The value as an already-resolved promise, made on first hit and reused: the hit path allocates nothing. */
  promise: Promise<V> | undefined;
}

/**
 * One namespace's L1: the LRU of entries and the record of invalidations that lets an L2 read in
 * flight during an invalidation answer its callers without staying in L1.
 *
 * Invalidations are numbered (`dropSeq`); `dropped` holds the number and time of each key's
 * latest one, oldest first, and `droppedAllSeq` the latest that may have hit any key (clear).
 * Tag invalidations need no record here: an entry read from L2 is checked against the tag times.
 * Keys are forgotten once no L2 read can still be in flight from before their invalidation.
 *
 * @example
 * ```ts
 * const l1 = new L1Store<string>(policy, core, counters);
 * const asked = l1.dropSeq;          // before an L2 read
 * const entry = l1.fromL2(key, envelope, asked);
 * ```
 */
export class L1Store<V> {
  readonly lru: QuickLRU<string, L1Entry<V>>;
  dropSeq = 0;
  private readonly dropped = new Map<string, { seq: number; at: number }>();
  private droppedAllSeq = 0;
  /** The `dropSeq` of the bus's latest change: an L2 read asked before it may have missed messages. */
  private busChangedSeq = 0;
  private readonly dropMemoryMs: number;
  /** The tag-times name of this namespace's `clear`. */
  readonly clearName: string;

  constructor(
    private readonly policy: NamespacePolicy,
    private readonly core: CacheCore,
    private readonly counters: NamespaceCounters,
  ) {
    this.lru = new QuickLRU<string, L1Entry<V>>({
      maxSize: policy.l1MaxEntries,
      onEviction: () => {
        counters.l1Evictions++;
      },
    });
    this.dropMemoryMs = Math.max(1_000, 2 * (core.guard?.timeoutMs ?? 0));
    this.clearName = TagTimes.namespaceName(policy.name);
  }

  /** The entry if it may answer now without L2 (fresh, from the current epoch, not invalidated by a tag or clear); counts nothing. */
  fresh(key: string, entry: L1Entry<V> | undefined, now: number): entry is L1Entry<V> {
    return (
      entry !== undefined &&
      now < entry.freshUntil &&
      entry.epoch === this.core.epoch &&
      (entry.checkedSeq === this.core.tagTimes.seq || this.settle(key, entry) !== undefined) &&
      now < entry.freshUntil
    );
  }

  /**
   * Applies the tag and clear times that moved since `entry` was last checked (a few Map reads,
   * and only after some time moved): an entry older than its namespace's last `clear` is removed
   * (`undefined`); one older than an invalidation of one of its tags is expired as of it, kept for grace.
   */
  settle(key: string, entry: L1Entry<V>): L1Entry<V> | undefined {
    const times = this.core.tagTimes;
    if (entry.checkedSeq === times.seq) return entry;
    entry.checkedSeq = times.seq;
    const verdict = times.verdict(entry.createdAt, entry.tags, this.clearName);
    if (verdict === CLEARED) {
      // Dead for anyone still holding it: neither fresh nor stale.
      entry.expiresAt = entry.staleUntil = entry.freshUntil = 0;
      entry.refreshAt = Infinity;
      if (this.lru.peek(key) === entry) this.lru.delete(key);
      return undefined;
    }
    if (verdict > 0) {
      entry.expiresAt = Math.min(entry.expiresAt, verdict);
      entry.freshUntil = 0;
      entry.refreshAt = Infinity;
    }
    return entry;
  }

  /**
   * Takes a fresh L2 entry, read when `dropSeq` was `asked`, into L1. A newer L1 entry (written here
   * while the read was in flight) wins; an entry whose key was invalidated while the read was in
   * flight answers this once but is not kept.
   */
  fromL2(key: string, envelope: Envelope<V>, asked: number): L1Entry<V> {
    this.counters.l2Hits++;
    const now = Date.now();
    const current = this.lru.peek(key);
    if (current !== undefined && current.createdAt > envelope.createdAt && now < current.expiresAt) return current;
    if (this.droppedAllSeq > asked || (this.dropped.get(key)?.seq ?? 0) > asked) {
      return { ...this.entryFrom(envelope, now), freshUntil: 0, refreshAt: Infinity };
    }
    return this.fill(key, envelope, now, this.busChangedSeq <= asked);
  }

  /** L2 could not be asked: keep answering from an entry that is fresh by its logical TTL, or stale within grace when `allowStale`. */
  fallback(key: string, found: L1Entry<V> | undefined, allowStale: boolean): L1Entry<V> | undefined {
    const entry = found === undefined ? undefined : this.settle(key, found);
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
  serveStale(key: string, stale: Envelope<V>): L1Entry<V> {
    this.counters.staleServed++;
    return this.rearm(key, stale, Date.now());
  }

  /** `heard`: no bus message can have been missed since the value was read or made (see {@link busChanged}). */
  fill(key: string, envelope: Envelope<V>, now: number, heard = true): L1Entry<V> {
    const entry = this.entryFrom(envelope, now, heard);
    this.lru.set(key, entry);
    return entry;
  }

  private rearm(key: string, envelope: Envelope<V>, now: number): L1Entry<V> {
    const entry: L1Entry<V> = {
      ...this.entryFrom(envelope, now),
      freshUntil: Math.min(now + this.policy.failSafeBackoff, Math.max(envelope.staleUntil, envelope.expiresAt)),
      refreshAt: Infinity,
    };
    this.lru.set(key, entry);
    return entry;
  }

  /**
   * An L1 entry for `envelope` filled at `now`, fresh for the L1 TTL: `l1TtlWhileBusUp` while the
   * bus is up (a drop bumps the epoch, which ends it early), capped while the bus is not.
   */
  private entryFrom(envelope: Envelope<V>, now: number, heard = false): L1Entry<V> {
    const { eagerRefresh, l1Ttl } = this.policy;
    const span = heard && this.core.busUp ? this.policy.l1TtlWhileBusUp : Math.min(l1Ttl, this.core.l1TtlCap);
    return {
      value: envelope.value,
      createdAt: envelope.createdAt,
      expiresAt: envelope.expiresAt,
      staleUntil: envelope.staleUntil,
      tags: envelope.tags,
      // With l1Ttl 0 the copy never answers on its own: not even a coarse clock a millisecond late may let it.
      freshUntil: l1Ttl === 0 ? 0 : Math.min(envelope.expiresAt, now + span),
      refreshAt: eagerRefresh === Infinity ? Infinity : envelope.createdAt + eagerRefresh * (envelope.expiresAt - envelope.createdAt),
      epoch: this.core.epoch,
      checkedSeq: -1,
      promise: undefined,
    };
  }

  // ——— invalidations, local to this instance ———

  /** Removes `key` and numbers the invalidation. */
  delete(key: string): void {
    this.lru.delete(key);
    this.markDropped(key);
  }

  /** Drops `key` unless the entry was produced after `sentAt` (a newer value than the message knew of). */
  dropLocal(key: string, sentAt = Infinity): void {
    this.markDropped(key);
    const entry = this.lru.peek(key);
    if (entry !== undefined && entry.createdAt <= sentAt) this.lru.delete(key);
  }

  /** Marks `key` expired as of `now` but keeps it for its grace period, unless produced after `sentAt`. */
  expireLocal(key: string, now: number, sentAt = Infinity): void {
    this.markDropped(key);
    const entry = this.lru.peek(key);
    if (entry === undefined || entry.createdAt > sentAt) return;
    if (entry.staleUntil <= now) this.lru.delete(key);
    else this.lru.set(key, { ...entry, expiresAt: Math.min(entry.expiresAt, now), freshUntil: 0, refreshAt: Infinity, promise: undefined });
  }

  /** The bus went up or down: L2 reads in flight now bring entries that keep only `l1Ttl` (capped while down). */
  busChanged(): void {
    this.busChangedSeq = ++this.dropSeq;
  }

  clear(): void {
    this.droppedAllSeq = ++this.dropSeq;
    this.lru.clear();
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
}
