/**
 * The Prometheus name each instrument gets on the two paths metrics can take out of the app.
 *
 * - Collector path (OTLP → OpenTelemetry Collector → its `prometheus` exporter, what the Grafana
 *   dashboards query): the OTLP→Prometheus translation with suffixes. The unit becomes a suffix
 *   (`s` → `_seconds`; `{…}` annotations and `1` add nothing), monotonic sums gain `_total`,
 *   gauges with unit `1` gain `_ratio`.
 * - Direct path (`/metrics` served by the app from the SDK's Prometheus exporter): dots become
 *   underscores and monotonic sums gain `_total`; no unit suffix.
 *
 * Both are pure string functions so tests can relate a dashboard query to the app's own scrape.
 */
import type { InstrumentDescriptor, InstrumentKind } from "./instruments.ts";

/** What the name translation needs to know about an instrument. */
export type PromNameInput = Pick<InstrumentDescriptor, "name" | "unit" | "kind">;

/** UCUM units the collector spells out as a name suffix; units not listed are used as written. */
const UNIT_WORDS: Readonly<Record<string, string>> = {
  d: "days", h: "hours", min: "minutes", s: "seconds", ms: "milliseconds", us: "microseconds", ns: "nanoseconds",
  By: "bytes", KiBy: "kibibytes", MiBy: "mebibytes", GiBy: "gibibytes", KBy: "kilobytes", MBy: "megabytes", GBy: "gigabytes",
  "1": "", "%": "percent",
};

/** The "per" part of a unit such as `By/s`. */
const PER_UNIT_WORDS: Readonly<Record<string, string>> = {
  s: "second", m: "minute", h: "hour", d: "day", w: "week", mo: "month", y: "year",
};

function isMonotonicSum(kind: InstrumentKind): boolean {
  return kind === "counter" || kind === "observable_counter";
}

/** Characters outside `[a-zA-Z0-9:]` separate tokens; empty tokens vanish (so `__` collapses). */
function tokens(text: string): string[] {
  return text.split(/[^a-zA-Z0-9:]+/).filter((t) => t !== "");
}

function unitToken(unitPart: string | undefined, words: Readonly<Record<string, string>>): string {
  const trimmed = (unitPart ?? "").trim();
  // `{request}` and friends are annotations, not units: they never reach the name.
  if (trimmed === "" || /[{}]/.test(trimmed)) return "";
  return tokens(words[trimmed] ?? trimmed).join("_");
}

/**
 * The name the Collector's Prometheus exporter gives an instrument (no namespace configured).
 * Histograms expose this name plus `_bucket`, `_sum` and `_count`.
 *
 * @example
 * collectorPromName({ name: "voxedge.cache.operation.duration", unit: "s", kind: "histogram" })
 * // → "voxedge_cache_operation_duration_seconds"
 * collectorPromName({ name: "voxedge.cache.requests", unit: "{request}", kind: "observable_counter" })
 * // → "voxedge_cache_requests_total"
 */
export function collectorPromName(instrument: PromNameInput): string {
  let parts = tokens(instrument.name);
  const [mainUnit, perUnit] = instrument.unit.split("/", 2);
  const main = unitToken(mainUnit, UNIT_WORDS);
  const perWord = unitToken(perUnit, PER_UNIT_WORDS);
  const per = perWord === "" ? "" : `per_${perWord}`;
  if (main !== "" && !parts.includes(main)) parts.push(main);
  if (per !== "" && !parts.includes(per)) parts.push(per);
  if (isMonotonicSum(instrument.kind)) parts = [...parts.filter((p) => p !== "total"), "total"];
  if (instrument.unit === "1" && instrument.kind === "gauge") parts = [...parts.filter((p) => p !== "ratio"), "ratio"];
  const name = parts.join("_");
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

/**
 * The name the app's own `/metrics` (SDK Prometheus exporter, no prefix) gives an instrument.
 * Histograms expose this name plus `_bucket`, `_sum` and `_count`.
 *
 * @example
 * directPromName({ name: "voxedge.cache.operation.duration", unit: "s", kind: "histogram" })
 * // → "voxedge_cache_operation_duration"
 * directPromName({ name: "voxedge.bot.calls.ended", unit: "{call}", kind: "counter" })
 * // → "voxedge_bot_calls_ended_total"
 */
export function directPromName(instrument: PromNameInput): string {
  let name = instrument.name.replace(/[^a-z0-9_]/gi, "_").replace(/_{2,}/g, "_");
  if (/^[0-9]/.test(name)) name = `_${name}`;
  if (isMonotonicSum(instrument.kind) && !name.endsWith("_total")) name += "_total";
  return name;
}

/**
 * Every series name Prometheus stores for an instrument exposed under `baseName`.
 *
 * @example
 * promSeriesNames("http_server_request_duration_seconds", "histogram")
 * // → ["http_server_request_duration_seconds_bucket", "…_sum", "…_count"]
 */
export function promSeriesNames(baseName: string, kind: InstrumentKind): string[] {
  return kind === "histogram" ? [`${baseName}_bucket`, `${baseName}_sum`, `${baseName}_count`] : [baseName];
}
