/**
 * Builds the process's MeterProvider from `@opentelemetry/sdk-metrics` and registers it as the
 * global one, so everything recorded through `@opentelemetry/api` (the cache, the bot, the HTTP
 * middleware) lands in it.
 *
 * The metrics API has no proxy provider: a meter obtained before registration stays a no-op.
 * Call `startTelemetry` before building the cache and the app.
 */
import { createNoopMeter, diag, metrics, type Meter, type MeterProvider } from "@opentelemetry/api";
import { AggregationTemporalityPreference, OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { PrometheusExporter, PrometheusSerializer } from "@opentelemetry/exporter-prometheus";
import {
  AggregationType,
  InstrumentType,
  MeterProvider as SdkMeterProvider,
  PeriodicExportingMetricReader,
  type IMetricReader,
  type ViewOptions,
} from "@opentelemetry/sdk-metrics";
import { ALL_INSTRUMENTS, histogramBuckets } from "./instruments.ts";
import { buildResource } from "./resource.ts";

/** Used when `OTEL_METRIC_EXPORT_INTERVAL` is unset: one point per Prometheus scrape at the usual 15 s. */
export const DEFAULT_EXPORT_INTERVAL_MS = 15_000;

/** How long `shutdown` waits for the final export: an unreachable collector must not hold up a deploy. */
export const SHUTDOWN_TIMEOUT_MS = 5_000;

/** Content type of the Prometheus text exposition format the `/metrics` handler serves. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** What {@link startTelemetry} reads. */
export interface TelemetryOptions {
  serviceName: string;
  serviceVersion: string;
  /**
   * Read here: `OTEL_EXPORTER_OTLP_ENDPOINT` (base URL; `/v1/metrics` is appended),
   * `OTEL_METRIC_EXPORT_INTERVAL` (ms, default 15000), `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`.
   */
  env: Record<string, string | undefined>;
  /** Serve the current figures in Prometheus text through `prometheusHandler`. */
  prometheus: boolean;
}

/** A running telemetry setup. */
export interface Telemetry {
  /** The SDK provider, or a no-op one when nothing is configured. */
  meterProvider: MeterProvider;
  /** Answers GET/HEAD with every metric in Prometheus text; mount it on `/metrics`. Present when `prometheus` is on. */
  prometheusHandler?: (req: Request) => Promise<Response>;
  /**
   * Sends the last OTLP export (waiting at most {@link SHUTDOWN_TIMEOUT_MS}), stops the readers and
   * unregisters the global provider. A failed final export is reported through the OTel `diag`
   * logger, not thrown; a timeout rejects. The provider is unregistered either way. Safe to call twice.
   */
  shutdown(): Promise<void>;
}

/**
 * Starts metrics for the process. With neither an OTLP endpoint nor Prometheus, no SDK is
 * installed at all and recording through the API costs next to nothing.
 *
 * @example
 * const telemetry = startTelemetry({ serviceName: "voxedge", serviceVersion: "0.1.0", env: process.env, prometheus: true });
 * if (telemetry.prometheusHandler) app.get("/metrics", (c) => telemetry.prometheusHandler!(c.req.raw));
 * // …on SIGTERM:
 * await telemetry.shutdown();
 */
export function startTelemetry(opts: TelemetryOptions): Telemetry {
  const endpoint = opts.env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (!endpoint && !opts.prometheus) {
    return { meterProvider: noopMeterProvider(), shutdown: async () => {} };
  }

  const readers: IMetricReader[] = [];
  if (endpoint) {
    const intervalMs = exportIntervalMs(opts.env.OTEL_METRIC_EXPORT_INTERVAL);
    readers.push(
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({
          url: otlpMetricsUrl(endpoint),
          // The collector's Prometheus exporter wants running totals.
          temporalityPreference: AggregationTemporalityPreference.CUMULATIVE,
        }),
        exportIntervalMillis: intervalMs,
        exportTimeoutMillis: Math.min(intervalMs, 10_000),
      }),
    );
  }
  let prometheusReader: PrometheusExporter | undefined;
  if (opts.prometheus) {
    // No server of its own: our Hono route serves the text, on the app's port.
    prometheusReader = new PrometheusExporter({ preventServerStart: true });
    readers.push(prometheusReader);
  }

  const provider = new SdkMeterProvider({
    resource: buildResource(opts),
    views: histogramViews(),
    readers,
  });
  if (!metrics.setGlobalMeterProvider(provider)) {
    void provider.shutdown();
    throw new Error("startTelemetry: a global MeterProvider is already registered; shut the previous one down first");
  }

  let stopping: Promise<void> | undefined;
  const shutdown = (): Promise<void> => {
    stopping ??= (async () => {
      try {
        await provider.shutdown({ timeoutMillis: SHUTDOWN_TIMEOUT_MS });
      } finally {
        if (metrics.getMeterProvider() === provider) metrics.disable();
      }
    })();
    return stopping;
  };

  return {
    meterProvider: provider,
    ...(prometheusReader ? { prometheusHandler: prometheusHandler(prometheusReader) } : {}),
    shutdown,
  };
}

/**
 * Explicit buckets for every seconds histogram the product declares: the SDK default would run to
 * 10 000. One view per instrument name, because two views matching one instrument would export it twice.
 */
function histogramViews(): ViewOptions[] {
  const views: ViewOptions[] = [];
  for (const instrument of ALL_INSTRUMENTS) {
    const boundaries = histogramBuckets(instrument);
    if (boundaries === undefined) continue;
    views.push({
      instrumentName: instrument.name,
      instrumentType: InstrumentType.HISTOGRAM,
      aggregation: { type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM, options: { boundaries: [...boundaries] } },
    });
  }
  return views;
}

function prometheusHandler(reader: PrometheusExporter): (req: Request) => Promise<Response> {
  const serializer = new PrometheusSerializer();
  return async (req) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      return new Response("method not allowed\n", { status: 405, headers: { allow: "GET, HEAD" } });
    }
    let text: string;
    try {
      const { resourceMetrics, errors } = await reader.collect();
      if (errors.length > 0) diag.error("metrics collection reported errors", ...errors);
      text = serializer.serialize(resourceMetrics);
    } catch (error) {
      // Collecting after shutdown throws; a scrape then is a normal part of stopping.
      diag.warn("metrics collection failed", error);
      return new Response("metrics unavailable\n", { status: 503 });
    }
    return new Response(req.method === "HEAD" ? null : text, { headers: { "content-type": PROMETHEUS_CONTENT_TYPE } });
  };
}

/**
 * The OTLP/HTTP metrics URL for a base endpoint, as the OTLP exporter specification builds it.
 *
 * @example
 * otlpMetricsUrl("http://otel-collector:4318") // → "http://otel-collector:4318/v1/metrics"
 */
export function otlpMetricsUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, "")}/v1/metrics`;
}

function exportIntervalMs(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === "") return DEFAULT_EXPORT_INTERVAL_MS;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms <= 0) {
    throw new Error(`OTEL_METRIC_EXPORT_INTERVAL must be a positive whole number of milliseconds, got "${raw}"`);
  }
  return ms;
}

function noopMeterProvider(): MeterProvider {
  const meter: Meter = createNoopMeter();
  return { getMeter: () => meter };
}
