import type { Attributes, Meter } from "@opentelemetry/api";
import { GEN_AI_INSTRUMENTS as G } from "./instruments.ts";

/**
 * What one model call did, as the model client reports it (src/bot/model/call.ts has the same
 * shape; telemetry does not import the bot, so it is restated here).
 */
export interface GenAiOperation {
  readonly operation: "chat" | "embeddings";
  readonly model: string;
  readonly durationMs: number;
  readonly firstChunkMs?: number;
  readonly usage?: { readonly inputTokens: number; readonly outputTokens: number };
  /** An `E_*` code when the call failed. */
  readonly error?: string;
}

/**
 * Records model calls in the OpenTelemetry GenAI conventions. Attributes come from configuration
 * (the model name, the provider) and fixed lists (operation, token type, error code), never from
 * a prompt or an answer; their objects are built once per combination.
 *
 * @example
 * ```ts
 * const record = createModelMetrics(meter, { provider: "openai" });
 * const client = createModelClient({ ...options, observe: record });
 * ```
 */
export function createModelMetrics(meter: Meter, options: { readonly provider: string }): (operation: GenAiOperation) => void {
  const duration = meter.createHistogram(G.operationDuration.name, { unit: G.operationDuration.unit, description: G.operationDuration.description });
  const tokens = meter.createHistogram(G.tokenUsage.name, { unit: G.tokenUsage.unit, description: G.tokenUsage.description });
  const firstChunk = meter.createHistogram(G.timeToFirstChunk.name, { unit: G.timeToFirstChunk.unit, description: G.timeToFirstChunk.description });
  const memo = new Map<string, Attributes>();
  const attrs = (operation: string, model: string, extra: string, build: () => Attributes): Attributes => {
    const id = `${operation}\u0000${model}\u0000${extra}`;
    let found = memo.get(id);
    if (found === undefined) memo.set(id, (found = build()));
    return found;
  };
  const base = (operation: string, model: string): Attributes => ({
    "gen_ai.operation.name": operation,
    "gen_ai.request.model": model,
    "gen_ai.provider.name": options.provider,
  });

  return (op) => {
    const common = attrs(op.operation, op.model, op.error ?? "", () => ({ ...base(op.operation, op.model), ...(op.error ? { "error.type": op.error } : {}) }));
    duration.record(op.durationMs / 1000, common);
    if (op.firstChunkMs !== undefined) firstChunk.record(op.firstChunkMs / 1000, common);
    if (op.usage !== undefined) {
      tokens.record(op.usage.inputTokens, attrs(op.operation, op.model, "input", () => ({ ...base(op.operation, op.model), "gen_ai.token.type": "input" })));
      if (op.operation === "chat") {
        tokens.record(op.usage.outputTokens, attrs(op.operation, op.model, "output", () => ({ ...base(op.operation, op.model), "gen_ai.token.type": "output" })));
      }
    }
  };
}

/**
 * The `gen_ai.provider.name` for a base URL: the well-known providers by host, else `openai`
 * compatible servers are reported as what they emulate.
 *
 * @example
 * ```ts
 * providerName("https://api.groq.com/openai/v1") // "groq"
 * providerName("http://127.0.0.1:11434/v1")      // "openai"
 * ```
 */
export function providerName(baseUrl: string): string {
  const host = URL.canParse(baseUrl) ? new URL(baseUrl).hostname : "";
  if (host.endsWith("groq.com")) return "groq";
  if (host.endsWith("together.xyz") || host.endsWith("together.ai")) return "together";
  if (host.endsWith("azure.com")) return "azure.ai.openai";
  return "openai";
}
