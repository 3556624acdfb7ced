import { unrefTimer } from "./clock.ts";

/** One L2 write that failed and waits to be tried again. */
export interface QueuedWrite {
  /** `set` writes a value; the others only remove or shorten entries and can never bring one back. */
  kind: "set" | "delete" | "expire" | "tags" | "clear";
  namespace: string | undefined;
  /** The key within the namespace, for `set`, `delete` and `expire`. */
  key: string | undefined;
  /** Tags of a queued `set`, so that a tag invalidation can discard it. */
  tags: readonly string[] | undefined;
  /** When the write was made (ms since epoch); an invalidation sent after it supersedes a queued `set`. */
  at: number;
  /** Tries the write once more: `true` when it is done (or no longer needed), `false` when L2 failed again. */
  replay(): Promise<boolean>;
}

export interface WriteQueueOptions {
  /** Most writes kept; beyond it the oldest is dropped (and counted). Default 5 000. */
  maxEntries?: number;
  /** While writes wait, how often a replay is attempted besides the breaker closing. Default 1 000 ms. */
  retryEveryMs?: number;
}

/** Figures for stats. */
export interface WriteQueueStats {
  /** Writes waiting, including any being replayed right now. */
  pending: number;
  /** Writes replayed successfully. */
  replayed: number;
  /** Writes dropped because the queue was full. */
  dropped: number;
  /** Queued `set`s discarded because an invalidation sent after them arrived first. */
  discarded: number;
}

/** Writes replayed side by side; a `tags` or `clear` replay runs alone so that it cannot overtake a `set`. */
const CONCURRENCY = 8;

/**
 * Keeps the L2 writes that failed while L2 was out (explicit `set`, `delete`, `expire`, tag
 * invalidations and `clear`) and replays them once L2 answers again: when the breaker closes, and
 * every `retryEveryMs` while anything waits.
 *
 * Bounds: at most `maxEntries` writes, newest wins per id (a second write of one key replaces the
 * first), and when full the oldest is dropped and counted. Nothing is kept across restarts.
 *
 * Values produced by loaders are never queued: any instance can produce them again, and replaying
 * one late could bring back a value another instance invalidated meanwhile. A queued `set` is
 * discarded when an invalidation of its key, tag or namespace sent after it arrives, its replay
 * does not overwrite a newer entry already in L2, and a replayed delete leaves alone an entry
 * written after it. Each replay that changes L2 is announced on the bus again, so instances that
 * read the old entry meanwhile drop it.
 *
 * @example
 * ```ts
 * const queue = createWriteQueue({ maxEntries: 5_000 });
 * queue.add(`k:${fullKey}`, { kind: "delete", namespace: "session", key: "CA1", tags: undefined, at: Date.now(), replay: () => tryDelete() });
 * breakerClosed.then(() => queue.flush());
 * ```
 */
export function createWriteQueue(options: WriteQueueOptions = {}) {
  const maxEntries = options.maxEntries ?? 5_000;
  const retryEveryMs = options.retryEveryMs ?? 1_000;
  const entries = new Map<string, QueuedWrite>();
  const counts = { replayed: 0, dropped: 0, discarded: 0 };
  let flushing: Promise<void> | undefined;
  let replaying = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  let closed = false;

  function startTimer(): void {
    if (timer !== undefined || closed) return;
    timer = setInterval(() => {
      if (entries.size === 0) stopTimer();
      else void flush();
    }, retryEveryMs);
    // Waiting writes must never keep a process alive.
    unrefTimer(timer);
  }

  function stopTimer(): void {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  }

  function put(id: string, write: QueuedWrite): void {
    // Delete first so that the newest write of an id also moves to the end of the replay order.
    entries.delete(id);
    entries.set(id, write);
    while (entries.size > maxEntries) {
      const oldest = entries.keys().next().value as string;
      entries.delete(oldest);
      counts.dropped++;
    }
  }

  async function replayOne(id: string, write: QueuedWrite): Promise<boolean> {
    let done: boolean;
    try {
      done = await write.replay();
    } catch {
      done = false;
    }
    replaying--;
    if (done) counts.replayed++;
    // Put it back unless a newer write of the same id arrived while it ran.
    else if (!entries.has(id) && !closed) put(id, write);
    return done;
  }

  async function run(): Promise<void> {
    while (entries.size > 0) {
      const batch: Array<[string, QueuedWrite]> = [];
      for (const [id, write] of entries) {
        const alone = write.kind === "tags" || write.kind === "clear";
        if (alone && batch.length > 0) break;
        batch.push([id, write]);
        if (alone || batch.length >= CONCURRENCY) break;
      }
      for (const [id] of batch) entries.delete(id);
      replaying += batch.length;
      const results = await Promise.all(batch.map(([id, write]) => replayOne(id, write)));
      // L2 failed again: leave the rest for the next attempt instead of hammering it.
      if (results.includes(false)) return;
    }
  }

  function flush(): Promise<void> {
    if (entries.size === 0 || closed) return Promise.resolve();
    flushing ??= run().finally(() => {
      flushing = undefined;
    });
    return flushing;
  }

  return {
    /** Queues a failed write under `id`, replacing an older one with the same id. */
    add(id: string, write: QueuedWrite): void {
      if (closed) return;
      put(id, write);
      startTimer();
    },
    /** Discards the queued `set` under `id` if `superseded` says an invalidation has made it obsolete. */
    discardOne(id: string, superseded: (write: QueuedWrite) => boolean): void {
      const write = entries.get(id);
      if (write !== undefined && write.kind === "set" && superseded(write)) {
        entries.delete(id);
        counts.discarded++;
      }
    },
    /** Discards every queued `set` that `superseded` says an invalidation has made obsolete. */
    discard(superseded: (write: QueuedWrite) => boolean): void {
      for (const [id, write] of entries) {
        if (write.kind === "set" && superseded(write)) {
          entries.delete(id);
          counts.discarded++;
        }
      }
    },
    /** Replays what waits, in order; stops at the first write L2 fails again. */
    flush,
    get size(): number {
      return entries.size;
    },
    stats(): WriteQueueStats {
      return { pending: entries.size + replaying, ...counts };
    },
    /** Stops the retry timer; what still waits is dropped (and counted). */
    close(): void {
      closed = true;
      stopTimer();
      counts.dropped += entries.size;
      entries.clear();
    },
  };
}

export type WriteQueue = ReturnType<typeof createWriteQueue>;
