import { createHash } from "node:crypto";

/** Parts longer than this are replaced by a hash, so no key is ever too long for Redis or readable logs. */
const MAX_PART_LENGTH = 120;

/**
 * Builds a cache key from parts: stable (same parts, same key), separator-safe (a part containing
 * `:` cannot collide with two parts) and bounded (long parts are hashed).
 *
 * @example
 * ```ts
 * keyOf("bella-pizza", normalizeQuestion("Do you have parking?")) // "bella-pizza:do you have parking"
 * keyOf("a:b") !== keyOf("a", "b")                                // true
 * ```
 */
export function keyOf(...parts: ReadonlyArray<string | number | boolean>): string {
  let key = "";
  for (let i = 0; i < parts.length; i++) {
    if (i > 0) key += ":";
    key += encodePart(String(parts[i]));
  }
  return key;
}

function encodePart(part: string): string {
  // `%` is escaped first so the escaping itself cannot collide with literal text.
  const escaped = part.includes("%") || part.includes(":") ? part.replaceAll("%", "%25").replaceAll(":", "%3A") : part;
  if (escaped.length <= MAX_PART_LENGTH) return escaped;
  return `#${hashText(escaped)}`;
}

/** A short, stable, URL- and key-safe digest of `text` (SHA-256, base64url, 128 bits). */
export function hashText(text: string): string {
  return createHash("sha256").update(text).digest("base64url").slice(0, 22);
}

/**
 * Normalises a caller's question into a cache key part, so that the same question asked with
 * other case, punctuation or spacing hits the same entry. It does not stem or drop words: two
 * different questions must stay two keys.
 *
 * @example
 * ```ts
 * normalizeQuestion("What are your hours?") === normalizeQuestion("what are your  hours") // true
 * ```
 */
export function normalizeQuestion(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[’‘`]/g, "'")
    .replace(/[^\p{L}\p{N}'\s]+/gu, " ")
    .replace(/'(?=\s|$)|(?<=\s|^)'/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}
