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
  const key = hasherKey(secret);
  // Where the runtime hashes into a buffer, the padded key is prepared once and a call allocates
  // only its result (one HMAC object per call costs several times as much); elsewhere node:crypto.
  return scratchHmacSha256(key)?.text ?? ((text) => createHmac("sha256", key).update(text).digest("base64url").slice(0, KEYED_HASH_LENGTH));
}

/**
 * `keyedHasher(secret)` of `normalizeQuestion(question)`, in one step: an ASCII question is
 * normalised straight into the hash's buffer, with no normalised string in between.
 *
 * @example
 * ```ts
 * const hashQuestion = keyedQuestionHasher(process.env.CACHE_KEY_SECRET!);
 * hashQuestion("Is there PARKING?") === keyedHasher(process.env.CACHE_KEY_SECRET!)("is there parking") // true
 * ```
 */
export function keyedQuestionHasher(secret: string): (question: string) => string {
  const key = hasherKey(secret);
  const scratch = scratchHmacSha256(key);
  if (scratch !== undefined) return scratch.question;
  return (question) => createHmac("sha256", key).update(normalizeQuestion(question)).digest("base64url").slice(0, KEYED_HASH_LENGTH);
}

function hasherKey(secret: string): Buffer {
  if (typeof secret !== "string" || secret.length === 0) throw new TypeError("keyedHasher needs a non-empty secret");
  return Buffer.from(secret, "utf8");
}

/** Characters of a keyed hash: 22 base64url characters, 128 bits and a few. */
const KEYED_HASH_LENGTH = 22;
const SHA256_BLOCK = 64;
const SHA256_LENGTH = 32;
const BASE64URL_CODES = Uint8Array.from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", (char) => char.charCodeAt(0));

/** A one-shot SHA-256 that writes its digest into a given buffer (Bun's `SHA256.hash`). */
type Sha256Into = (data: Uint8Array, into: Uint8Array) => unknown;

/**
 * HMAC-SHA256 (RFC 2104) under `key` as the first 22 base64url characters of its digest, the same
 * text as node:crypto's `digest("base64url").slice(0, 22)`, over buffers kept between calls:
 * `H((K ^ opad) || H((K ^ ipad) || text))`. `text` hashes any text; `question` hashes
 * `normalizeQuestion(question)`. Undefined without a SHA-256 that hashes into a buffer.
 */
function scratchHmacSha256(key: Buffer): { text(text: string): string; question(question: string): string } | undefined {
  const runtime = (globalThis as { Bun?: { SHA256?: { hash?: Sha256Into } } }).Bun;
  const hash = runtime?.SHA256?.hash;
  if (typeof hash !== "function") return undefined;
  const sha256: Sha256Into = (data, into) => hash.call(runtime!.SHA256, data, into);
  let blockKey: Uint8Array = key;
  if (blockKey.length > SHA256_BLOCK) {
    blockKey = new Uint8Array(SHA256_LENGTH);
    sha256(key, blockKey);
  }
  const pad = (buffer: Uint8Array, byte: number) => {
    for (let i = 0; i < SHA256_BLOCK; i++) buffer[i] = (blockKey[i] ?? 0) ^ byte;
  };
  // Room for the longest question the ASCII pass writes, so that pass never needs a larger one.
  let inner = Buffer.allocUnsafe(SHA256_BLOCK + MAX_ASCII_QUESTION);
  pad(inner, 0x36);
  const outer = new Uint8Array(SHA256_BLOCK + SHA256_LENGTH);
  pad(outer, 0x5c);
  const innerDigest = outer.subarray(SHA256_BLOCK);
  const digest = new Uint8Array(SHA256_LENGTH);
  const out = Buffer.allocUnsafe(KEYED_HASH_LENGTH);
  // Views of `inner` from its start, one per length, each made once: hashing then allocates nothing.
  let prefixes: (Uint8Array | undefined)[] = [];

  /** The keyed hash of what `inner` holds after the padded key, up to `end`. */
  const finish = (end: number): string => {
    sha256((prefixes[end] ??= inner.subarray(0, end)), innerDigest);
    sha256(outer, digest);
    // 22 characters are 132 bits: five groups of three bytes, then two characters of the 16th and 17th bytes.
    let at = 0;
    for (let i = 0; i < 15; i += 3) {
      const n = (digest[i]! << 16) | (digest[i + 1]! << 8) | digest[i + 2]!;
      out[at++] = BASE64URL_CODES[n >>> 18]!;
      out[at++] = BASE64URL_CODES[(n >>> 12) & 63]!;
      out[at++] = BASE64URL_CODES[(n >>> 6) & 63]!;
      out[at++] = BASE64URL_CODES[n & 63]!;
    }
    const n = (digest[15]! << 16) | (digest[16]! << 8);
    out[at++] = BASE64URL_CODES[n >>> 18]!;
    out[at] = BASE64URL_CODES[(n >>> 12) & 63]!;
    return out.toString("latin1", 0, KEYED_HASH_LENGTH);
  };
  const text = (value: string): string => {
    // UTF-8 takes at most three bytes per UTF-16 code unit.
    if (SHA256_BLOCK + 3 * value.length > inner.length) {
      inner = Buffer.allocUnsafe(SHA256_BLOCK + 3 * value.length);
      pad(inner, 0x36);
      prefixes = [];
    }
    return finish(SHA256_BLOCK + inner.write(value, SHA256_BLOCK, "utf8"));
  };
  const question = (value: string): string => {
    const end = writeAsciiQuestion(value, inner, SHA256_BLOCK);
    return end === -1 ? text(normalizeQuestionByRules(value)) : finish(end);
  };
  return { text, question };
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
  return normalizeAsciiQuestion(text) ?? normalizeQuestionByRules(text);
}

