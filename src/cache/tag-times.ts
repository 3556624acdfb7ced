import QuickLRU from "quick-lru";
import { L2_FAILED, type L2Guard } from "./l2-guard.ts";

/** Tag times this instance remembers; beyond it the least recently used is forgotten (and fetched again when needed). */
const MAX_KNOWN = 10_000;
/** Tag times fetched in one `getMany`. */
const FETCH_BATCH = 500;
/** What {@link TagTimes.verdict} answers for an entry older than its namespace's last `clear`. */
export const CLEARED = -1;
const ATTRIBUTES = { "cache.namespace": "*", "cache.operation": "l2.tag_times" };

interface Known {
  /** The latest invalidation known (ms since epoch); 0 for never. */
  at: number;
  /** When `at` was last confirmed by L2 or a bus message; `-Infinity` once distrusted. */
  checkedAt: number;
}

/**
 * When each tag, and each namespace (its `clear`), was last invalidated: one small L2 key per
 * name (`prefix:__tt:<tag>`, `prefix:__ns:<namespace>`) holding a time, cached here for `ttl`
 * and updated at once by bus messages. An entry created at or before a time that applies to it is
 * invalid, so an invalidation costs one write per tag whatever the number of entries, and storage
 * for tags is O(tags).
 *
 * `seq` changes whenever a known time moves forward: an L1 entry checked at the current `seq`
 * needs no check, so an L1 hit compares one integer.
 *
 * @example
 * ```ts
 * const times = new TagTimes("voxedge", guard, () => 5_000, 86_400_000);
 * times.observe("biz:bella", Date.now()); // a bus message or a local invalidation
 * times.timeOf("biz:bella");              // that time
 * ```
 */
export class TagTimes {
  seq = 0;
  private readonly known = new QuickLRU<string, Known>({ maxSize: MAX_KNOWN });
  private readonly fetching = new Map<string, Promise<void>>();
  /** The oldest confirmation among known times; when it is older than the TTL, reads refresh them all. */
  private oldestCheck = Infinity;
  private refreshingAll: Promise<void> | undefined;

  constructor(
    private readonly prefix: string,
    private readonly guard: L2Guard | undefined,
    /** How long a fetched time is trusted: shorter while the bus is down. */
    private readonly ttl: () => number,
    /** How long an invalidation time is kept in L2: longer than any entry it could invalidate lives. */
    readonly retentionMs: number,
    /** Where fetches nobody waits for go, so the cache tracks them (and a Worker keeps them alive). */
    private readonly background: (work: Promise<void>) => void = () => {},
  ) {}

  /** The stamp name of a namespace's `clear`: never a tag (tags do not start with a NUL). */
  static namespaceName(namespace: string): string {
    return `\u0000${namespace}`;
  }

  /** The L2 key that holds the time of `name`. */
  l2Key(name: string): string {
    return name.charCodeAt(0) === 0 ? `${this.prefix}:__ns:${name.slice(1)}` : `${this.prefix}:__tt:${name}`;
  }

  /** The latest known invalidation of `name`, 0 when none is known. Synchronous: the L1 path uses it. */
  timeOf(name: string): number {
    return this.known.get(name)?.at ?? 0;
  }

  /** Records an invalidation time learned now (a local invalidation or a bus message). */
  observe(name: string, at: number): void {
    this.record(name, at, Date.now());
  }

  /** Messages may have been missed (the bus dropped): every time is fetched again before it is relied on. */
  distrust(): void {
    for (const [, known] of this.known) known.checkedAt = -Infinity;
    this.oldestCheck = -Infinity;
  }

  /**
   * Called as an entry read starts, so that what it will need is fetched alongside it: refreshes
   * every known time once the oldest confirmation is older than the TTL, and fetches the names in
   * `own` (a namespace's clear time and default tags) that are not known yet. Does not wait.
   */
  prefetch(own: readonly string[], now: number): void {
    if (this.guard === undefined) return;
    if (now - this.oldestCheck >= this.ttl() && this.refreshingAll === undefined) {
      const names = [...this.known.keys()];
      for (const name of own) if (!this.known.has(name)) names.push(name);
      this.oldestCheck = now;
      const all = this.fetch(names).finally(() => {
        this.refreshingAll = undefined;
      });
      this.refreshingAll = all;
      this.background(all);
      return;
    }
    let missing: string[] | undefined;
    for (const name of own) if (!this.known.has(name) && !this.fetching.has(name)) (missing ??= []).push(name);
    if (missing !== undefined) this.background(this.fetch(missing));
  }

