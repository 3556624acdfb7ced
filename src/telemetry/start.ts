/**
 * The process's metrics as configured, paying for the OpenTelemetry SDK and its exporters only
 * when metrics go somewhere: with neither an OTLP endpoint nor Prometheus (the default) nothing of
 * them is loaded, which keeps them out of a default server's start-up (about 100 ms to import here).
 */
import { createNoopMeter, type Meter } from "@opentelemetry/api";
import type { Telemetry, TelemetryOptions } from "./setup.ts";

/**
 * {@link startTelemetry} of setup.ts when metrics are configured, else a no-op provider, without
 * loading the SDK.
 *
 * @example
 * ```ts
 * const telemetry = await startConfiguredTelemetry({ serviceName: "voxedge", serviceVersion: "0.1.0", env: {}, prometheus: false });
 * telemetry.prometheusHandler // undefined: nothing configured, nothing loaded
 * ```
 */
export async function startConfiguredTelemetry(opts: TelemetryOptions): Promise<Telemetry> {
  if (!opts.env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() && !opts.prometheus) {
    const meter: Meter = createNoopMeter();
    return { meterProvider: { getMeter: () => meter }, shutdown: async () => {} };
  }
  const { startTelemetry } = await import("./setup.ts");
  return startTelemetry(opts);
}
