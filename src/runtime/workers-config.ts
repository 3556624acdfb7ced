/**
 * How Cloudflare Workers bindings become the env record `loadConfig` checks, and what a Worker
 * refuses on top of the schema. Kept apart from the entry: a Worker module may export only handlers.
 */

/**
 * How long an isolate trusts a tag or clear time it read from L2. With no bus on Workers this is
 * the invalidation bound: the first read after it refreshes the times (in the background), and the
 * read after that sees an invalidation made anywhere.
 */
export const WORKER_TAG_TIMES_TTL_MS = 1_000;

/** The L2 choices a Worker can use. */
const WORKER_L2 = ["upstash", "none"] as const;

/**
 * Bindings as the env record `loadConfig` reads: text and plain values only (not KV, DO or service bindings).
 *
 * @example
 * ```ts
 * bindingsAsEnv({ CACHE_L2: "none", SESSION_TTL_MS: 60000 }); // { CACHE_L2: "none", SESSION_TTL_MS: "60000" }
 * ```
 */
export function bindingsAsEnv(env: Record<string, unknown>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(env)) {
    if (typeof value === "string") out[name] = value;
    else if (typeof value === "number" || typeof value === "boolean") out[name] = String(value);
  }
  return out;
}

/**
 * What Workers cannot do that the schema allows elsewhere; reported with the schema's own problems.
 *
 * @example
 * ```ts
 * workerProblems({ CACHE_L2: "redis" }); // ["CACHE_L2: must be upstash or none on Cloudflare Workers (…)"]
 * ```
 */
export function workerProblems(env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  const l2 = env.CACHE_L2?.trim();
  if (l2 && !(WORKER_L2 as readonly string[]).includes(l2)) {
    problems.push(`CACHE_L2: must be ${WORKER_L2.join(" or ")} on Cloudflare Workers (got ${l2}: there is no TCP Redis client there, and memory would be per isolate)`);
  }
  if (env.BUSINESSES_FILE?.trim()) problems.push("BUSINESSES_FILE: a Worker cannot read files; put the file's content in BUSINESSES_JSON");
  if (env.VOICE_MODE?.trim() === "relay") problems.push("VOICE_MODE: relay is not available on Cloudflare Workers yet; use gather");
  return problems;
}

