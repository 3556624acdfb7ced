/**
 * What the cache benchmarks read and write: one realistic value, key sets, filler values and a
 * real OpenTelemetry SDK meter.
 */
import type { Meter } from "@opentelemetry/api";
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";

/** A business record as the bot caches it; about 500 bytes as JSON. */
export interface BenchBusiness {
  id: string;
  name: string;
  phoneNumbers: string[];
  timezone: string;
  greeting: string;
  hours: Record<string, string>;
  faqs: { question: string; answer: string; keywords: string[] }[];
}

/**
 * The value every library stores and returns in the comparisons.
 *
 * @example
 * ```ts
 * const value = sampleBusiness(); // value.id === "bella-pizza"
 * ```
 */
export function sampleBusiness(): BenchBusiness {
  return {
    id: "bella-pizza",
    name: "Bella Pizza",
    phoneNumbers: ["+15550001111", "+15550001112"],
    timezone: "America/New_York",
    greeting: "Thanks for calling Bella Pizza. How can I help?",
    hours: { mon: "11:00-22:00", tue: "11:00-22:00", wed: "11:00-22:00", sat: "11:00-14:00,17:00-23:00", sun: "closed" },
    faqs: [
      { question: "Do you have parking?", answer: "Free parking is behind the building.", keywords: ["park", "car"] },
      { question: "Do you deliver?", answer: "We deliver within three miles from five to ten every evening.", keywords: ["deliver", "delivery"] },
      { question: "Do you have gluten-free crust?", answer: "Yes, any pizza can be made on our gluten-free crust.", keywords: ["gluten"] },
    ],
  };
}

/**
 * `count` distinct phone-number-like keys, with a prefix so that key sets never overlap.
 *
 * @example
 * ```ts
 * phoneKeys(2, "a"); // ["a+15550000000", "a+15550000001"]
 * ```
 */
export function phoneKeys(count: number, prefix = ""): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}+1555${String(i).padStart(7, "0")}`);
}

/**
 * A distinct value of about `bytes` bytes (one-byte characters), so that memory figures count real
 * per-entry payloads rather than one shared string.
 *
 * @example
 * ```ts
 * filler(7, 1024).answer.length; // 1024
 * ```
 */
export function filler(seed: number, bytes: number): { id: number; answer: string } {
  return { id: seed, answer: `answer ${seed} `.padEnd(bytes, "abcdefghijklmnopqrstuvwxyz") };
}

export { prng } from "../../tests/support/prng.ts";

/** An SDK meter whose instruments really aggregate, plus a way to stop it. */
export interface BenchMetrics {
  provider: MeterProvider;
  meter: Meter;
  /** Collects once and returns how many metrics the reader saw (a check that recording is real). */
  collectCount(): Promise<number>;
  shutdown(): Promise<void>;
}

/**
 * A `MeterProvider` with a periodic reader exporting to memory every second: the cache's observable
 * callbacks and histograms run as they would in production, without a network in the measurement.
 *
 * @example
 * ```ts
 * const metrics = benchMetrics();
 * const cache = createCache({ meter: metrics.meter, namespaces: { x: { ttl: 60_000 } } });
 * ```
 */
export function benchMetrics(): BenchMetrics {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 1_000, exportTimeoutMillis: 500 });
  const provider = new MeterProvider({ readers: [reader] });
  return {
    provider,
    meter: provider.getMeter("voxedge.cache"),
    async collectCount() {
      const { resourceMetrics } = await reader.collect();
      return resourceMetrics.scopeMetrics.reduce((sum, scope) => sum + scope.metrics.length, 0);
    },
    shutdown: () => provider.shutdown(),
  };
}
