import { createHash, createHmac, randomBytes } from "node:crypto";

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
 * Makes a keyed hasher for key parts derived from people's words (a caller's question): HMAC-SHA256
 * with `secret`, 128 bits in base64url (22 characters). Without the secret a key cannot be
 * reversed by hashing guesses, and every instance given the same secret makes the same keys, so
 * they share entries. Take the secret from the deployment (never derive it from another
 * credential); see {@link randomKeySecret} for a process that has none.
 *
 * @example
 * ```ts
 * const hashKey = keyedHasher(process.env.CACHE_KEY_SECRET!);
 * keyOf("bella-pizza", hashKey(normalizeQuestion("Is there parking?"))) // "bella-pizza:Xk3…" (22 characters after the colon)
 * ```
 */
export function keyedHasher(secret: string): (text: string) => string {
  if (typeof secret !== "string" || secret.length === 0) throw new TypeError("keyedHasher needs a non-empty secret");
  // The key is fixed once; each call builds one HMAC over it (a few microseconds).
  const key = Buffer.from(secret, "utf8");
  return (text) => createHmac("sha256", key).update(text).digest("base64url").slice(0, 22);
}

/**
 * A random secret for {@link keyedHasher} when the deployment gives none: keys are then private
 * but not shared with other processes (each has its own secret).
 *
 * @example
 * ```ts
 * const hashKey = keyedHasher(configured ?? randomKeySecret());
 * ```
 */
export function randomKeySecret(): string {
  return randomBytes(32).toString("base64url");
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
