/**
 * The L2 adapters: one factory per backend, each returning a plain object that implements
 * `L2Adapter`, plus `l2FromEnv` to pick one from `CACHE_L2`.
 *
 * @example
 * ```ts
 * import { l2FromEnv, memoryL2 } from "./l2/index.ts";
 * const l2 = l2FromEnv(process.env);              // undefined when CACHE_L2=none
 * const forTests = memoryL2({ maxEntries: 1_000 });
 * ```
 */
export { memoryL2 } from "./memory.ts";
export type { MemoryL2Options } from "./memory.ts";
export { redisL2 } from "./redis.ts";
export type { RedisL2Options } from "./redis.ts";
export { redisClusterL2 } from "./redis-cluster.ts";
export type { RedisClusterL2Options } from "./redis-cluster.ts";
export { upstashL2 } from "./upstash.ts";
export type { UpstashL2Options } from "./upstash.ts";
export { l2FromEnv, L2_CHOICES } from "./from-env.ts";
export type { L2Choice } from "./from-env.ts";
export type { L2Adapter, L2Bus, L2Description, L2Kind } from "./types.ts";
