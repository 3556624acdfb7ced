/**
 * The cache options every runtime's entry builds from the validated `Config`, written once: the
 * prefix, L1 size, L2 timeout and breaker, and the bot's namespaces. Each entry adds what is its
 * own (Bun and Deno a meter and a bus; Workers capped L1 lifetimes and `waitUntil`).
 */
import { botNamespaces } from "./bot/namespaces.ts";
import type { BotNamespace } from "./bot/lookups.ts";
import type { CacheOptions, L2Adapter } from "./cache/index.ts";
import type { Config } from "./config.ts";

/**
 * The shared part of `createCache`'s options for `l2`. The in-process L2 is not shared with other
 * instances, so sessions need not go through it on every webhook (`hasL2` false for it).
 *
 * @example
 * ```ts
 * const l2 = l2FromConfig(config);
 * const cache = createCache({ ...cacheOptionsFromConfig(config, l2), meter });
 * ```
 */
export function cacheOptionsFromConfig(config: Config, l2: L2Adapter | undefined) {
  return {
    prefix: config.CACHE_PREFIX,
    l1: { maxEntries: config.CACHE_L1_MAX_ENTRIES },
    l2,
    l2TimeoutMs: config.CACHE_L2_TIMEOUT_MS,
    breaker: { failureThreshold: config.CACHE_BREAKER_FAILURES, openMs: config.CACHE_BREAKER_OPEN_MS },
    namespaces: botNamespaces({
      sessionTtlMs: config.SESSION_TTL_MS,
      hasL2: l2 !== undefined && l2.kind !== "memory",
      questionRetentionMs: config.QUESTION_RETENTION_MS,
      modelHardTimeoutMs: config.LLM_HARD_TIMEOUT_MS,
    }),
  } satisfies Partial<CacheOptions<BotNamespace>>;
}
