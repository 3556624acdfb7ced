import type { Cluster, Redis, RedisOptions } from "ioredis";
import { CACHE_DEFAULTS } from "../defaults.ts";
import { CacheConfigError } from "../errors.ts";
import { l2Error, prefixPattern, ttlMillis } from "./support.ts";
import type { L2Adapter, L2Bus, L2Description, L2Kind } from "./types.ts";

/** A dead server must never hold a call for long: the cache's breaker takes over after a few of these. */
export const DEFAULT_COMMAND_TIMEOUT_MS = CACHE_DEFAULTS.l2TimeoutMs;

/** Keys per SCAN step and per UNLINK: large enough to be quick, small enough not to stall the server. */
const SCAN_BATCH = 500;

/** Reconnect delays for the main connection: quick at first, never more than 2 s apart. */
export function reconnectDelay(attempt: number): number {
  return Math.min(50 * 2 ** Math.min(attempt, 10), 2_000);
}

/**
 * Connection options for a single-node client the adapter creates: lazy, bounded and quiet.
 * The offline queue stays on (commands issued while connecting are sent once ready), but every
 * queued command still rejects after `commandTimeoutMs`.
 */
export function singleNodeOptions(commandTimeoutMs: number): RedisOptions {
  return {
    lazyConnect: true,
    commandTimeout: commandTimeoutMs,
    connectTimeout: connectTimeoutFor(commandTimeoutMs),
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    enableAutoPipelining: true,
    retryStrategy: reconnectDelay,
  };
}

/** How long a TCP connect may take: longer than one command, short enough for a startup probe. */
export function connectTimeoutFor(commandTimeoutMs: number): number {
  return Math.max(1_000, commandTimeoutMs * 4);
}

/** `host:port` (plus `/db` when not 0) from a Redis URL, with any credentials left out. */
export function describeRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const db = parsed.pathname.replace(/^\//, "");
    return `${parsed.hostname}:${parsed.port || "6379"}${db && db !== "0" ? `/${db}` : ""}`;
  } catch {
    return "unparseable redis url";
  }
}

/** `host:port` of a client that was passed in (its options never include the password here). */
export function describeClient(client: Redis): string {
  const { host, port, path, db } = client.options;
  if (path) return path;
  return `${host ?? "localhost"}:${port ?? 6379}${db ? `/${db}` : ""}`;
}

/**
 * Parses `host:port` (IPv6 as `[::1]:7000`).
 *
 * @example
 * ```ts
 * parseHostPort("127.0.0.1:7000") // { host: "127.0.0.1", port: 7000 }
 * ```
 */
export function parseHostPort(node: string): { host: string; port: number } {
  const match = /^\[?([^\]]*?)\]?:(\d{1,5})$/.exec(node.trim());
  const port = match ? Number(match[2]) : Number.NaN;
  if (!match || !match[1] || port < 1 || port > 65_535) throw new CacheConfigError(`expected host:port, got "${node}"`);
  return { host: match[1], port };
}

/** Throws when an app passes a client whose `keyPrefix` would double-prefix SCAN results. */
export function assertNoKeyPrefix(options: { keyPrefix?: string | undefined } | undefined, kind: L2Kind): void {
  if (options?.keyPrefix) {
    throw new CacheConfigError(`${kind} L2: the passed client has keyPrefix set; key prefixes belong to the cache, not the client`);
  }
}

/** What an ioredis-backed adapter needs to know about the client it drives. */
export interface IoredisAdapterConfig {
  kind: L2Kind;
  /** Returns the client to use, creating or connecting it on first use. */
  client(): Promise<Redis | Cluster>;
  /** `single` may use MGET and multi-key UNLINK; `cluster` sends single-key commands only. */
  topology: "single" | "cluster";
  /** Cluster mode: the connections SCAN runs on (every master). */
  scanNodes?: (client: Cluster) => Promise<Redis[]>;
  /** An outer bound per call, for waits no command timeout covers (a cluster that is not ready yet). */
  deadlineMs?: number;
  describe(): L2Description;
  bus: L2Bus;
  close(): Promise<void>;
}

/**
 * The L2 operations over an ioredis client, shared by the single-node and cluster adapters.
 * Every error is rethrown as an `L2UnavailableError` whose message names the operation, never a value.
 */
