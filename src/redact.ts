/**
 * Cleans text that came from outside (an error message of a client library, a directory, a
 * socket) before it is logged: such text can quote a dialled number, what a caller said, a
 * request URL with its query, or a whole command with its values.
 */

/** Longer text is cut: enough to tell a timeout from a refusal, never a payload. */
const MAX_REDACTED_LENGTH = 300;

/**
 * One pass, so a replacement is never scanned again:
 * 1. a URL (scheme, authority, then path/query/fragment),
 * 2. a quoted string ("…", “…”, `…`, or '…' not inside a word, so "don't" stays),
 * 3. a number of four digits or more, separators allowed between digits (+1 (555) 765-4321,
 *    4111 1111 1111 1111, 2026-12-01); shorter ones (a status 502, "300 ms") stay readable.
 */
const EXTERNAL_VALUE =
  /([a-z][a-z0-9+.-]*:\/\/)([^\s/?#"'<>]*)([^\s"'<>]*)|"[^"\n]*"|“[^”\n]*”|`[^`\n]*`|(?<![\p{L}\p{N}])'[^'\n]*'(?![\p{L}\p{N}])|\+?\(?\d(?:[ ().-]{0,2}\d){3,}/giu;

function replaceValue(match: string, scheme: string | undefined, authority: string | undefined, rest: string | undefined): string {
  if (scheme !== undefined) {
    // The host says which service failed; credentials, path and query may carry anything.
    const host = authority!.slice(authority!.lastIndexOf("@") + 1);
    return `${scheme}${host}${rest === "" ? "" : "/…"}`;
  }
  const first = match[0];
  if (first === '"' || first === "“" || first === "`" || first === "'") return '"…"';
  return "[number]";
}

/**
 * Text from outside, safe to log: URLs keep only scheme and host, quoted strings become `"…"`,
 * numbers of four digits or more become `[number]`, and the result is cut to 300 characters.
 *
 * @example
 * ```ts
 * redactExternal('fetch failed: http://user:pw@dir.example:8080/by-number/%2B15557654321?x=1');
 * // 'fetch failed: http://dir.example:8080/…'
 * redactExternal('ERR value "my card is 4111 1111 1111 1111" for +1 (555) 765-4321');
 * // 'ERR value "…" for [number]'
 * ```
 */
export function redactExternal(text: string): string {
  const cleaned = text.replace(EXTERNAL_VALUE, replaceValue).replace(/\s+/g, " ").trim();
  return cleaned.length > MAX_REDACTED_LENGTH ? `${cleaned.slice(0, MAX_REDACTED_LENGTH)}…` : cleaned;
}

/**
 * The message of a caught value, redacted, for a log field.
 *
 * @example
 * ```ts
 * try { await work(); } catch (error) { log("error", "work failed", { error: errorText(error) }); }
 * ```
 */
export function errorText(error: unknown): string {
  return redactExternal(error instanceof Error ? error.message : String(error));
}