  /** The names among `first` and `rest` whose time is not confirmed within the TTL; `undefined` (no allocation) when all are. */
  unconfirmed(first: string, rest: readonly string[] | undefined, now: number): string[] | undefined {
    if (this.guard === undefined) return undefined;
    const ttl = this.ttl();
    let out: string[] | undefined;
    let known = this.known.get(first);
    if (known === undefined || now - known.checkedAt >= ttl) out = [first];
    if (rest !== undefined) {
      for (const name of rest) {
        known = this.known.get(name);
        if (known === undefined || now - known.checkedAt >= ttl) (out ??= []).push(name);
      }
    }
    return out;
  }

  /** Resolves once every name in `names` was fetched (joining fetches in flight); never rejects. */
  async ensure(names: readonly string[]): Promise<void> {
    let missing: string[] | undefined;
    const waits: Promise<void>[] = [];
    for (const name of names) {
      const inFlight = this.fetching.get(name);
      if (inFlight !== undefined) waits.push(inFlight);
      else (missing ??= []).push(name);
    }
    if (missing !== undefined) waits.push(this.fetch(missing));
    await Promise.all(waits);
  }

  /** The latest known time that applies to an entry with `tags` in the namespace whose clear time is `clearName`. */
  latest(tags: readonly string[] | undefined, clearName: string): number {
    let latest = this.timeOf(clearName);
    if (tags !== undefined) for (const tag of tags) latest = Math.max(latest, this.timeOf(tag));
    return latest;
  }

  /**
   * What the known times say of an entry created at `createdAt` with `tags` in the namespace whose
   * clear time is `clearName`: `CLEARED` (the namespace was cleared since: not an entry any more),
   * else the latest invalidation time of one of its tags at or after its creation, else 0 (valid).
   */
  verdict(createdAt: number, tags: readonly string[] | undefined, clearName: string): number {
    if (createdAt <= this.timeOf(clearName)) return CLEARED;
    if (tags === undefined) return 0;
    let latest = 0;
    for (const tag of tags) {
      const at = this.timeOf(tag);
      if (at >= createdAt && at > latest) latest = at;
    }
    return latest;
  }

  /** Fetches the times of `names` from L2 in batches; a failed batch leaves what was known (and unconfirmed). */
  private fetch(names: readonly string[]): Promise<void> {
    const guard = this.guard;
    if (guard === undefined) return Promise.resolve();
    const run = async () => {
      for (let start = 0; start < names.length; start += FETCH_BATCH) {
        const batch = names.slice(start, start + FETCH_BATCH);
        const texts = await guard.call(ATTRIBUTES, () => guard.adapter.getMany(batch.map((n) => this.l2Key(n))));
        if (texts === L2_FAILED) continue;
        const now = Date.now();
        for (let i = 0; i < batch.length; i++) {
          const at = Number(texts[i] ?? 0);
          this.record(batch[i] as string, Number.isFinite(at) ? at : 0, now);
        }
      }
    };
    const done = run().finally(() => {
      for (const name of names) if (this.fetching.get(name) === done) this.fetching.delete(name);
    });
    for (const name of names) this.fetching.set(name, done);
    return done;
  }

  private record(name: string, at: number, now: number): void {
    const known = this.known.get(name);
    if (known === undefined) {
      this.known.set(name, { at, checkedAt: now });
      if (now < this.oldestCheck) this.oldestCheck = now;
      if (at > 0) this.seq++;
      return;
    }
    known.checkedAt = now;
    if (now < this.oldestCheck) this.oldestCheck = now;
    if (at > known.at) {
      known.at = at;
      this.seq++;
    }
  }
}
