/**
 * voxedge's multi-level cache: its public surface, but for the adapters that need a client package
 * (`redis.ts` for Redis and Redis Cluster over TCP, `upstash.ts` for Upstash over REST), which are
 * entries of their own so that loading the cache loads no client it does not use. It imports
 * nothing from the rest of the product and could be published on its own. Namespaces are reached
 * through the `NamespaceHandle` type only: every write and invalidation it offers reaches L2 and
 * the bus.
 *
 * @example
 * ```ts
 * import { createCache, keyOf, normalizeQuestion } from "./src/cache/index.ts";
 * import { redisL2 } from "./src/cache/redis.ts";
 * const cache = createCache({ l2: redisL2({ url: "redis://127.0.0.1:6380" }), namespaces: { knowledge: { ttl: 900_000 } } });
 * const answer = await cache.namespace("knowledge").getOrSet(keyOf("bella-pizza", normalizeQuestion(q)), () => rank(q));
 * ```
 */
export { createCache, type Cache, type CacheOptions, type CacheStats, type CacheHealth } from "./cache.ts";
export type { NamespaceHandle, Loader, LoaderContext, BatchLoader } from "./handle.ts";
export {
  CacheError,
  CacheConfigError,
  L2TimeoutError,
  L2UnavailableError,
  LoaderTimeoutError,
  UndefinedValueError,
  UnknownNamespaceError,
  type CacheErrorCode,
} from "./errors.ts";
export { CACHE_DEFAULTS } from "./defaults.ts";
export { disableCoarseClock } from "./clock.ts";
export type { NamespaceOptions, NamespacePolicy, WriteOptions } from "./policy.ts";
export type { BreakerOptions, BreakerSnapshot, BreakerState } from "./breaker.ts";
export type { BusState } from "./bus.ts";
export type { CacheEvent, CacheEventHandler } from "./events.ts";
export type { WriteQueueOptions, WriteQueueStats } from "./write-queue.ts";
export type { NamespaceCounters, L2ErrorKind } from "./stats.ts";
export type { WarmSpec, WarmOptions, WarmReport } from "./warm.ts";
export { encodeEnvelope, decodeEnvelope, type Envelope } from "./codec.ts";
export { keyOf, normalizeQuestion, hashText, keyedHasher, keyedQuestionHasher, randomKeySecret } from "./keys.ts";
export { cached, cachedMethod, type CachedOptions } from "./wrappers.ts";
export { CACHE_INSTRUMENTS, LATENCY_BUCKETS_SECONDS } from "./instruments.ts";
export { memoryL2, type MemoryL2Options } from "./l2/memory.ts";
// Types only: erased, so they load nothing. The factories are in ./redis.ts and ./upstash.ts.
export type { RedisL2Options, RedisClusterL2Options, UpstashL2Options } from "./l2/index.ts";
export type { L2Adapter, L2Bus, L2Description, L2Kind } from "./l2/types.ts";
