import { L2UnavailableError } from "../errors.ts";
import type { Redis } from "ioredis";
import { l2Error } from "./support.ts";
import type { L2Bus, L2Kind } from "./types.ts";

export interface IoredisBusConfig {
  kind: L2Kind;
  /** Publishes through the main client (on a cluster, PUBLISH reaches every node). */
  publish(channel: string, message: string): Promise<unknown>;
  /**
   * Opens a fresh subscriber connection for attempt number `attempt` (0, 1, …). It must be lazy
   * and must not reconnect by itself (`retryStrategy: null`): the bus decides where to reconnect,
   * which lets a cluster bus move to another node when the one it listened on is gone.
   */
  openSubscriber(attempt: number): Redis;
  /** How long `subscribe` waits for the first connection attempt before resolving anyway. */
  firstAttemptWaitMs: number;
}

interface Subscription {
  onMessage: (message: string) => void;
  onState: ((state: "up" | "down") => void) | undefined;
  reported: "up" | "down" | undefined;
}

/** Bus for ioredis-backed adapters; `close` ends the subscriber connection. */
export interface IoredisBus extends L2Bus {
  close(): void;
}

/**
 * The invalidation bus over Redis pub/sub: PUBLISH on the main client, SUBSCRIBE on one separate
 * connection that is opened on the first subscribe and reopened (with backoff) whenever it drops.
 * `up` is reported only after SUBSCRIBE has been answered on the new connection, so the cache
 * never believes it is listening while it is not.
 *
 * `subscribe` never fails because the server is down: it reports `down`, keeps retrying in the
 * background and reports `up` once the subscription stands.
 *
 * @example
 * ```ts
 * const bus = ioredisBus({ kind: "redis", publish: (c, m) => client.publish(c, m),
 *   openSubscriber: () => client.duplicate({ lazyConnect: true, retryStrategy: null }), firstAttemptWaitMs: 1000 });
 * const stop = await bus.subscribe("voxedge:bus", (m) => console.log(m), (s) => console.log(s));
 * ```
 */
export function ioredisBus(config: IoredisBusConfig): IoredisBus {
  const channels = new Map<string, Set<Subscription>>();
  let connection: Redis | undefined;
  /** Channels SUBSCRIBE has been answered for on `connection`. */
  let subscribed = new Set<string>();
  let up = false;
  let attempt = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  let attemptSettled: Promise<void> = Promise.resolve();
  let settleAttempt: () => void = () => {};

  function report(sub: Subscription, state: "up" | "down"): void {
    if (sub.reported === state) return;
    sub.reported = state;
    try {
      sub.onState?.(state);
    } catch {
      // A throwing state callback must not break the connection handling of the others.
    }
  }

  function reportAll(state: "up" | "down"): void {
    for (const subs of channels.values()) for (const sub of subs) report(sub, state);
  }

  function dispatch(channel: string, message: string): void {
    const subs = channels.get(channel);
    if (subs === undefined) return;
    for (const sub of [...subs]) {
      try {
        sub.onMessage(message);
      } catch {
        // One failing subscriber must not stop delivery to the others.
      }
    }
  }

  /** Subscribes every wanted channel not yet subscribed on `conn`; loops because callers may add channels meanwhile. */
  async function syncChannels(conn: Redis): Promise<void> {
    for (;;) {
      const missing = [...channels.keys()].filter((channel) => !subscribed.has(channel));
      if (missing.length === 0) return;
      await conn.subscribe(...missing);
      if (conn !== connection) return;
      for (const channel of missing) subscribed.add(channel);
    }
  }

  function connect(): void {
    if (closed || connection !== undefined || channels.size === 0) return;
    const conn = config.openSubscriber(attempt++);
    connection = conn;
    subscribed = new Set();
    attemptSettled = new Promise((resolve) => {
      settleAttempt = resolve;
    });
    const settle = settleAttempt;

    conn.on("error", () => {
      // Errors are followed by `end`, which is where reconnecting happens.
    });
    conn.on("message", (channel: string, message: string) => dispatch(channel, message));
    conn.once("ready", () => {
      syncChannels(conn).then(
        () => {
          if (conn !== connection) return;
          up = true;
          attempt = 0;
          reportAll("up");
          settle();
        },
        () => conn.disconnect(),
      );
    });
    conn.once("end", () => {
      if (conn !== connection) return;
      connection = undefined;
      up = false;
      // Also tells a subscriber that never saw `up` that it is not listening yet.
      reportAll("down");
      settle();
      scheduleReconnect();
    });
    conn.connect().catch(() => {
      // Surfaces as `end`, handled above.
    });
  }

  function scheduleReconnect(): void {
    if (closed || channels.size === 0 || retryTimer !== undefined) return;
    const delay = Math.min(100 * 2 ** Math.min(attempt, 5), 2_000) + Math.floor(Math.random() * 50);
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      connect();
    }, delay);
    (retryTimer as { unref?: () => void }).unref?.();
  }

  function disconnect(): void {
    if (retryTimer !== undefined) clearTimeout(retryTimer);
    retryTimer = undefined;
    const conn = connection;
    connection = undefined;
    up = false;
    settleAttempt();
    conn?.disconnect();
  }

  return {
    async publish(channel, message) {
      try {
        await config.publish(channel, message);
      } catch (error) {
        throw l2Error(config.kind, "publish", error, [message]);
      }
    },

    async subscribe(channel, onMessage, onState) {
      if (closed) throw new L2UnavailableError(`${config.kind} L2 is closed`);
      const sub: Subscription = { onMessage, onState, reported: undefined };
      let subs = channels.get(channel);
      if (subs === undefined) {
        subs = new Set();
        channels.set(channel, subs);
      }
      subs.add(sub);

      if (connection === undefined && retryTimer === undefined) connect();
      if (up && connection !== undefined) {
        const conn = connection;
        try {
          await syncChannels(conn);
          if (conn === connection && up) report(sub, "up");
        } catch {
          // The connection is failing; `end` follows and the reconnect subscribes this channel too.
          conn.disconnect();
        }
      } else {
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([
          attemptSettled,
          new Promise<void>((resolve) => {
            timer = setTimeout(resolve, config.firstAttemptWaitMs);
          }),
        ]);
        clearTimeout(timer);
        if (sub.reported === undefined) report(sub, up ? "up" : "down");
      }

      return async () => {
        const current = channels.get(channel);
        if (current === undefined || !current.delete(sub)) return;
        if (current.size > 0) return;
        channels.delete(channel);
        if (channels.size === 0) {
          disconnect();
          return;
        }
        const conn = connection;
        if (conn !== undefined && subscribed.delete(channel)) await conn.unsubscribe(channel).catch(() => {});
      };
    },

    close() {
      closed = true;
      channels.clear();
      disconnect();
    },
  };
}
