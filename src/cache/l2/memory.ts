import { L2UnavailableError } from "../errors.ts";
import { ttlMillis } from "./support.ts";
import type { L2Adapter, L2Bus, L2Description } from "./types.ts";

export interface MemoryL2Options {
  /** Upper bound on stored keys (strings and sets); the oldest writes are evicted first. Default 100 000. */
  maxEntries?: number;
  /** How often expired keys are swept in the background. Default 30 000 ms. */
  sweepIntervalMs?: number;
}

interface Entry {
  value: string;
  expiresAt: number;
}

type Listener = (message: string) => void;

/**
 * An in-process L2: a Map with per-key expiry, sets, prefix delete and an in-process bus. It is
 * the embedded default for a single instance, and it lets tests run two caches against one shared
 * store in one process (both see each other's bus messages, as two servers on one Redis would).
 *
 * Expired keys are dropped when read and by an occasional sweep whose timer never keeps the
 * process alive. Writes beyond `maxEntries` evict the oldest-written keys.
 *
 * @example
 * ```ts
 * const shared = memoryL2();
 * const a = createCache({ l2: shared, ... });
 * const b = createCache({ l2: shared, ... }); // b's L1 hears a's invalidations
 * ```
 */
export function memoryL2(options: MemoryL2Options = {}): L2Adapter {
  const maxEntries = Math.max(1, options.maxEntries ?? 100_000);
  const sweepIntervalMs = Math.max(1_000, options.sweepIntervalMs ?? 30_000);
  const entries = new Map<string, Entry>();
  const channels = new Map<string, Set<Listener>>();
  let sweepTimer: ReturnType<typeof setInterval> | undefined;
  let closed = false;

  function live(key: string, now = Date.now()): Entry | undefined {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  }

  function store(key: string, entry: Entry): void {
    // Re-inserting moves the key to the end, so Map order is write order and eviction takes the oldest.
    entries.delete(key);
    entries.set(key, entry);
    if (entries.size > maxEntries) evict();
    startSweeping();
  }

  function evict(): void {
    sweep();
    for (const key of entries.keys()) {
      if (entries.size <= maxEntries) break;
      entries.delete(key);
    }
  }

  function sweep(): void {
    const now = Date.now();
    for (const [key, entry] of entries) if (entry.expiresAt <= now) entries.delete(key);
  }

  function startSweeping(): void {
    if (sweepTimer !== undefined || closed) return;
    sweepTimer = setInterval(sweep, sweepIntervalMs);
    // The sweep is housekeeping: it must never be the reason a process stays up.
    (sweepTimer as { unref?: () => void }).unref?.();
  }

  function assertOpen(): void {
    if (closed) throw new L2UnavailableError("memory L2 is closed");
  }

  const bus: L2Bus = {
    async publish(channel, message) {
      assertOpen();
      const listeners = channels.get(channel);
      if (listeners === undefined) return;
      // Delivered on a later microtask, like a network bus: a publisher never runs its
      // subscribers' code inside its own call.
      for (const listener of [...listeners]) {
        queueMicrotask(() => {
          try {
            listener(message);
          } catch {
            // One failing subscriber must not stop delivery to the others.
          }
        });
      }
    },
    async subscribe(channel, onMessage, onState) {
      assertOpen();
      let listeners = channels.get(channel);
      if (listeners === undefined) {
        listeners = new Set();
        channels.set(channel, listeners);
      }
      // A wrapper per subscription, so subscribing the same function twice unsubscribes independently.
      const listener: Listener = (message) => onMessage(message);
      listeners.add(listener);
      onState?.("up");
      return async () => {
        const current = channels.get(channel);
        current?.delete(listener);
        if (current?.size === 0) channels.delete(channel);
      };
    },
  };

  const description: L2Description = { kind: "memory", mode: "memory", target: "in-process" };

  return {
    kind: "memory",
    bus,

    async get(key) {
      assertOpen();
      const entry = live(key);
      return entry === undefined ? null : entry.value;
    },

    async getMany(keys) {
      assertOpen();
      const now = Date.now();
      return keys.map((key) => {
        const entry = live(key, now);
        return entry === undefined ? null : entry.value;
      });
    },

    async set(key, value, ttlMs) {
      assertOpen();
      store(key, { value, expiresAt: Date.now() + ttlMillis(ttlMs) });
    },

    async setIfAbsent(key, value, ttlMs) {
      assertOpen();
      const expiresAt = Date.now() + ttlMillis(ttlMs);
      if (live(key) !== undefined) return false;
      store(key, { value, expiresAt });
      return true;
    },

    async increment(key, ttlMs) {
      assertOpen();
      const entry = live(key);
      const count = (entry === undefined ? 0 : Number.parseInt(entry.value, 10) || 0) + 1;
      store(key, { value: String(count), expiresAt: entry?.expiresAt ?? Date.now() + ttlMillis(ttlMs) });
      return count;
    },

    async delete(key) {
      assertOpen();
      entries.delete(key);
    },

    async deleteMany(keys) {
      assertOpen();
      for (const key of keys) entries.delete(key);
    },

    async deleteByPrefix(prefix) {
      assertOpen();
      const now = Date.now();
      let deleted = 0;
      for (const [key, entry] of entries) {
        if (!key.startsWith(prefix)) continue;
        entries.delete(key);
        if (entry.expiresAt > now) deleted++;
      }
      return deleted;
    },


    async ping() {
      assertOpen();
    },

    describe() {
      return { ...description };
    },

    async close() {
      closed = true;
      if (sweepTimer !== undefined) clearInterval(sweepTimer);
      sweepTimer = undefined;
      entries.clear();
      channels.clear();
    },
  };
}
