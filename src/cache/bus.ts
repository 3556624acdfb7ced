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
}

interface WireMessage {
  i: string;
  t: number;
  k: BusMessage["kind"];
  n?: string;
  ks?: string[];
  tg?: string[];
}

const MAX_QUEUED = 1_000;
const KINDS = new Set(["del", "exp", "clear", "tags"]);

/**
 * The invalidation bus: every instance publishes what it invalidated and drops the same keys from
 * its own L1 when another instance does. Messages carry the sender's id (its own are ignored) and
 * the time it acted. Publishes that fail wait in a bounded queue and go out when the bus is back.
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
  onMessage(message: BusMessage): void;
  onStateChange(state: "up" | "down"): void;
}) {
  const transport = options.adapter?.bus;
  const instanceId = crypto.randomUUID();
  let state: BusState = transport === undefined ? "off" : "connecting";
  let unsubscribe: (() => Promise<void>) | undefined;
  let closed = false;
  const queue: string[] = [];
  const counts = { sent: 0, received: 0, dropped: 0 };

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
    options.onMessage({ kind: wire.k, namespace: wire.n, keys: wire.ks, tags: wire.tg, sentAt: wire.t });
  }

  async function send(text: string): Promise<void> {
    if (transport === undefined) return;
    try {
      await transport.publish(options.channel, text);
      counts.sent++;
    } catch {
      if (queue.length >= MAX_QUEUED) {
        queue.shift();
        counts.dropped++;
      }
      queue.push(text);
    }
  }

  async function flush(): Promise<void> {
    const waiting = queue.splice(0, queue.length);
    for (const text of waiting) await send(text);
  }

  return {
    instanceId,
    get state(): BusState {
      return state;
    },
    start(): void {
      if (transport === undefined || closed) return;
      transport
        .subscribe(options.channel, receive, (next) => {
          if (closed || next === state) return;
          const wasDown = state === "down";
          state = next;
          if (next === "down" || wasDown) options.onStateChange(next);
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
      void send(JSON.stringify(wire));
    },
    stats() {
      return { state, ...counts };
    },
    async close(): Promise<void> {
      closed = true;
      state = transport === undefined ? "off" : state;
      await unsubscribe?.();
    },
  };
}

export type Bus = ReturnType<typeof createBus>;
