/**
 * Why a model call did not produce an answer, as one error class with `E_*` codes. Every code means
 * the same thing to a turn: fall back to the honest sentence. The codes tell metrics and logs why,
 * and tell the breaker whether the model itself is unwell (`countsAgainstModel`).
 */
// The package's error classes alone (a few modules), not its client (over 200): a server without a
// model never loads the client, and the client throws these very classes.
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai/core/error";

/**
 * - `E_MODEL_UNAVAILABLE`: the breaker is open; no request was sent.
 * - `E_MODEL_TIMEOUT`: the hard timeout passed; the request was aborted.
 * - `E_MODEL_RATE_LIMITED`: the provider answered 429 (`retryAfterMs` from its Retry-After).
 * - `E_MODEL_SERVER`: a 5xx, or no answer at all (connection refused or reset).
 * - `E_MODEL_REQUEST`: the provider refused the request (400, 401, 403, 404…): a configuration
 *   problem, not an outage.
 * - `E_MODEL_ABORTED`: the caller's own signal ended the call (an interrupt, a hang-up).
 * - `E_MODEL_NOT_CONFIGURED`: embeddings were asked for without an embeddings model.
 */
export type ModelErrorCode =
  | "E_MODEL_UNAVAILABLE"
  | "E_MODEL_TIMEOUT"
  | "E_MODEL_RATE_LIMITED"
  | "E_MODEL_SERVER"
  | "E_MODEL_REQUEST"
  | "E_MODEL_ABORTED"
  | "E_MODEL_NOT_CONFIGURED";

/** The codes that say the model is unwell, so the breaker counts them: 429, 5xx, stalls. */
const OUTAGE_CODES: ReadonlySet<ModelErrorCode> = new Set(["E_MODEL_TIMEOUT", "E_MODEL_RATE_LIMITED", "E_MODEL_SERVER"]);

/**
 * A model call that gave no answer. The message never holds the prompt or the caller's words.
 *
 * @example
 * ```ts
 * try { await model.answer(messages); }
 * catch (error) { if (error instanceof ModelError && error.code === "E_MODEL_UNAVAILABLE") speakFallback(); }
 * ```
 */
export class ModelError extends Error {
  override readonly name = "ModelError";
  constructor(
    readonly code: ModelErrorCode,
    message: string,
    readonly details: { readonly status?: number; readonly retryAfterMs?: number; readonly cause?: unknown } = {},
  ) {
    super(`${code}: ${message}`, details.cause === undefined ? undefined : { cause: details.cause });
  }

  /** Whether this failure is the model's (429, 5xx, timeout) rather than ours or the caller's. */
  get countsAgainstModel(): boolean {
    return OUTAGE_CODES.has(this.code);
  }
}

/**
 * True when `error` is a ModelError, optionally with one of `codes`.
 *
 * @example
 * ```ts
 * if (isModelError(error, "E_MODEL_ABORTED")) return; // the caller interrupted; nothing to say
 * ```
 */
export function isModelError(error: unknown, ...codes: ModelErrorCode[]): error is ModelError {
  return error instanceof ModelError && (codes.length === 0 || codes.includes(error.code));
}

/**
 * Maps what the `openai` package throws to our codes; `timedOut` says our hard timer fired (the
 * package then reports a plain abort).
 *
 * @example
 * ```ts
 * toModelError(new RateLimitError(429, undefined, "slow down", headers), false, 6_000).code // "E_MODEL_RATE_LIMITED"
 * ```
 */
export function toModelError(error: unknown, timedOut: boolean, hardTimeoutMs: number): ModelError {
  if (error instanceof ModelError) return error;
  if (timedOut) return new ModelError("E_MODEL_TIMEOUT", `no complete answer within ${hardTimeoutMs} ms`, { cause: error });
  if (error instanceof APIUserAbortError || (error instanceof Error && error.name === "AbortError")) {
    return new ModelError("E_MODEL_ABORTED", "the caller aborted the request", { cause: error });
  }
  if (error instanceof APIConnectionTimeoutError) return new ModelError("E_MODEL_TIMEOUT", "the request timed out", { cause: error });
  if (error instanceof APIConnectionError) return new ModelError("E_MODEL_SERVER", "no answer from the model server", { cause: error });
  if (error instanceof APIError && typeof error.status === "number") {
    const status = error.status;
    if (status === 429) {
      const retryAfterMs = retryAfter(error.headers);
      return new ModelError("E_MODEL_RATE_LIMITED", "the provider is rate limiting", { status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }), cause: error });
    }
    if (status >= 500) return new ModelError("E_MODEL_SERVER", `the model server answered ${status}`, { status, cause: error });
    return new ModelError("E_MODEL_REQUEST", `the provider refused the request with ${status}`, { status, cause: error });
  }
  // A broken stream (bad JSON, a cut connection mid-answer).
  return new ModelError("E_MODEL_SERVER", "the model's answer could not be read", { cause: error });
}

/** Milliseconds from `retry-after-ms` or `Retry-After` (seconds or an HTTP date). */
function retryAfter(headers: Headers | undefined): number | undefined {
  const ms = Number.parseFloat(headers?.get("retry-after-ms") ?? "");
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers?.get("retry-after");
  if (!value) return undefined;
  const seconds = Number.parseFloat(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}
