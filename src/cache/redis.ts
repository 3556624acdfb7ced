/**
 * The cache's Redis adapters over TCP (one node, or a Redis Cluster), a public entry of their own
 * beside `index.ts`: they bring ioredis (about 50 modules and 50 ms to load here), which a process
 * using another L2 should never load. Import this entry only where a Redis L2 is built.
 *
 * @example
 * ```ts
 * import { createCache } from "./src/cache/index.ts";
 * import { redisL2 } from "./src/cache/redis.ts";
 * const cache = createCache({ l2: redisL2({ url: "redis://127.0.0.1:6380" }), namespaces: { knowledge: { ttl: 900_000 } } });
 * ```
 */
export { redisL2, type RedisL2Options } from "./l2/redis.ts";
export { redisClusterL2, type RedisClusterL2Options } from "./l2/redis-cluster.ts";
