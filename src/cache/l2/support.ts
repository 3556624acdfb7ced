import { L2UnavailableError } from "../errors.ts";
import type { L2Kind } from "./types.ts";

/** Reasons are cut to this length: enough to tell a timeout from a refusal, never a payload. */
const MAX_REASON_LENGTH = 160;

/** Shorter strings are not redacted: replacing every `ok` or `1` would garble the reason, not protect a secret. */
const MIN_REDACTED_LENGTH = 3;

/**
 * Builds the {@link L2UnavailableError} an adapter throws: `"<kind> <op> failed: <reason>"`, where the reason is the
 * client's message with every given secret (values, tokens) cut out and anything after
 * `", command was:"` dropped (the Upstash client appends the whole command there). The original
 * error is deliberately not attached as `cause`: loggers print causes, and those carry values.
 *
 * @example
 * ```ts
 * throw l2Error("upstash", "set", err, [value, token]); // L2UnavailableError("upstash set failed: Unauthorized"), code E_L2_UNAVAILABLE
 * ```
 */
export function l2Error(kind: L2Kind, op: string, cause: unknown, secrets: readonly string[] = []): L2UnavailableError {
  return new L2UnavailableError(`${kind} ${op} failed: ${safeReason(cause, secrets)}`);
}

function safeReason(cause: unknown, secrets: readonly string[]): string {
  let reason = cause instanceof Error ? cause.message : typeof cause === "string" ? cause : "unknown error";
  const commandEcho = reason.indexOf(", command was:");
  if (commandEcho >= 0) reason = reason.slice(0, commandEcho);
  for (const secret of secrets) {
    if (secret.length >= MIN_REDACTED_LENGTH) reason = reason.replaceAll(secret, "[redacted]");
  }
  reason = reason.replace(/\s+/g, " ").trim();
  if (reason.length > MAX_REASON_LENGTH) reason = `${reason.slice(0, MAX_REASON_LENGTH)}…`;
  return reason || "unknown error";
}

/**
 * Validates a TTL and makes it a whole number of milliseconds (Redis `PX` takes integers).
 *
 * @example
 * ```ts
 * ttlMillis(1500.2) // 1501
 * ttlMillis(0)      // throws RangeError
 * ```
 */
export function ttlMillis(ttlMs: number): number {
  if (!Number.isFinite(ttlMs) || ttlMs < 1) throw new RangeError(`L2 ttlMs must be a finite number ≥ 1, got ${ttlMs}`);
  return Math.ceil(ttlMs);
}

/**
 * Turns a key prefix into a Redis `SCAN MATCH` pattern that takes the prefix literally: glob
 * characters (`* ? [ ] \`) are escaped, then `*` is appended.
 *
 * @example
 * ```ts
 * prefixPattern("voxedge:kb[1]*") // "voxedge:kb\\[1\\]\\**"
 * ```
 */
export function prefixPattern(prefix: string): string {
  return `${prefix.replace(/[*?[\]\\]/g, "\\$&")}*`;
}
