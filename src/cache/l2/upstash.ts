import { CACHE_DEFAULTS } from "../defaults.ts";
import { CacheConfigError, L2UnavailableError } from "../errors.ts";
import { Redis as UpstashRedis } from "@upstash/redis";
import { l2Error, prefixPattern, ttlMillis } from "./support.ts";
import type { L2Adapter, L2Bus } from "./types.ts";
import { subscribeOverRest } from "./upstash-events.ts";

export type { UpstashRedis };

export interface UpstashL2Options {
  /** REST URL (the product reads it from `UPSTASH_REDIS_REST_URL`). Required unless `client` is given. */
  url?: string;
  /** REST token (the product reads it from `UPSTASH_REDIS_REST_TOKEN`). Required unless `client` is given. */
  token?: string;
  /**
   * An existing client to share. Create it with `automaticDeserialization: false` (otherwise a
   * stored `"123"` comes back as a number). The bus still needs `url` and `token`.
   */
  client?: UpstashRedis;
  /** Bound on every request, retries included. Default {@link CACHE_DEFAULTS.l2TimeoutMs} (250 ms), the cache's own L2 timeout. */
  timeoutMs?: number;
}
/** Keys per SCAN step over REST: one request each, so larger than over TCP. */
const SCAN_COUNT = 1_000;

/**
 * L2 on Upstash Redis over REST, for edge runtimes with no TCP. Every request is bounded by
 * `timeoutMs` (an `AbortSignal.timeout` made per request: a shared signal, once aborted, would
 * make the client answer garbage), retried at most once and only on network errors (the cache's
 * breaker does the rest). Values travel as text and come back as the same strings.
 *
 * Auto-pipelining is off: it batches reads and writes of one tick into separate requests, so a
 * `set` followed in the same tick by a `get` could be answered out of order. Each call here is
 * one request instead; multi-key calls are one explicit pipeline of single-key commands.
 *
 * Error messages name the operation and the server's reason, never a key, a value or the token:
 * the @upstash/redis client puts the whole command in its messages, so every failure is rethrown
 * as an `E_L2_UNAVAILABLE` error with the command echo cut and the call's keys, values and the
 * token redacted (see `l2Error`).
 *
 * @example
 * ```ts
 * const l2 = upstashL2({ url: "https://eu1-example.upstash.io", token });
 * await l2.set("voxedge:kb:bella-pizza:parking", envelope, 900_000);
 * ```
 */
