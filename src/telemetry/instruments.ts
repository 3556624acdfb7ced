/**
 * Every instrument name the product records, in one place. Dashboards under `otel/` query exactly
 * these names as the collector's Prometheus exporter exposes them (dots become underscores,
 * counters gain `_total`, seconds histograms gain `_seconds`, gauges with unit `1` gain `_ratio`);
 * `prometheus-names.ts` computes those names and a test keeps the dashboards in step.
 */
import { CACHE_INSTRUMENTS, LATENCY_BUCKETS_SECONDS } from "../cache/index.ts";

export { CACHE_INSTRUMENTS, LATENCY_BUCKETS_SECONDS };

/**
 * How an instrument is created through `@opentelemetry/api`; it decides the Prometheus type and
 * suffixes (`counter` and `observable_counter` are monotonic sums and gain `_total`).
 */
export type InstrumentKind = "counter" | "histogram" | "gauge" | "updowncounter" | "observable_counter";

/**
 * One instrument as the product declares it.
 *
 * @example
 * const d: InstrumentDescriptor = { name: "voxedge.bot.calls.active", unit: "{call}", description: "Calls in progress", kind: "updowncounter" };
 */
export interface InstrumentDescriptor {
  readonly name: string;
  readonly unit: string;
  readonly description: string;
  readonly kind: InstrumentKind;
}

export const APP_INSTRUMENTS = {
  /** Histogram, seconds. Semantic-convention attributes: http.request.method, http.route, http.response.status_code, url.scheme. */
  httpServerDuration: { name: "http.server.request.duration", unit: "s", description: "Duration of HTTP server requests", kind: "histogram" },
  /** Histogram, seconds. Attribute: `bot.outcome` (answer, clarify, fallback, hours, transfer, goodbye, reprompt, repeat, pending, greeting, unknown_number, unavailable). */
  turnDuration: { name: "voxedge.bot.turn.duration", unit: "s", description: "Server time of one bot turn by outcome", kind: "histogram" },
  /** Histogram, seconds. Attribute: `cache.result` is not used here; only `bot.matched` (true, false). */
  knowledgeDuration: { name: "voxedge.bot.knowledge.duration", unit: "s", description: "Knowledge-base query duration", kind: "histogram" },
  /** UpDownCounter. */
  activeCalls: { name: "voxedge.bot.calls.active", unit: "{call}", description: "Calls in progress", kind: "updowncounter" },
  /** Counter. Attribute: `call.status` (completed, busy, failed, no-answer, canceled). */
  callsEnded: { name: "voxedge.bot.calls.ended", unit: "{call}", description: "Calls ended by final status", kind: "counter" },
  /** Histogram, seconds. */
  callDuration: { name: "voxedge.bot.call.duration", unit: "s", description: "Call duration reported by Twilio", kind: "histogram" },
  /** Counter. Attribute: `answer.source` (faq, cache, semantic, model, fallback): where a question's answer came from. */
  answers: { name: "voxedge.bot.answers", unit: "{answer}", description: "Answers to callers' questions by source", kind: "counter" },
} as const satisfies Record<string, InstrumentDescriptor>;

/**
 * The model client's instruments, named and shaped as the OpenTelemetry GenAI semantic conventions
 * define them. Attributes: `gen_ai.operation.name` (chat, embeddings), `gen_ai.request.model`,
 * `gen_ai.provider.name`, `error.type` on failures; token usage adds `gen_ai.token.type` (input, output).
 */
export const GEN_AI_INSTRUMENTS = {
  /** Histogram, seconds: a whole model call, failed ones included. */
  operationDuration: { name: "gen_ai.client.operation.duration", unit: "s", description: "GenAI operation duration", kind: "histogram" },
  /** Histogram, tokens. */
  tokenUsage: { name: "gen_ai.client.token.usage", unit: "{token}", description: "Number of input and output tokens used", kind: "histogram" },
  /** Histogram, seconds: from the request to the first streamed text, what a relay caller waits for. */
  timeToFirstChunk: {
    name: "gen_ai.client.operation.time_to_first_chunk",
    unit: "s",
    description: "Time to receive the first chunk in a streaming operation",
    kind: "histogram",
  },
} as const satisfies Record<string, InstrumentDescriptor>;

// Checked here rather than in src/cache, which must not import from the rest of the project.
CACHE_INSTRUMENTS satisfies Record<string, InstrumentDescriptor>;

/**
 * Every instrument the product records, app and cache together: what the dashboards may query.
 *
 * @example
 * for (const i of ALL_INSTRUMENTS) console.log(i.name, collectorPromName(i));
 */
export const ALL_INSTRUMENTS: readonly InstrumentDescriptor[] = [
  ...Object.values(APP_INSTRUMENTS),
  ...Object.values(GEN_AI_INSTRUMENTS),
  ...Object.values(CACHE_INSTRUMENTS),
];

/** Bucket boundaries, in seconds, for whole calls: from a hang-up after the greeting to an hour. */
export const CALL_DURATION_BUCKETS_SECONDS = [5, 10, 20, 30, 45, 60, 90, 120, 180, 300, 600, 900, 1800, 3600] as const;

/** The GenAI conventions' advised boundaries for model durations, in seconds (0.01 to 81.92, doubling). */
export const GEN_AI_DURATION_BUCKETS_SECONDS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92] as const;
/** The GenAI conventions' advised boundaries for token counts: 1, 4, 16, … 67 108 864. */
export const GEN_AI_TOKEN_BUCKETS = Array.from({ length: 14 }, (_, i) => 4 ** i);

/**
 * Histogram bucket boundaries for an instrument: call durations get call-length buckets, model
 * calls and tokens the GenAI conventions' buckets, every other seconds histogram the latency
 * buckets, anything else none (the SDK's own choice).
 *
 * @example
 * histogramBuckets(APP_INSTRUMENTS.turnDuration) // → LATENCY_BUCKETS_SECONDS
 */
export function histogramBuckets(instrument: InstrumentDescriptor): readonly number[] | undefined {
  if (instrument.name === GEN_AI_INSTRUMENTS.tokenUsage.name) return GEN_AI_TOKEN_BUCKETS;
  if (instrument.kind !== "histogram" || instrument.unit !== "s") return undefined;
  if (instrument.name.startsWith("gen_ai.")) return GEN_AI_DURATION_BUCKETS_SECONDS;
  return instrument.name === APP_INSTRUMENTS.callDuration.name ? CALL_DURATION_BUCKETS_SECONDS : LATENCY_BUCKETS_SECONDS;
}
