/**
 * The L2 adapters: one factory per backend, each returning a plain object that implements
 * `L2Adapter`. The product picks one from its validated configuration in `src/l2-from-config.ts`.
 *
 * @example
 * ```ts
 * import { memoryL2, redisL2 } from "./l2/index.ts";
 * const l2 = redisL2({ url: "redis://127.0.0.1:6380", commandTimeoutMs: 250 });
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
export type { L2Adapter, L2Bus, L2Description, L2Kind } from "./types.ts";
