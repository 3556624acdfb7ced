/**
 * HMAC-SHA1 without allocating per call, for the webhook signature check: the padded key is
 * prepared once and the message is encoded into a buffer kept between calls.
 */

/** SHA-1 block size in bytes; HMAC pads its key to it. */
const SHA1_BLOCK = 64;
const SHA1_LENGTH = 20;
const BASE64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** A one-shot SHA-1 that writes its digest into a given buffer (Bun's `Bun.SHA1.hash`). */
type Sha1Into = (data: Uint8Array, into: Uint8Array) => unknown;
/** A byte buffer that encodes a string as UTF-8 at an offset without allocating (`Buffer#write`). */
interface WritableBytes extends Uint8Array {
  write(text: string, offset: number, encoding: "utf8"): number;
}

/**
 * HMAC-SHA1 (RFC 2104) of `url + payload` keyed with `key`, written as base64 ASCII into a
 * 28-byte buffer, over scratch buffers kept between calls: `H((K ^ opad) || H((K ^ ipad) || text))`.
 * The payload is text (hashed as UTF-8) or bytes already. Undefined where the runtime has no SHA-1
 * that writes into a buffer (then node:crypto's HMAC is used).
 *
 * @example
 * const hmac = scratchHmacSha1(new TextEncoder().encode(token));
 * hmac?.("https://bot.example.com/twilio/gather", "CallSidCA1", into); // into holds "…=" as ASCII codes
 */
export function scratchHmacSha1(key: Uint8Array): ((url: string, payload: string | Uint8Array, into: Uint8Array) => void) | undefined {
  const runtime = (globalThis as { Bun?: { SHA1?: { hash?: Sha1Into } } }).Bun;
  const BufferClass = (globalThis as { Buffer?: { allocUnsafe(size: number): WritableBytes } }).Buffer;
  const hash = runtime?.SHA1?.hash;
  if (typeof hash !== "function" || BufferClass === undefined) return undefined;
  const sha1: Sha1Into = (data, into) => hash.call(runtime!.SHA1, data, into);

  let blockKey = key;
  if (blockKey.length > SHA1_BLOCK) {
    blockKey = new Uint8Array(SHA1_LENGTH);
    sha1(key, blockKey);
  }
  const outer = new Uint8Array(SHA1_BLOCK + SHA1_LENGTH);
  let inner = BufferClass.allocUnsafe(SHA1_BLOCK + 4_096);
  const padInner = (buffer: Uint8Array) => {
    for (let i = 0; i < SHA1_BLOCK; i++) buffer[i] = (blockKey[i] ?? 0) ^ 0x36;
  };
  padInner(inner);
  for (let i = 0; i < SHA1_BLOCK; i++) outer[i] = (blockKey[i] ?? 0) ^ 0x5c;
  const innerDigest = outer.subarray(SHA1_BLOCK);
  const digest = new Uint8Array(SHA1_LENGTH);
  // Views of `inner` from its start, one per length, each made once: hashing then allocates nothing.
  let prefixes: (Uint8Array | undefined)[] = [];

  return (url, payload, into) => {
    // UTF-8 takes at most three bytes per UTF-16 code unit.
    const needed = SHA1_BLOCK + 3 * (url.length + payload.length);
    if (needed > inner.length) {
      inner = BufferClass.allocUnsafe(needed);
      padInner(inner);
      prefixes = [];
    }
    const urlBytes = inner.write(url, SHA1_BLOCK, "utf8");
    let textEnd = SHA1_BLOCK + urlBytes;
    if (typeof payload === "string") textEnd += inner.write(payload, textEnd, "utf8");
    else {
      inner.set(payload, textEnd);
      textEnd += payload.length;
    }
    sha1((prefixes[textEnd] ??= inner.subarray(0, textEnd)), innerDigest);
    sha1(outer, digest);
    base64Into(digest, into);
  };
}

/** Standard base64 (with `=` padding) of 20 bytes as ASCII codes: 28 bytes. */
function base64Into(bytes: Uint8Array, into: Uint8Array): void {
  let at = 0;
  let i = 0;
  for (; i + 3 <= bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    into[at++] = BASE64_ALPHABET.charCodeAt(n >> 18);
    into[at++] = BASE64_ALPHABET.charCodeAt((n >> 12) & 63);
    into[at++] = BASE64_ALPHABET.charCodeAt((n >> 6) & 63);
    into[at++] = BASE64_ALPHABET.charCodeAt(n & 63);
  }
  // 20 = 6 × 3 + 2: two bytes left, three characters and one "=".
  const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
  into[at++] = BASE64_ALPHABET.charCodeAt(n >> 18);
  into[at++] = BASE64_ALPHABET.charCodeAt((n >> 12) & 63);
  into[at++] = BASE64_ALPHABET.charCodeAt((n >> 6) & 63);
  into[at] = 0x3d;
}