export function upstashL2(options: UpstashL2Options = {}): L2Adapter {
  const timeoutMs = options.timeoutMs ?? CACHE_DEFAULTS.l2TimeoutMs;
  const shared = options.client;
  let owned: UpstashRedis | undefined;
  let closed = false;
  const subscriptions = new Set<() => void>();

  function endpoint(): { url: string; token: string } {
    const { url, token } = options;
    const missing = [!url && "url", !token && "token"].filter(Boolean);
    if (!url || !token) throw new CacheConfigError(`upstash L2 needs ${missing.join(" and ")} (UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN)`);
    return { url: url.replace(/\/+$/, ""), token };
  }

  /** The token (when known) is always among the redacted strings, whatever the operation. */
  function secrets(values: readonly string[]): string[] {
    const token = options.token;
    return token ? [token, ...values] : [...values];
  }

  function client(): UpstashRedis {
    if (closed) throw new L2UnavailableError("upstash L2 is closed");
    if (shared) return shared;
    if (owned === undefined) {
      const { url, token } = endpoint();
      owned = new UpstashRedis({
        url,
        token,
        automaticDeserialization: false,
        enableAutoPipelining: false,
        enableTelemetry: false,
        // One immediate retry covers a pooled connection the server already closed; the per-request
        // signal bounds both attempts together.
        retry: { retries: 1, backoff: () => 0 },
        signal: () => AbortSignal.timeout(timeoutMs),
      });
    }
    return owned;
  }

  async function run<T>(op: string, values: readonly string[], work: (redis: UpstashRedis) => Promise<T>): Promise<T> {
    try {
      return await work(client());
    } catch (error) {
      throw l2Error("upstash", op, error, secrets(values));
    }
  }

  const bus: L2Bus = {
    publish: (channel, message) =>
      run("publish", [message], async (redis) => {
        await redis.publish(channel, message);
      }),

    async subscribe(channel, onMessage, onState) {
      if (closed) throw new L2UnavailableError("upstash L2 is closed");
      let target: { url: string; token: string };
      try {
        target = endpoint();
      } catch (error) {
        throw l2Error("upstash", "subscribe", error, secrets([]));
      }
      const subscription = subscribeOverRest({
        endpoint: () => target,
        channel,
        onMessage,
        onState: (state) => onState?.(state),
        connectTimeoutMs: Math.max(timeoutMs * 4, 2_000),
      });
      subscriptions.add(subscription.stop);
      await subscription.settled;
      return async () => {
        subscriptions.delete(subscription.stop);
        subscription.stop();
      };
    },
  };

  return {
    kind: "upstash",
    bus,

    get: (key) => run("get", [key], (redis) => redis.get<string>(key)),

    getMany(keys) {
      if (keys.length === 0) return Promise.resolve([]);
      return run("getMany", keys, async (redis) => {
        const pipeline = redis.pipeline();
        for (const key of keys) pipeline.get<string>(key);
        return pipeline.exec<(string | null)[]>();
      });
    },

    // TTLs are checked before any I/O; `async` turns a bad TTL into a rejection, not a throw.
    async set(key, value, ttlMs) {
      const px = ttlMillis(ttlMs);
      return run("set", [key, value], async (redis) => {
        await redis.set(key, value, { px });
      });
    },

    async setIfAbsent(key, value, ttlMs) {
      const px = ttlMillis(ttlMs);
      return run("setIfAbsent", [key, value], async (redis) => (await redis.set(key, value, { px, nx: true })) === "OK");
    },

    async increment(key, ttlMs) {
      const px = ttlMillis(ttlMs);
      return run("increment", [key], async (redis) => {
        const count = await redis.incr(key);
        // Only a new counter gets its expiry, so later increments keep the window it started.
        if (count === 1) await redis.pexpire(key, px);
        return count;
      });
    },

    delete: (key) =>
      run("delete", [key], async (redis) => {
        await redis.del(key);
      }),

    deleteMany(keys) {
      if (keys.length === 0) return Promise.resolve();
      return run("deleteMany", keys, async (redis) => {
        await deleteEach(redis, keys);
      });
    },

    deleteByPrefix(prefix) {
      const match = prefixPattern(prefix);
      return run("deleteByPrefix", [prefix], async (redis) => {
        let cursor = "0";
        let deleted = 0;
        do {
          const [next, keys] = (await redis.scan(cursor, { match, count: SCAN_COUNT })) as [string | number, string[]];
          cursor = String(next);
          if (keys.length > 0) deleted += await deleteEach(redis, keys);
        } while (cursor !== "0");
        return deleted;
      });
    },

    ping: () =>
      run("ping", [], async (redis) => {
        await redis.ping();
      }),

    describe() {
      return { kind: "upstash", mode: "rest", target: describeTarget() };
    },

    async close() {
      closed = true;
      for (const stop of subscriptions) stop();
      subscriptions.clear();
      // The REST client holds no connection of its own to close.
      owned = undefined;
    },
  };

  function describeTarget(): string {
    if (shared && !options.url) return "shared upstash client";
    const url = options.url;
    if (!url) return "not configured";
    try {
      return new URL(url).host;
    } catch {
      return "unparseable url";
    }
  }
}

/** Deletes keys with single-key DELs in one pipeline request; returns how many existed. */
async function deleteEach(redis: UpstashRedis, keys: readonly string[]): Promise<number> {
  const pipeline = redis.pipeline();
  for (const key of keys) pipeline.del(key);
  const results = await pipeline.exec<number[]>();
  return results.reduce((sum, n) => sum + Number(n), 0);
}
