import type { Histogram } from "@opentelemetry/api";
import type { BreakerOptions } from "./breaker.ts";
import { createBus, type Bus } from "./bus.ts";
import type { LocalNamespace } from "./handle.ts";
import { createL2Guard, L2_FAILED, type L2Guard } from "./l2-guard.ts";
import type { L2Adapter } from "./l2/types.ts";
import { createWriteQueue, type QueuedWrite, type WriteQueue, type WriteQueueOptions } from "./write-queue.ts";

/** What the namespaces share with the cache that created them. */
export interface CacheCore {
  readonly guard: L2Guard | undefined;
  /** Bumped whenever L1 may have missed invalidations (the bus dropped); older L1 entries revalidate. */
  epoch: number;
  /** While the bus is down, L1 answers for at most this long before checking L2. */
  l1TtlCap: number;
  readonly compressAbove: number;
  readonly durations: Histogram;
  /** Names this instance in lock values, for operators reading L2. */
  readonly instanceId: string;
  background(work: Promise<unknown>): void;
  publish(kind: "del" | "exp" | "clear", namespace: string, keys?: string[]): void;
  tagKey(tag: string): string;
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
  bus: { enabled?: boolean; l1TtlWhileDown?: number } | undefined;
  writeQueue: WriteQueueOptions | false | undefined;
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
  /** Removes entries carrying any of `tags`, here, in L2 (queued when L2 fails) and on every instance. */
  invalidateTags(tags: readonly string[]): Promise<void>;
}

/**
 * Builds what every namespace shares: the L2 guard (timeout and breaker), the write queue, the
 * invalidation bus and its effect on each instance's L1, background-work tracking, and L2 key
 * layout (`prefix:__tag:…`, `prefix:__lock:…`).
 *
 * @example
 * ```ts
 * const { core, bus } = createCore({ prefix: "voxedge", l2, l2TimeoutMs: 250, breaker: undefined, compressAbove: 2_048,
 *   bus: undefined, writeQueue: undefined, durations, targets: handles });
 * ```
 */
export function createCore(options: CoreOptions): BuiltCore {
  const { prefix, targets } = options;
  const instanceId = crypto.randomUUID();
  const pending = new Set<Promise<unknown>>();
  const l1TtlWhileDown = options.bus?.l1TtlWhileDown ?? 1_000;
  const guard: L2Guard | undefined = options.l2
    ? createL2Guard(options.l2, { timeoutMs: options.l2TimeoutMs, breaker: options.breaker }, options.durations, (state) => {
        // L2 is back: send what waited. Not from inside the call that closed the breaker.
        if (state === "closed") setTimeout(() => void recover(), 0);
      })
    : undefined;
  const writes: WriteQueue | undefined = guard !== undefined && options.writeQueue !== false ? createWriteQueue(options.writeQueue || {}) : undefined;
  const tagKey = (tag: string) => `${prefix}:__tag:${tag}`;

  const core: CacheCore = {
    guard,
    epoch: 0,
    l1TtlCap: Infinity,
    compressAbove: options.compressAbove,
    durations: options.durations,
    instanceId,
    background(work) {
      const tracked = work.catch(() => undefined);
      pending.add(tracked);
      tracked.then(() => pending.delete(tracked));
    },
    publish(kind, namespace, keys) {
      bus.publish({ kind, namespace, keys });
    },
    tagKey,
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
          if (name !== undefined) core.supersede(name, undefined, message.sentAt);
          break;
        case "tags": {
          const tags = new Set(message.tags ?? []);
          for (const t of targets.values()) t.dropTagged(tags);
          supersedeTagged(tags, message.sentAt);
          break;
        }
      }
    },
    onStateChange(state) {
      // Going down: messages are being missed, so every L1 entry checks L2 again at its next use
      // and new ones live at most l1TtlWhileDown. Coming back up: entries filled while down may
      // have missed messages too, so they check L2 again as well. The first `up` needs no bump:
      // entries filled while connecting already live at most l1TtlWhileDown. See `CacheOptions.bus`.
      if (state === "down" || wasDown) core.epoch++;
      if (state === "down") wasDown = true;
      core.l1TtlCap = state === "up" ? Infinity : l1TtlWhileDown;
    },
  });
  // Until the subscription stands, messages can be missed just as while it is down.
  if (bus.state !== "off") core.l1TtlCap = l1TtlWhileDown;

  /** Removes a tag's entries and its member set from L2; `false` when L2 failed any step. */
  async function invalidateTagInL2(l2: L2Guard, tag: string): Promise<boolean> {
    const attributes = { "cache.namespace": "*", "cache.operation": "l2.delete" };
    const key = tagKey(tag);
    const members = await l2.call(attributes, () => l2.adapter.setMembers(key));
    if (members === L2_FAILED) return false;
    if (members.length > 0 && (await l2.call(attributes, () => l2.adapter.deleteMany(members))) === L2_FAILED) return false;
    return (await l2.call(attributes, () => l2.adapter.delete(key))) !== L2_FAILED;
  }

  async function invalidateTags(tags: readonly string[]): Promise<void> {
    if (tags.length === 0) return;
    const at = Date.now();
    const set = new Set(tags);
    for (const target of targets.values()) target.dropTagged(set);
    supersedeTagged(set, at);
    if (guard !== undefined) {
      for (const tag of set) {
        if (await invalidateTagInL2(guard, tag)) continue;
        writes?.add(`t:${tag}`, {
          kind: "tags",
          namespace: undefined,
          key: undefined,
          tags: [tag],
          at,
          replay: async () => {
            if (!(await invalidateTagInL2(guard, tag))) return false;
            bus.publish({ kind: "tags", tags: [tag] });
            return true;
          },
        });
      }
    }
    bus.publish({ kind: "tags", tags: [...set] });
  }

  async function idle(): Promise<void> {
    while (pending.size > 0) await Promise.all([...pending]);
  }

  return { core, bus, writes, idle, recover, invalidateTags };
}
