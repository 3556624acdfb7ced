import { unrefTimer } from "./clock.ts";
import type { L2Adapter } from "./l2/types.ts";

/** `up`: subscribed; `down`: the subscription dropped; `connecting`: not yet up; `off`: no bus (L1-only or no pub/sub). */
export type BusState = "up" | "down" | "connecting" | "off";

/** A key-only invalidation; values never travel on the bus. */
export interface BusMessage {
  kind: "del" | "exp" | "clear" | "tags";
  namespace?: string;
  keys?: string[];
  tags?: string[];
  /** When the sender acted; an L1 entry produced after it is newer than the message and is kept. */
  sentAt: number;
  /** `tags` and `clear`: the invalidation time the sender wrote to L2, so receivers need not read it. */
  at?: number;
}

interface WireMessage {
  i: string;
  t: number;
  k: BusMessage["kind"];
  n?: string;
  ks?: string[];
  tg?: string[];
  a?: number;
}

/** Publishes that failed and wait for the bus to be back; beyond this the oldest is dropped (and counted). */
const MAX_QUEUED = 1_000;
/** While publishes wait, how often they are tried again besides reconnects and successful publishes. */
const RETRY_EVERY_MS = 1_000;
const KINDS = new Set(["del", "exp", "clear", "tags"]);

/**
 * The invalidation bus: every instance publishes what it invalidated and drops the same keys from
 * its own L1 when another instance does. Messages carry the sender's id (its own are ignored) and
 * the time it acted (an entry produced after that is newer than the message and is kept).
 *
 * Publishes that fail wait in a queue of at most 1 000 messages (the oldest is dropped beyond it,
 * counted as `dropped`) and are sent again, oldest first, when the subscription comes back up,
 * after any publish that succeeds, when {@link Bus.retry} is called (the cache calls it when its
 * L2 breaker closes) and every second while any wait.
 *
 * `onStateChange` hears every change between `up` and `down`, including the first `up`; the
 * cache turns it into the staleness bound described on `CacheOptions.bus`.
 *
 * @example
 * ```ts
 * const bus = createBus({ adapter: l2, channel: "voxedge:__bus", onMessage: (m) => drop(m), onStateChange: (s) => {} });
 * bus.start();
 * bus.publish({ kind: "del", namespace: "business", keys: ["+15550001111"] });
 * ```
 */
export function createBus(options: {
  adapter: L2Adapter | undefined;
  channel: string;
  /** Marks this instance's messages; a random UUID by default. */
  instanceId?: string;
  /** Publish only: never subscribe, and count as `off` (see `CacheOptions.bus.subscribe`). */
  publishOnly?: boolean;
  /** Told of each publish nobody waits for. */
  background?: (work: Promise<unknown>) => void;
  onMessage(message: BusMessage): void;
  onStateChange(state: "up" | "down"): void;
}) {
  const transport = options.adapter?.bus;
  const instanceId = options.instanceId ?? crypto.randomUUID();
  let state: BusState = transport === undefined || options.publishOnly === true ? "off" : "connecting";
  let unsubscribe: (() => Promise<void>) | undefined;
  let closed = false;
  const queue: string[] = [];
  const counts = { sent: 0, received: 0, dropped: 0 };
  let flushing = false;
  let retryTimer: ReturnType<typeof setInterval> | undefined;

  function receive(raw: string): void {
    let wire: WireMessage;
    try {
      wire = JSON.parse(raw) as WireMessage;
    } catch {
      counts.dropped++;
      return;
    }
    if (typeof wire !== "object" || wire === null || wire.i === instanceId) return;
    if (typeof wire.t !== "number" || !KINDS.has(wire.k)) {
      counts.dropped++;
      return;
    }
    counts.received++;
    options.onMessage({ kind: wire.k, namespace: wire.n, keys: wire.ks, tags: wire.tg, sentAt: wire.t, at: typeof wire.a === "number" ? wire.a : undefined });
  }

  function enqueue(text: string, atFront: boolean): void {
    if (closed) return;
    if (queue.length >= MAX_QUEUED) {
      queue.shift();
      counts.dropped++;
    }
    if (atFront) queue.unshift(text);
    else queue.push(text);
    if (retryTimer === undefined) {
      retryTimer = setInterval(() => {
        if (queue.length === 0 || closed) stopRetrying();
        else void flush();
      }, RETRY_EVERY_MS);
      unrefTimer(retryTimer);
    }
  }

  function stopRetrying(): void {
    if (retryTimer !== undefined) clearInterval(retryTimer);
    retryTimer = undefined;
  }

  async function send(text: string): Promise<void> {
    if (transport === undefined) return;
    try {
      await transport.publish(options.channel, text);
      counts.sent++;
    } catch {
      enqueue(text, false);
      return;
    }
    if (queue.length > 0) void flush();
  }

  /** Sends what waits, oldest first; stops at the first failure and keeps the rest. */
  async function flush(): Promise<void> {
    if (transport === undefined || flushing || closed) return;
    flushing = true;
    try {
      while (queue.length > 0 && !closed) {
        const text = queue.shift() as string;
        try {
          await transport.publish(options.channel, text);
          counts.sent++;
        } catch {
          enqueue(text, true);
          return;
        }
      }
      stopRetrying();
    } finally {
      flushing = false;
    }
  }

  return {
    instanceId,
    get state(): BusState {
      return state;
    },
    start(): void {
      if (transport === undefined || closed || options.publishOnly === true) return;
      transport
        .subscribe(options.channel, receive, (next) => {
          if (closed || next === state) return;
          state = next;
          options.onStateChange(next);
          if (next === "up") void flush();
        })
        .then(
          (stop) => {
            if (closed) void stop();
            else unsubscribe = stop;
          },
          () => {
            if (!closed && state !== "down") {
              state = "down";
              options.onStateChange("down");
            }
          },
        );
    },
    publish(message: Omit<BusMessage, "sentAt">): void {
      if (transport === undefined) return;
      const wire: WireMessage = { i: instanceId, t: Date.now(), k: message.kind };
      if (message.namespace !== undefined) wire.n = message.namespace;
      if (message.keys !== undefined) wire.ks = message.keys;
      if (message.tags !== undefined) wire.tg = message.tags;
      if (message.at !== undefined) wire.a = message.at;
      const sending = send(JSON.stringify(wire));
      options.background?.(sending);
    },
    /** Tries the waiting publishes now (the cache calls it when L2 is back). */
    retry(): Promise<void> {
      return flush();
    },
    /** Publishes waiting to be sent again. */
    get pending(): number {
      return queue.length;
    },
    stats() {
      return { state, ...counts };
    },
    async close(): Promise<void> {
      closed = true;
      stopRetrying();
      state = transport === undefined ? "off" : state;
      await unsubscribe?.();
    },
  };
}

export type Bus = ReturnType<typeof createBus>;
