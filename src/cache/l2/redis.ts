import { L2UnavailableError } from "../errors.ts";
import { Redis } from "ioredis";
import { ioredisBus } from "./ioredis-bus.ts";
import {
  assertNoKeyPrefix,
  connectTimeoutFor,
  DEFAULT_COMMAND_TIMEOUT_MS,
  describeClient,
  describeRedisUrl,
  ioredisAdapter,
  singleNodeOptions,
} from "./ioredis-shared.ts";
import type { L2Adapter, L2Description, L2Kind } from "./types.ts";

export interface RedisL2Options {
  /** `redis://[user:pass@]host:port[/db]` or `rediss://…`. Default `redis://127.0.0.1:6379`. */
  url?: string;
  /** An existing ioredis client to share; the adapter never closes it. Must not have `keyPrefix`. */
  client?: Redis;
  /** Bound on every command, including ones queued while (re)connecting. Default 250 ms. */
  commandTimeoutMs?: number;
  /** Not supported: the cache builds prefixed keys itself, and SCAN would not see a client prefix. */
  keyPrefix?: never;
}

/**
 * L2 on one Redis node through ioredis. The client is created on first use (lazy connect, auto
 * pipelining, a short command timeout and one retry per request) so a dead server makes calls
 * fail fast instead of hanging; the cache's breaker does the rest. The bus publishes on the main
 * client and listens on its own subscriber connection.
 *
 * @example
 * ```ts
 * const l2 = redisL2({ url: "redis://10.0.0.5:6379" });
 * await l2.set("voxedge:business:+15550001111", envelope, 60_000);
 * // sharing an app-wide client:
 * const shared = redisL2({ client: appRedis });
 * ```
 */
export function redisL2(options: RedisL2Options = {}): L2Adapter {
  const url = options.url ?? "redis://127.0.0.1:6379";
  const description: L2Description = {
    kind: "redis",
    mode: "single",
    target: options.client ? describeClient(options.client) : describeRedisUrl(url),
  };
  return singleNodeAdapter({
    kind: "redis",
    client: options.client,
    url,
    commandTimeoutMs: options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
    description,
  });
}

/** What `singleNodeAdapter` builds from; the cluster adapter reuses it for a seed with cluster mode off. */
export interface SingleNodeConfig {
  kind: L2Kind;
  /** A client to share (left open on close); otherwise one is created from `url`, or `connect`. */
  client?: Redis | undefined;
  url?: string;
  /** Host and port when there is no URL (a cluster seed). */
  connect?: { host: string; port: number };
  commandTimeoutMs: number;
  description: L2Description;
}

/**
 * An L2 adapter over one Redis node. Exported for the cluster adapter's fallback; apps use
 * `redisL2`.
 */
export function singleNodeAdapter(config: SingleNodeConfig): L2Adapter {
  const { kind, commandTimeoutMs } = config;
  assertNoKeyPrefix(config.client?.options, kind);
  const shared = config.client;
  let owned: Redis | undefined;
  let closed = false;

  function client(): Redis {
    if (shared) return shared;
    if (closed) throw new L2UnavailableError(`${kind} L2 is closed`);
    if (owned === undefined) {
      const options = singleNodeOptions(commandTimeoutMs);
      owned = config.connect
        ? new Redis({ ...options, host: config.connect.host, port: config.connect.port })
        : new Redis(config.url ?? "redis://127.0.0.1:6379", options);
      // Connection errors are retried by ioredis and surface as failed calls; the listener only
      // keeps them from being reported as unhandled.
      owned.on("error", () => {});
    }
    return owned;
  }

  const bus = ioredisBus({
    kind,
    publish: (channel, message) => client().publish(channel, message),
    openSubscriber: () =>
      client().duplicate({
        lazyConnect: true,
        retryStrategy: null,
        enableAutoPipelining: false,
        commandTimeout: commandTimeoutMs,
        connectTimeout: connectTimeoutFor(commandTimeoutMs),
      }),
    firstAttemptWaitMs: connectTimeoutFor(commandTimeoutMs),
  });

  return ioredisAdapter({
    kind,
    topology: "single",
    client: async () => client(),
    describe: () => ({ ...config.description }),
    bus,
    async close() {
      closed = true;
      bus.close();
      const mine = owned;
      owned = undefined;
      if (mine === undefined) return;
      // QUIT lets pending replies arrive; a dead server must not hold shutdown, so fall back to a hard close.
      await mine.quit().catch(() => mine.disconnect());
    },
  });
}
