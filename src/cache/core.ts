import type { Histogram } from "@opentelemetry/api";
import type { BreakerOptions } from "./breaker.ts";
import { createBus, type Bus } from "./bus.ts";
import type { LocalNamespace } from "./handle.ts";
import { emitter, type CacheEventHandler } from "./events.ts";
import { createL2Guard, L2_FAILED, type L2Guard } from "./l2-guard.ts";
import type { L2Adapter } from "./l2/types.ts";
import { TagTimes } from "./tag-times.ts";
import { createWriteQueue, type QueuedWrite, type WriteQueue, type WriteQueueOptions } from "./write-queue.ts";

/** What the namespaces share with the cache that created them. */
export interface CacheCore {
  readonly guard: L2Guard | undefined;
  /** Bumped whenever L1 may have missed invalidations (the bus dropped); older L1 entries revalidate. */
  epoch: number;
  /** While the bus is down, L1 answers for at most this long before checking L2. */
  l1TtlCap: number;
  /** The bus is subscribed now: every instance's invalidations reach this L1 as they happen (see `NamespaceOptions.l1TtlWhileBusUp`). */
  busUp: boolean;
  /**
   * The time of a tag invalidation or clear made now: never before an entry this instance stored,
   * so that "created at or before" orders a store and an invalidation made in the same millisecond.
   */
  invalidationTime(): number;
  /** The latest creation time this instance gave an entry (see {@link invalidationTime}). */
  newestCreated: number;
  readonly compressAbove: number;
  readonly durations: Histogram;
  /** Names this instance in lock values, for operators reading L2. */
  readonly instanceId: string;
  background(work: Promise<unknown>): void;
  /** `at`: when a `clear` happened, so receivers record the namespace's clear time without asking L2. */
  publish(kind: "del" | "exp" | "clear", namespace: string, keys?: string[], at?: number): void;
  /** When each tag and each namespace's `clear` was last invalidated (see tag-times.ts). */
  readonly tagTimes: TagTimes;
  /**
   * Writes an invalidation time to L2; `false` when L2 failed. `replay`: a queued write sent late,
   * which leaves a later time another instance wrote meanwhile in place.
   */
  writeTime(name: string, at: number, replay?: boolean): Promise<boolean>;
  /** The L2 key of the distributed lock for `key` of `namespace` (outside the namespace's key prefix). */
  lockKey(namespace: string, key: string): string;
  /** Keeps an explicit write that L2 failed, to replay it once L2 answers again. */
  retryLater(id: string, write: QueuedWrite): void;
  /** Discards queued `set`s of `namespace` (only `keys`, when given) made before `at`: an invalidation superseded them. */
  supersede(namespace: string, keys: readonly string[] | undefined, at: number): void;
}

export interface CoreOptions {
  prefix: string;
  l2: L2Adapter | undefined;
  l2TimeoutMs: number | undefined;
  breaker: BreakerOptions | undefined;
  compressAbove: number;
  bus: { enabled?: boolean; l1TtlWhileDown?: number; subscribe?: boolean } | undefined;
  /** How long a tag time read from L2 is trusted while the bus is up (capped at `l1TtlWhileDown` while it is not). */
  tagTimesTtl: number;
  /** How long tag times are kept in L2: longer than the longest-lived entry. */
  tagRetentionMs: number;
  /** Told of breaker and bus transitions. */
  onEvent: CacheEventHandler | undefined;
  writeQueue: WriteQueueOptions | false | undefined;
  /** Also told of each background promise (see `CacheOptions.background`). */
  background: ((work: Promise<unknown>) => void) | undefined;
  durations: Histogram;
  /** The namespaces, filled in after the core is built (they need it); the bus reaches them through this. */
  targets: ReadonlyMap<string, LocalNamespace<unknown>>;
}

/** The core and the machinery behind it that the cache's own operations use. */
export interface BuiltCore {
  core: CacheCore;
  bus: Bus;
  writes: WriteQueue | undefined;
  /** Resolves when background work started so far has settled. */
  idle(): Promise<void>;
  /** Replays waiting writes and retries the bus: L2 answers again. */
  recover(): Promise<void>;
  /** Records that entries carrying any of `tags` are invalid from now on: here, in L2 (queued when L2 fails) and on every instance. */
  invalidateTags(tags: readonly string[]): Promise<void>;
}

