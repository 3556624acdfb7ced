/**
 * The Cloudflare Workers entry (`bun run build:workers` bundles it to dist/workers/worker.js).
 *
 * A Worker has no start-up: bindings (the same names as the server's environment variables) are
 * checked by the same `loadConfig` on the first request, and the cache, directory and app are built
 * then, once per isolate. A bad configuration answers every request with a 500 naming every bad
 * binding (never a value) and is logged once. Nothing runs at module scope: no timers, no I/O, no
 * random values.
 *
 * What differs from Bun and Deno, and why:
 * - `CACHE_L2` is `upstash` (REST) or `none` (unset means `none`): there is no TCP Redis client
 *   for Workers, and an in-memory L2 would be one more per-isolate copy of what L1 already holds.
 * - No subscriber socket outlives a request, so the bus only publishes: invalidations made elsewhere reach
 *   an isolate's L1 through the tag and clear times when an entry is read from L2 again: L1 copies
 *   live at most `WORKER_L1_TTL_MS` and times are trusted `WORKER_TAG_TIMES_TTL_MS` (1 s each).
 * - Timers die with the request that set them, so the L1's coarse clock is off and every promise
 *   the cache does not wait for is handed to `waitUntil`.
 * - ConversationRelay sockets are accepted by the Worker itself (a `WebSocketPair`): the call's
 *   socket lives as long as its upgrade request, with no Durable Object.
 *
 * @example
 * ```jsonc
 * // wrangler.jsonc
 * { "main": "dist/workers/worker.js", "compatibility_flags": ["nodejs_compat"] }
 * ```
 */
import { waitUntil } from "cloudflare:workers";
import type { Hono } from "hono";
import { createApp } from "../app.ts";
import { loadDirectory } from "../bot/directory/from-config.ts";
import { botLookups } from "../bot/lookups.ts";
import { cacheOptionsFromConfig } from "../cache-from-config.ts";
import { createCache, disableCoarseClock, type L2Adapter } from "../cache/index.ts";
import { upstashL2 } from "../cache/upstash.ts";
import { ConfigError, loadConfig, type Config } from "../config.ts";
import { createLog, type Log } from "../log.ts";
import { errorText } from "../redact.ts";
import packageJson from "../../package.json" with { type: "json" };
import { createWorkersWebSocketHost } from "./websocket-workers.ts";
import { bindingsAsEnv, capL1Ttl, WORKER_L1_TTL_MS, WORKER_TAG_TIMES_TTL_MS, workerProblems } from "./workers-config.ts";

/** What the runtime hands `fetch`: only `waitUntil` is used, through `cloudflare:workers`. */
interface WorkerContext {
  waitUntil(work: Promise<unknown>): void;
}

type Built = { ok: true; app: Hono } | { ok: false; problems: string[] };
let built: Promise<Built> | undefined;

/**
 * The Worker: `fetch(request, env, ctx)` builds the app on the first request and hands every
 * request to it.
 *
 * @example
 * ```ts
 * const res = await worker.fetch(new Request("https://bot.example.com/health"), { CACHE_L2: "none" }, ctx);
 * ```
 */
const worker = {
  async fetch(request: Request, env: Record<string, unknown>, _ctx: WorkerContext): Promise<Response> {
    built ??= build(env);
    const state = await built;
    if (!state.ok) {
      return new Response(`voxedge is not configured correctly for Cloudflare Workers:\n${state.problems.map((p) => `  - ${p}`).join("\n")}\n`, {
        status: 500,
        headers: { "content-type": "text/plain; charset=utf-8" },
      });
    }
    return state.app.fetch(request);
  },
};
export default worker;

async function build(env: Record<string, unknown>): Promise<Built> {
  const raw = bindingsAsEnv(env);
  // Unset means no L2 here: the schema's default (memory) is refused on Workers.
  const withDefaults = { ...raw, CACHE_L2: raw.CACHE_L2?.trim() ? raw.CACHE_L2 : "none" };
  const problems = workerProblems(withDefaults);
  let config: Config | undefined;
  try {
    config = loadConfig(withDefaults);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  if (config === undefined || problems.length > 0) return refuse(problems);
  const log = createLog(config.LOG_LEVEL);
  warnAboutUnused(config, log);

  let directory;
  try {
    directory = await loadDirectory(config);
  } catch (error) {
    return refuse([errorText(error)]);
  }

  disableCoarseClock();
  const l2: L2Adapter | undefined =
    config.CACHE_L2 === "upstash" && config.UPSTASH_REDIS_REST_URL && config.UPSTASH_REDIS_REST_TOKEN
      ? upstashL2({ url: config.UPSTASH_REDIS_REST_URL, token: config.UPSTASH_REDIS_REST_TOKEN, timeoutMs: config.CACHE_L2_TIMEOUT_MS })
      : undefined;
  const shared = cacheOptionsFromConfig(config, l2);
  const cache = createCache({
    ...shared,
    namespaces: capL1Ttl(shared.namespaces, WORKER_L1_TTL_MS),
    // Invalidations made here go out as messages (one REST publish); nothing can listen between requests.
    bus: { subscribe: false },
    tagTimes: { ttl: WORKER_TAG_TIMES_TTL_MS },
    // `waitUntil` from cloudflare:workers keeps the work of whichever request is running it: the
    // cache is shared by concurrent requests, so a ctx captured from one would be the wrong one.
    background: waitUntil,
    onEvent: (event) => {
      if (event.type === "breaker") log(event.state === "open" ? "warn" : "info", `cache L2 breaker ${event.state}`, { l2: event.l2 });
    },
  });
  const app = createApp({ config, cache, directory, log, version: packageJson.version, websockets: createWorkersWebSocketHost() });

  if (config.CACHE_WARM_ON_START) {
    const lookups = botLookups(cache, directory, { keySecret: config.CACHE_KEY_SECRET, questionRetentionMs: config.QUESTION_RETENTION_MS });
    waitUntil(
      directory
        .all()
        .then((businesses) => cache.warm(lookups.warmSpecs(businesses), { concurrency: 4 }))
        .then((report) => log("info", "cache warmed", { warmed: report.warmed, failed: report.failed.length, ms: report.durationMs }))
        .catch((error: unknown) => log("warn", "warming failed", { error: errorText(error) })),
    );
  }
  log("info", "voxedge Worker ready", { l2: l2?.kind ?? "none", directory: directory.kind });
  return { ok: true, app };
}

function refuse(problems: string[]): Built {
  console.error(`voxedge: invalid Worker bindings:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  return { ok: false, problems };
}

/** Settings that mean something on Bun and Deno but nothing here: said once, not refused. */
function warnAboutUnused(config: Config, log: Log): void {
  if (!config.TWILIO_AUTH_TOKEN) log("warn", "TWILIO_AUTH_TOKEN is not set: Twilio signatures are NOT checked. Never run like this in production.");
  if (!config.CACHE_KEY_SECRET) log("warn", "CACHE_KEY_SECRET is not set: knowledge cache keys use a random per-isolate secret, so isolates do not share those entries.");
  if (config.METRICS_PROMETHEUS || config.OTEL_EXPORTER_OTLP_ENDPOINT) log("warn", "METRICS_PROMETHEUS and OTEL_EXPORTER_OTLP_ENDPOINT are ignored on Cloudflare Workers: no metrics are exported there.");
}
