/**
 * The cache's Upstash adapter (Redis over REST, for edge runtimes), a public entry of its own
 * beside `index.ts`: it brings `@upstash/redis`, which a process using another L2 should never
 * load. Import this entry only where an Upstash L2 is built.
 *
 * @example
 * ```ts
 * import { createCache } from "./src/cache/index.ts";
 * import { upstashL2 } from "./src/cache/upstash.ts";
 * const cache = createCache({ l2: upstashL2({ url, token, timeoutMs: 250 }), namespaces: { knowledge: { ttl: 900_000 } } });
 * ```
 */
export { upstashL2, type UpstashL2Options } from "./l2/upstash.ts";
