/**
 * Builds the L2 adapter the validated configuration asks for. The environment is read and checked
 * once, by `src/config.ts`; this only turns `CACHE_L2` and its companions into an adapter, with the
 * same `CACHE_L2_TIMEOUT_MS` for the adapter's own timeout as for the cache's guard. The adapter
 * chosen is the only one loaded: ioredis and `@upstash/redis` are imported by the case that needs
 * them, so a memory-only server never pays for them at start-up.
 */
import { memoryL2, type L2Adapter } from "./cache/index.ts";
import { ConfigError, type Config } from "./config.ts";

/** The part of {@link Config} that picks and shapes the L2. */
export type L2Config = Pick<Config, "CACHE_L2" | "CACHE_L2_TIMEOUT_MS" | "REDIS_URL" | "REDIS_CLUSTER_NODES" | "UPSTASH_REDIS_REST_URL" | "UPSTASH_REDIS_REST_TOKEN">;

/**
 * `memory` (the default), `redis` + `REDIS_URL`, `redis-cluster` + `REDIS_CLUSTER_NODES`, `upstash`
 * + `UPSTASH_REDIS_REST_URL` + `UPSTASH_REDIS_REST_TOKEN`, or `none` (L1 only: `undefined`).
 * Nothing connects here; the promise waits only for the adapter's module. `loadConfig` has
 * already reported any missing variable; a config built by hand without one gets the same
 * {@link ConfigError}.
 *
 * @example
 * ```ts
 * const config = loadConfig(process.env);
 * const l2 = await l2FromConfig(config); // e.g. a redis-cluster adapter for CACHE_L2=redis-cluster
 * const cache = createCache({ l2, l2TimeoutMs: config.CACHE_L2_TIMEOUT_MS, namespaces });
 * ```
 */
export async function l2FromConfig(config: L2Config): Promise<L2Adapter | undefined> {
  const timeoutMs = config.CACHE_L2_TIMEOUT_MS;
  switch (config.CACHE_L2) {
    case "none":
      return undefined;
    case "memory":
      return memoryL2();
    case "redis": {
      const url = required(config.REDIS_URL, "REDIS_URL", "redis");
      const { redisL2 } = await import("./cache/redis.ts");
      return redisL2({ url, commandTimeoutMs: timeoutMs });
    }
    case "redis-cluster": {
      const nodes = required(config.REDIS_CLUSTER_NODES, "REDIS_CLUSTER_NODES", "redis-cluster");
      const { redisClusterL2 } = await import("./cache/redis.ts");
      return redisClusterL2({ nodes, commandTimeoutMs: timeoutMs });
    }
    case "upstash": {
      const url = required(config.UPSTASH_REDIS_REST_URL, "UPSTASH_REDIS_REST_URL", "upstash");
      const token = required(config.UPSTASH_REDIS_REST_TOKEN, "UPSTASH_REDIS_REST_TOKEN", "upstash");
      const { upstashL2 } = await import("./cache/upstash.ts");
      return upstashL2({ url, token, timeoutMs });
    }
  }
}

function required<T>(value: T | undefined, name: string, choice: string): T {
  if (value === undefined) throw new ConfigError([`${name}: is required when CACHE_L2=${choice}`]);
  return value;
}
