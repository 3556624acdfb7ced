/**
 * `bun run server`: config → telemetry → cache → app → listening; graceful shutdown on SIGTERM
 * and SIGINT (stop accepting, finish in-flight webhooks, close the cache and its connections,
 * flush metrics).
 */
import { metrics } from "@opentelemetry/api";
import { createApp } from "./app.ts";
import { loadDirectory } from "./bot/directory/from-config.ts";
import { createCache } from "./cache/index.ts";
import { ConfigError, loadConfig, type Config } from "./config.ts";
import { cacheOptionsFromConfig } from "./cache-from-config.ts";
import { l2FromConfig } from "./l2-from-config.ts";
import { errorText } from "./redact.ts";
import { createLog } from "./log.ts";
import { serve } from "./runtime/serve.ts";
import { createWebSocketHost } from "./runtime/websocket.ts";
import { startConfiguredTelemetry } from "./telemetry/start.ts";
import { botLookups } from "./bot/lookups.ts";
import { prepareBusinesses } from "./bot/prepare.ts";
import packageJson from "../package.json" with { type: "json" };

/** Longest a graceful shutdown may take before the process exits anyway. */
const SHUTDOWN_DEADLINE_MS = 10_000;

export async function main(env: Record<string, string | undefined> = process.env): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const log = createLog(config.LOG_LEVEL);
  const version = packageJson.version;

  if (!config.CACHE_KEY_SECRET) {
    log("warn", "CACHE_KEY_SECRET is not set: knowledge cache keys use a random per-process secret, so instances do not share those entries.");
  }
  if (!config.TWILIO_AUTH_TOKEN) {
    log("warn", "TWILIO_AUTH_TOKEN is not set: Twilio signatures are NOT checked. Anyone can post webhooks. Never run like this in production.");
  }

  // Telemetry first: the OpenTelemetry API has no proxy for meters, so a meter taken earlier would stay a no-op.
  const telemetry = await startConfiguredTelemetry({ serviceName: config.OTEL_SERVICE_NAME, serviceVersion: version, env: telemetryEnv(config), prometheus: config.METRICS_PROMETHEUS });

  let directory;
  try {
    directory = await loadDirectory(config);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }

  const l2 = await l2FromConfig(config);
  const cache = createCache({
    ...cacheOptionsFromConfig(config, l2),
    meter: metrics.getMeter("voxedge.cache"),
    // Once per transition; the event holds the L2 kind only (no address, key or credential).
    onEvent: (event) => {
      if (event.type === "breaker") {
        if (event.state === "open") log("warn", "cache L2 breaker opened: L2 is skipped, calls answer from L1 and loaders", { l2: event.l2 });
        else if (event.state === "closed") log("info", "cache L2 breaker closed: L2 answers again", { l2: event.l2 });
      } else if (event.state === "down") log("warn", "cache invalidation bus down: L1 copies are trusted briefly", { l2: event.l2 });
      else log("info", "cache invalidation bus up", { l2: event.l2 });
    },
  });

  let draining = false;
  const websockets = createWebSocketHost();
  const app = createApp({
    config,
    cache,
    directory,
    log,
    version,
    prometheusHandler: telemetry.prometheusHandler,
    isDraining: () => draining,
    websockets,
    ...(l2 ? { l2 } : {}),
    ...(config.CACHE_KEY_SECRET ? { answerKeySecret: config.CACHE_KEY_SECRET } : {}),
  });

  const server = serve({ port: config.PORT, hostname: config.HOST, fetch: app.fetch, websockets });
  log("info", "voxedge listening", { port: server.port, l2: l2?.kind ?? "none", directory: directory.kind });
  // The L2's first ping is timed against the L2 timeout: it goes before the preparation's CPU work.
  const health = await cache.health();
  if (health.status !== "ok") log("warn", "cache starts degraded; calls are answered from L1 and loaders", { l2: health.l2?.kind, reachable: health.l2?.reachable });
  // In steps (see prepare.ts), so /health answers at once: the first calls arrive after it is done.
  prepareBusinesses(directory)
    .then((businesses) => log("info", "businesses prepared", { businesses }))
    .catch((error: Error) => log("warn", "preparing businesses failed: their first questions pay for it", { error: errorText(error) }));

  if (config.CACHE_WARM_ON_START) {
    const lookups = botLookups(cache, directory, { keySecret: config.CACHE_KEY_SECRET, questionRetentionMs: config.QUESTION_RETENTION_MS });
    directory
      .all()
      .then((businesses) => cache.warm(lookups.warmSpecs(businesses), { concurrency: 8 }))
      .then((report) => log("info", "cache warmed", { warmed: report.warmed, skipped: report.skipped, failed: report.failed.length, ms: report.durationMs }))
      .catch((error: Error) => log("warn", "warming failed", { error: errorText(error) }));
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    draining = true;
    log("info", "shutting down", { signal });
    // A webhook stuck on a dead dependency must not hold the deploy: give in-flight work a deadline.
    const deadline = setTimeout(() => {
      log("error", "shutdown deadline passed; exiting with work in flight", { ms: SHUTDOWN_DEADLINE_MS });
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    try {
      await server.stop();
      await cache.close();
      await telemetry.shutdown();
    } catch (error) {
      log("error", "error during shutdown", { error: errorText(error) });
    }
    clearTimeout(deadline);
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

/** The OpenTelemetry variables as `loadConfig` checked them: nothing past the config reads the raw environment. */
function telemetryEnv(config: Config): Record<string, string | undefined> {
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: config.OTEL_EXPORTER_OTLP_ENDPOINT,
    OTEL_METRIC_EXPORT_INTERVAL: String(config.OTEL_METRIC_EXPORT_INTERVAL),
    OTEL_SERVICE_NAME: config.OTEL_SERVICE_NAME,
    OTEL_RESOURCE_ATTRIBUTES: config.OTEL_RESOURCE_ATTRIBUTES,
  };
}

if (import.meta.main) await main();