/**
 * Builds what every namespace shares: the L2 guard (timeout and breaker), the write queue, the
 * invalidation bus and its effect on each instance's L1, the tag times, background-work tracking,
 * and L2 key layout (`prefix:__tt:…` tag times, `prefix:__ns:…` clear times, `prefix:__lock:…`).
 *
 * @example
 * ```ts
 * const { core, bus } = createCore({ prefix: "voxedge", l2, l2TimeoutMs: 250, breaker: undefined, compressAbove: 2_048,
 *   bus: undefined, tagTimesTtl: 5_000, tagRetentionMs: 86_400_000, onEvent: undefined, writeQueue: undefined,
 *   durations, targets: handles });
 * ```
 */
export function createCore(options: CoreOptions): BuiltCore {
  const { prefix, targets } = options;
  const instanceId = crypto.randomUUID();
  const pending = new Set<Promise<unknown>>();
  const l1TtlWhileDown = options.bus?.l1TtlWhileDown ?? 1_000;
  const emit = emitter(options.onEvent);
  const l2Kind = options.l2?.kind ?? "memory";
  const guard: L2Guard | undefined = options.l2
    ? createL2Guard(options.l2, { timeoutMs: options.l2TimeoutMs, breaker: options.breaker }, options.durations, (state) => {
        emit({ type: "breaker", state, l2: l2Kind });
        // L2 is back: send what waited. Not from inside the call that closed the breaker.
        if (state === "closed") core.background(new Promise((resolve) => setTimeout(resolve, 0)).then(recover));
      }, replaySoon)
    : undefined;
  const writes: WriteQueue | undefined = guard !== undefined && options.writeQueue !== false ? createWriteQueue(options.writeQueue || {}) : undefined;
  const timeAttributes = { "cache.namespace": "*", "cache.operation": "l2.set" };
  // While the bus is not up, messages may be missed: a fetched time is trusted no longer than an L1 entry.
  const tagTimes = new TagTimes(prefix, guard, () => Math.min(options.tagTimesTtl, core.l1TtlCap), options.tagRetentionMs, (work) => core.background(work));

  const core: CacheCore = {
    guard,
    epoch: 0,
    l1TtlCap: Infinity,
    busUp: false,
    newestCreated: 0,
    invalidationTime: () => Math.max(Date.now(), core.newestCreated),
    compressAbove: options.compressAbove,
    durations: options.durations,
    instanceId,
    background(work) {
      const tracked = work.catch(() => undefined);
      pending.add(tracked);
      tracked.then(() => pending.delete(tracked));
      options.background?.(tracked);
    },
    publish(kind, namespace, keys, at) {
      bus.publish({ kind, namespace, keys, at });
    },
    tagTimes,
    async writeTime(name, at, replay) {
      if (guard === undefined) return true;
      if (replay === true) {
        const current = await guard.call(timeAttributes, () => guard.adapter.get(tagTimes.l2Key(name)));
        if (current === L2_FAILED) return false;
        if (Number(current ?? 0) >= at) return true;
      }
      const wrote = await guard.call(timeAttributes, () => guard.adapter.set(tagTimes.l2Key(name), String(at), tagTimes.retentionMs));
      return wrote !== L2_FAILED;
    },
    lockKey: (namespace, key) => `${prefix}:__lock:${namespace}:${key}`,
    retryLater(id, write) {
      writes?.add(id, write);
    },
    supersede(namespace, keys, at) {
      if (writes === undefined || writes.size === 0) return;
      const older = (w: QueuedWrite) => w.at <= at;
      // Queued writes of a key are filed under `k:<its L2 key>` (see NamespaceL2).
      if (keys !== undefined) for (const key of keys) writes.discardOne(`k:${prefix}:${namespace}:${key}`, older);
      else writes.discard((w) => w.namespace === namespace && older(w));
    },
  };

  // L2 answered: writes that wait are replayed now, at most once a second, not only by the queue's
  // timer (on Cloudflare Workers a timer dies with the request that set it).
  let lastReplay = 0;
  function replaySoon(): void {
    if (writes === undefined || writes.size === 0) return;
    const now = Date.now();
    if (now - lastReplay < 1_000) return;
    lastReplay = now;
    core.background(Promise.resolve().then(() => writes.flush()));
  }

  function supersedeTagged(tags: ReadonlySet<string>, at: number): void {
    if (writes === undefined || writes.size === 0) return;
    writes.discard((w) => w.at <= at && w.tags !== undefined && w.tags.some((t) => tags.has(t)));
  }

  async function recover(): Promise<void> {
    await writes?.flush();
    await bus.retry();
  }

  let wasDown = false;
  const bus = createBus({
    adapter: options.bus?.enabled === false ? undefined : options.l2,
    publishOnly: options.bus?.subscribe === false,
    background: (work) => core.background(work),
    channel: `${prefix}:__bus`,
    instanceId,
    onMessage(message) {
      const name = message.namespace;
      const target = name === undefined ? undefined : targets.get(name);
      const now = Date.now();
      switch (message.kind) {
        case "del":
          for (const key of message.keys ?? []) target?.dropLocal(key, message.sentAt);
          if (name !== undefined) core.supersede(name, message.keys ?? [], message.sentAt);
          break;
        case "exp":
          for (const key of message.keys ?? []) target?.expireLocal(key, now, message.sentAt);
          if (name !== undefined) core.supersede(name, message.keys ?? [], message.sentAt);
          break;
        case "clear":
          target?.clearLocal();
          if (name !== undefined) {
            tagTimes.observe(TagTimes.namespaceName(name), message.at ?? message.sentAt);
            core.supersede(name, undefined, message.sentAt);
          }
          break;
        case "tags": {
          // The time travels with the message: no L2 round trip to learn it.
          const tags = new Set(message.tags ?? []);
          for (const tag of tags) tagTimes.observe(tag, message.at ?? message.sentAt);
          supersedeTagged(tags, message.sentAt);
          break;
        }
      }
    },
    onStateChange(state) {
      emit({ type: "bus", state, l2: l2Kind });
      // Going down: messages are being missed, so every L1 entry checks L2 again at its next use
      // and new ones live at most l1TtlWhileDown. Coming back up: entries filled while down may
      // have missed messages too, so they check L2 again as well. The first `up` needs no bump:
      // entries filled while connecting already live at most l1TtlWhileDown. See `CacheOptions.bus`.
      if (state === "down" || wasDown) {
        core.epoch++;
        tagTimes.distrust();
      }
      if (state === "down") wasDown = true;
      core.l1TtlCap = state === "up" ? Infinity : l1TtlWhileDown;
      core.busUp = state === "up";
      for (const target of targets.values()) target.busChanged();
    },
  });
  // Until the subscription stands, messages can be missed just as while it is down.
  if (bus.state !== "off") core.l1TtlCap = l1TtlWhileDown;

  async function invalidateTags(tags: readonly string[]): Promise<void> {
    if (tags.length === 0) return;
    const at = core.invalidationTime();
    const set = new Set(tags);
    for (const tag of set) tagTimes.observe(tag, at);
    supersedeTagged(set, at);
    if (guard !== undefined) {
      const written = await Promise.all([...set].map((tag) => core.writeTime(tag, at)));
      [...set].forEach((tag, i) => {
        if (written[i] === true) return;
        writes?.add(`t:${tag}`, {
          kind: "tags",
          namespace: undefined,
          key: undefined,
          tags: [tag],
          at,
          replay: async () => {
            if (!(await core.writeTime(tag, at, true))) return false;
            bus.publish({ kind: "tags", tags: [tag], at });
            return true;
          },
        });
      });
    }
    bus.publish({ kind: "tags", tags: [...set], at });
  }

  async function idle(): Promise<void> {
    while (pending.size > 0) await Promise.all([...pending]);
  }

  return { core, bus, writes, idle, recover, invalidateTags };
}
