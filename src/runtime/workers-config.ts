/**
 * How Cloudflare Workers bindings become the env record `loadConfig` checks, and what a Worker
 * refuses on top of the schema. Kept apart from the entry: a Worker module may export only handlers.
 */
import type { NamespaceOptions } from "../cache/index.ts";

/**
 * With no bus on Workers, an isolate learns of an invalidation made elsewhere only when it reads
 * the entry from L2 again and checks it against the tag times. So L1 copies of shared entries live
 * at most this long here, and tag and clear times are trusted this long: an invalidation made on
 * any instance is honoured by every isolate at most about this long after it was made (the
 * isolate that made it: at once). The price is one more Upstash read per key and isolate per period.
 */
export const WORKER_L1_TTL_MS = 1_000;
/** See {@link WORKER_L1_TTL_MS}. */
export const WORKER_TAG_TIMES_TTL_MS = 1_000;

/**
 * The namespaces with L1 copies of shared entries capped at `capMs` (see {@link WORKER_L1_TTL_MS});
 * a namespace kept in L1 only is left as it is, L1 being all it has.
 *
 * @example
 * ```ts
 * capL1Ttl({ business: { ttl: 3_600_000, l1Ttl: 60_000 } }, 1_000); // { business: { ttl: 3600000, l1Ttl: 1000 } }
 * ```
 */
export function capL1Ttl<N extends string>(namespaces: Record<N, NamespaceOptions>, capMs: number): Record<N, NamespaceOptions> {
  const out = { ...namespaces };
  for (const name of Object.keys(out) as N[]) {
    const options = out[name];
    if (options.l2 === false) continue;
    const l1Ttl = Math.min(options.l1Ttl ?? options.ttl ?? capMs, capMs);
    // No subscriber here, so the bus is never up; capped too, so that no setting outlives the cap.
    out[name] = options.l1TtlWhileBusUp === undefined ? { ...options, l1Ttl } : { ...options, l1Ttl, l1TtlWhileBusUp: l1Ttl };
  }
  return out;
}

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
  return problems;
}

