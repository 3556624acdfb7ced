/**
 * The miniflare options that run the built Worker as Cloudflare would (wrangler.jsonc's
 * compatibility date and flags), shared by `bun run dev:workers`, the Workers tests and the bench.
 */

/** The same as wrangler.jsonc's `compatibility_date`. */
export const WORKER_COMPATIBILITY_DATE = "2026-04-01";

/**
 * Options for `new Miniflare(...)` that load `scriptPath` as an ES module with `nodejs_compat`.
 *
 * @example
 * ```ts
 * const mf = new Miniflare(workerOptions("dist/workers/worker.js", { CACHE_L2: "none" }));
 * ```
 */
export function workerOptions(scriptPath: string, bindings: Record<string, string>) {
  return {
    modules: true,
    scriptPath,
    compatibilityDate: WORKER_COMPATIBILITY_DATE,
    compatibilityFlags: ["nodejs_compat"],
    modulesRules: [{ type: "ESModule" as const, include: ["**/*.js"] }],
    bindings,
  };
}