/**
 * {@link normalizeQuestion} as its rules are written, for any text: NFKC, lower case, typographic
 * apostrophes made plain, everything but letters, digits, apostrophes and spaces made a space, an
 * apostrophe next to a space (or an end) made a space, spaces collapsed and trimmed.
 *
 * @example
 * ```ts
 * normalizeQuestionByRules("  Do you have PARKING?! ") // "do you have parking"
 * ```
 */
export function normalizeQuestionByRules(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[’‘`]/g, "'")
    .replace(/[^\p{L}\p{N}'\s]+/gu, " ")
    .replace(/'(?=\s|$)|(?<=\s|^)'/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** Longest question the ASCII pass takes; a longer one goes through the rules. */
const MAX_ASCII_QUESTION = 1_024;
const QUESTION_SPACE = 0x20;
const QUESTION_APOSTROPHE = 0x27;
/** What each ASCII character becomes before apostrophes and spaces are settled: itself lowered, an apostrophe, or a space. */
const ASCII_QUESTION_CHAR = new Uint8Array(128).map((_, code) => {
  if (code >= 0x61 && code <= 0x7a) return code;
  if (code >= 0x41 && code <= 0x5a) return code + 0x20;
  if (code >= 0x30 && code <= 0x39) return code;
  if (code === QUESTION_APOSTROPHE || code === 0x60) return QUESTION_APOSTROPHE;
  return QUESTION_SPACE;
});
/** Made on first use, so loading this module needs no Buffer. */
let asciiScratch: Buffer | undefined;

/**
 * The same result as {@link normalizeQuestionByRules} in one pass without a regular expression, for
 * ASCII text (what speech recognition writes); undefined for anything else. In ASCII, NFKC changes
 * nothing, letters and digits are the only `\p{L}` and `\p{N}`, and the back quote is the only
 * typographic apostrophe.
 */
function normalizeAsciiQuestion(text: string): string | undefined {
  const scratch = (asciiScratch ??= Buffer.allocUnsafe(MAX_ASCII_QUESTION));
  const end = writeAsciiQuestion(text, scratch, 0);
  return end === -1 ? undefined : scratch.toString("latin1", 0, end);
}

/**
 * Writes {@link normalizeAsciiQuestion}'s result as bytes into `into` from `offset` (which must
 * have room for {@link MAX_ASCII_QUESTION} bytes) and returns where it ends; -1 for text the ASCII
 * pass does not take (nothing useful is written then).
 */
function writeAsciiQuestion(text: string, into: Uint8Array, offset: number): number {
  const length = text.length;
  if (length > MAX_ASCII_QUESTION) return -1;
  let out = offset;
  // Whether the character before (after the first rules) was a space, or the start.
  let afterSpace = true;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x80) return -1;
    let char = ASCII_QUESTION_CHAR[code]!;
    if (char === QUESTION_APOSTROPHE) {
      const next = i + 1 < length ? text.charCodeAt(i + 1) : QUESTION_SPACE;
      const spaceNext = next < 0x80 && ASCII_QUESTION_CHAR[next] === QUESTION_SPACE;
      if (afterSpace || spaceNext) char = QUESTION_SPACE;
      afterSpace = false;
    } else {
      afterSpace = char === QUESTION_SPACE;
    }
    if (char === QUESTION_SPACE) {
      // Collapsed, and never leading: a trailing one is dropped below.
      if (out === offset || into[out - 1] === QUESTION_SPACE) continue;
    }
    into[out++] = char;
  }
  if (out > offset && into[out - 1] === QUESTION_SPACE) out--;
  return out;
}