export function ioredisAdapter(config: IoredisAdapterConfig): L2Adapter {
  const { kind, topology, deadlineMs } = config;

  async function run<T>(op: string, secrets: readonly string[], work: (client: Redis | Cluster) => Promise<T>): Promise<T> {
    try {
      const call = config.client().then(work);
      return deadlineMs === undefined ? await call : await withDeadline(call, deadlineMs);
    } catch (error) {
      throw l2Error(kind, op, error, secrets);
    }
  }

  return {
    kind,
    bus: config.bus,
    describe: config.describe,
    close: config.close,

    get: (key) => run("get", [], (client) => client.get(key)),

    getMany(keys) {
      if (keys.length === 0) return Promise.resolve([]);
      return run("getMany", [], (client) =>
        topology === "single" ? client.mget(...keys) : Promise.all(keys.map((key) => client.get(key))),
      );
    },

    // TTLs are checked before any I/O; `async` turns a bad TTL into a rejection, not a throw.
    async set(key, value, ttlMs) {
      const ttl = ttlMillis(ttlMs);
      return run("set", [value], async (client) => {
        await client.set(key, value, "PX", ttl);
      });
    },

    async setIfAbsent(key, value, ttlMs) {
      const ttl = ttlMillis(ttlMs);
      return run("setIfAbsent", [value], async (client) => (await client.set(key, value, "PX", ttl, "NX")) === "OK");
    },

    async increment(key, ttlMs) {
      const ttl = ttlMillis(ttlMs);
      return run("increment", [], async (client) => {
        // One key, so one slot: the pipeline is one round trip on a cluster too. NX keeps the first expiry.
        const results = await client.pipeline().incr(key).pexpire(key, ttl, "NX").exec();
        const [incrError, count] = results?.[0] ?? [new Error("no reply")];
        if (incrError) throw incrError;
        return Number(count);
      });
    },

    delete: (key) =>
      run("delete", [], async (client) => {
        await client.unlink(key);
      }),

    deleteMany(keys) {
      if (keys.length === 0) return Promise.resolve();
      return run("deleteMany", [], async (client) => {
        if (topology === "single") {
          for (let i = 0; i < keys.length; i += SCAN_BATCH) await client.unlink(...keys.slice(i, i + SCAN_BATCH));
        } else {
          await Promise.all(keys.map((key) => client.unlink(key)));
        }
      });
    },

    deleteByPrefix(prefix) {
      const pattern = prefixPattern(prefix);
      // No outer deadline: a large prefix takes many steps, and each step has its own command timeout.
      return (async () => {
        try {
          const client = await config.client();
          if (topology === "single") return await scanAndUnlink(client as Redis, pattern, (keys) => client.unlink(...keys));
          const nodes = (await config.scanNodes?.(client as Cluster)) ?? [];
          if (nodes.length === 0) throw new Error("no master nodes known");
          // Deletes go through the cluster client, so each key reaches the master that owns its slot now.
          const counts = await Promise.all(
            nodes.map((node) =>
              scanAndUnlink(node, pattern, async (keys) => {
                const results = await Promise.all(keys.map((key) => client.unlink(key)));
                return results.reduce((sum, n) => sum + n, 0);
              }),
            ),
          );
          return counts.reduce((sum, n) => sum + n, 0);
        } catch (error) {
          throw l2Error(kind, "deleteByPrefix", error);
        }
      })();
    },

    ping: () =>
      run("ping", [], async (client) => {
        await client.ping();
      }),
  };
}

async function scanAndUnlink(node: Redis, pattern: string, unlink: (keys: string[]) => Promise<number>): Promise<number> {
  let cursor = "0";
  let deleted = 0;
  do {
    const [next, keys] = await node.scan(cursor, "MATCH", pattern, "COUNT", SCAN_BATCH);
    cursor = next;
    if (keys.length > 0) deleted += await unlink(keys);
  } while (cursor !== "0");
  return deleted;
}

/**
 * Rejects when `work` has not settled within `ms`. The work itself is not cancelled (ioredis
 * cannot take a command back); the caller just stops waiting for it.
 */
export function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
