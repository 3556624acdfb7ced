/**
 * Builds the model answerer the validated configuration asks for, or nothing: with no `LLM_*`
 * variable set the bot answers from its FAQs alone, exactly as before.
 */
import type { Meter } from "@opentelemetry/api";
import type { Cache, L2Adapter } from "./cache/index.ts";
import type { BotNamespace } from "./bot/lookups.ts";
import { createModelAnswerer, type CachedAnswer, type ModelAnswerer } from "./bot/model-answers.ts";
import { createModelBudget } from "./bot/model-budget.ts";
import { createSemanticLayer, type SemanticEntry } from "./bot/semantic-answers.ts";
import { createAnswerKeys, createModelClient } from "./bot/model/index.ts";
import type { Config } from "./config.ts";
import type { Log } from "./log.ts";
import { createModelMetrics, providerName } from "./telemetry/model-metrics.ts";

/** The part of {@link Config} the answerer reads. */
export type ModelConfig = Pick<
  Config,
  | "LLM_BASE_URL"
  | "LLM_API_KEY"
  | "LLM_MODEL"
  | "EMBEDDINGS_MODEL"
  | "LLM_SOFT_TIMEOUT_MS"
  | "LLM_HARD_TIMEOUT_MS"
  | "LLM_MAX_CALLS_PER_MINUTE"
  | "CACHE_KEY_SECRET"
  | "SEMANTIC_CACHE_THRESHOLD"
  | "CACHE_PREFIX"
  | "CACHE_L2_TIMEOUT_MS"
>;

/** What the answerer is built over. */
export interface ModelParts {
  readonly cache: Cache<BotNamespace>;
  /** The L2 the cache uses, for the fleet-wide budget; absent: counted per process. */
  readonly l2?: L2Adapter;
  readonly meter: Meter;
  readonly log: Log;
  /** The answer-key secret; default CACHE_KEY_SECRET. */
  readonly keySecret?: string;
}

/**
 * The answerer for `config`, or `undefined` when no model is configured.
 *
 * @example
 * ```ts
 * const model = modelFromConfig(config, { cache, l2, meter, log });
 * if (model) console.log("answers from", model.model);
 * ```
 */
export function modelFromConfig(config: ModelConfig, parts: ModelParts): ModelAnswerer | undefined {
  if (config.LLM_BASE_URL === undefined || config.LLM_MODEL === undefined) return undefined;
  const secret = parts.keySecret ?? config.CACHE_KEY_SECRET;
  // loadConfig already demands it; a config built by hand gets the same message.
  if (secret === undefined) throw new Error("CACHE_KEY_SECRET: is required when the model answerer is on");
  const client = createModelClient({
    baseUrl: config.LLM_BASE_URL,
    // Local servers (Ollama, llama.cpp, vLLM) take any key; the package insists on one.
    apiKey: config.LLM_API_KEY ?? "none",
    model: config.LLM_MODEL,
    ...(config.EMBEDDINGS_MODEL === undefined ? {} : { embeddingsModel: config.EMBEDDINGS_MODEL }),
    softTimeoutMs: config.LLM_SOFT_TIMEOUT_MS,
    hardTimeoutMs: config.LLM_HARD_TIMEOUT_MS,
    observe: createModelMetrics(parts.meter, { provider: providerName(config.LLM_BASE_URL) }),
  });
  const keys = createAnswerKeys(secret);
  const semantic =
    config.EMBEDDINGS_MODEL === undefined
      ? undefined
      : createSemanticLayer({
          client,
          embeddings: parts.cache.namespace<string>("embeddings"),
          index: parts.cache.namespace<readonly SemanticEntry[]>("semantic"),
          keys,
          threshold: config.SEMANTIC_CACHE_THRESHOLD,
        });
  return createModelAnswerer({
    client,
    answers: parts.cache.namespace<CachedAnswer>("answers"),
    keys,
    ...(semantic ? { semantic } : {}),
    budget: createModelBudget({ maxPerMinute: config.LLM_MAX_CALLS_PER_MINUTE, prefix: config.CACHE_PREFIX, timeoutMs: config.CACHE_L2_TIMEOUT_MS, ...(parts.l2 ? { l2: parts.l2 } : {}) }),
    hardTimeoutMs: config.LLM_HARD_TIMEOUT_MS,
    log: (level, message, fields) => parts.log(level, message, fields),
  });
}
