/**
 * One model request's life: the AbortSignal it is sent with (the caller's signal and our hard
 * timer both abort it), the breaker's say before it and its bookkeeping after, and one report to
 * the observer however it ends. Shared by chat completions and embeddings.
 */
import type { ModelBreaker } from "./breaker.ts";
import { ModelError, toModelError, type ModelErrorCode } from "./errors.ts";

/** Tokens a call spent, as the provider counted them (embeddings: input only). */
export interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/**
 * What one model call did, reported once when it ends: the figures of the OpenTelemetry GenAI
 * conventions (operation duration, time to first chunk, token usage) and, when it failed, why.
 */
export interface ModelOperation {
  readonly operation: "chat" | "embeddings";
  readonly model: string;
  readonly durationMs: number;
  readonly firstChunkMs?: number;
  readonly usage?: TokenUsage;
  /** Absent on success. `E_MODEL_UNAVAILABLE` means no request was sent. */
  readonly error?: ModelErrorCode;
}

/** Receives every {@link ModelOperation}; must not throw (a throw is ignored). */
export type ModelObserver = (operation: ModelOperation) => void;

/** What a running call needs from its owner. */
export interface CallSettings {
  readonly operation: ModelOperation["operation"];
  readonly model: string;
  readonly breaker: ModelBreaker;
  readonly hardTimeoutMs: number;
  readonly observe: ModelObserver | undefined;
}

/** One request's signal and bookkeeping; exactly one of succeeded / failed / abandoned ends it. */
export interface Call {
  readonly signal: AbortSignal;
  /** Milliseconds since the call began. */
  elapsed(): number;
  succeeded(figures?: { readonly firstChunkMs?: number; readonly usage?: TokenUsage }): void;
  /** Reports the failure and returns it as a ModelError, for the caller to throw. */
  failed(error: unknown): ModelError;
  /** The consumer stopped listening (a barge-in): abort the request, blame nobody. */
  abandoned(): void;
}

/**
 * Begins a call, or throws a ModelError when the caller already aborted or the breaker is open
 * (both reported to the observer, without any request).
 *
 * @example
 * ```ts
 * const call = beginCall({ operation: "embeddings", model, breaker, hardTimeoutMs: 6_000, observe }, signal);
 * try { const r = await send({ signal: call.signal }); call.succeeded(); return r; }
 * catch (error) { throw call.failed(error); }
 * ```
 */
export function beginCall(settings: CallSettings, callerSignal: AbortSignal | undefined): Call {
  const { breaker, hardTimeoutMs } = settings;
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  const report = (figures: Omit<ModelOperation, "operation" | "model" | "durationMs">) => {
    try {
      settings.observe?.({ operation: settings.operation, model: settings.model, durationMs: elapsed(), ...figures });
    } catch {
      // Metrics must never break a call.
    }
  };
  const refuse = (code: ModelErrorCode, message: string): never => {
    report({ error: code });
    throw new ModelError(code, message);
  };
  if (callerSignal?.aborted) refuse("E_MODEL_ABORTED", "the caller aborted before the request");
  if (!breaker.allow()) refuse("E_MODEL_UNAVAILABLE", "the model breaker is open; no request sent");

  const controller = new AbortController();
  let timedOut = false;
  let ended = false;
  const hard = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, hardTimeoutMs);
  const onCallerAbort = () => controller.abort();
  callerSignal?.addEventListener("abort", onCallerAbort, { once: true });
  const end = () => {
    ended = true;
    clearTimeout(hard);
    callerSignal?.removeEventListener("abort", onCallerAbort);
  };

  return {
    signal: controller.signal,
    elapsed,
    succeeded(figures = {}) {
      if (ended) return;
      end();
      breaker.success();
      report(figures);
    },
    failed(error) {
      const failure = toModelError(error, timedOut, hardTimeoutMs);
      if (ended) return failure;
      end();
      if (failure.countsAgainstModel) breaker.failure(failure.details.retryAfterMs);
      else breaker.release();
      report({ error: failure.code });
      return failure;
    },
    abandoned() {
      if (ended) return;
      end();
      controller.abort();
      breaker.release();
      report({ error: "E_MODEL_ABORTED" });
    },
  };
}
