/**
 * Checks the `X-Twilio-Signature` header on webhooks and ConversationRelay handshakes.
 *
 * What is signed: the public URL Twilio requested, then every posted field as name immediately
 * followed by value, names in code-unit order (a name posted with several values contributes each
 * distinct value once, values in code-unit order), HMAC-SHA1 keyed with the auth token, base64.
 * Twilio's own helper library also accepts the URL with and without the default port and, failing
 * that, the WHATWG-normalised URL with and without its query re-encoded by Node's legacy
 * `querystring`; this module accepts exactly the same variants so that a request the library
 * accepts is accepted here and vice versa. One deliberate difference: `wss://` URLs get `:443` as
 * their default port (the library would add `:80`), because ConversationRelay handshakes are
 * signed over the `wss://` URL.
 *
 * Everything that can be resolved once (the HMAC key, the crypto functions) is resolved when the
 * validator is created; a webhook then costs one HMAC in the common case (URL as configured),
 * which on Bun runs over scratch buffers and allocates nothing.
 */

import { scratchHmacSha1 } from "./hmac-sha1.ts";

type NodeCrypto = typeof import("node:crypto");
type NodeQuerystring = typeof import("node:querystring");

/**
 * Posted fields in any of the shapes a handler has at hand: a plain record (a value may be a list
 * when a name was posted more than once), `URLSearchParams`, or the `[name, value]` pairs from
 * `parseTwilioForm` (duplicates kept, which is what the signature covers).
 */
export type SignedParams =
  | Readonly<Record<string, string | readonly string[]>>
  | URLSearchParams
  | ReadonlyArray<readonly [string, string]>;

/** Synchronous validator backed by `node:crypto` (Bun, Deno and Node all provide it). */
export interface SignatureValidator {
  /** True when `signature` is Twilio's signature of `params` posted to `url` (or an accepted variant of `url`). */
  validate(url: string, params: SignedParams, signature: string | null | undefined): boolean;
  /**
   * For JSON bodies: Twilio puts `bodySHA256` (hex SHA-256 of the raw body) in the URL's query and
   * signs the URL alone. True when both the signature and the body hash check out.
   */
  validateJsonBody(url: string, rawBody: string | Uint8Array, signature: string | null | undefined): boolean;
  /** The signature Twilio would send for `params` posted to exactly `url` (no variants). */
  sign(url: string, params: SignedParams): string;
}

/** The same contract over Web Crypto, whose HMAC is asynchronous. */
export interface AsyncSignatureValidator {
  validate(url: string, params: SignedParams, signature: string | null | undefined): Promise<boolean>;
  validateJsonBody(url: string, rawBody: string | Uint8Array, signature: string | null | undefined): Promise<boolean>;
  sign(url: string, params: SignedParams): Promise<string>;
}

/** Length of a base64 HMAC-SHA1 (20 bytes → 28 characters with one `=`). */
const SIGNATURE_LENGTH = 28;

/**
 * Creates a validator for one auth token, using `node:crypto`.
 *
 * @example
 * const signatures = createSignatureValidator(env.TWILIO_AUTH_TOKEN);
 * if (!signatures.validate(publicUrl, form.pairs, request.headers.get("x-twilio-signature"))) {
 *   return new Response("forbidden", { status: 403 });
 * }
 *
 * @throws when the token is empty (anyone could sign) or `node:crypto` is missing; in a runtime
 * without `node:crypto` use {@link createWebCryptoSignatureValidator}.
 */
export function createSignatureValidator(authToken: string): SignatureValidator {
  assertToken(authToken);
  const nodeCrypto = builtinModule<NodeCrypto>("node:crypto");
  if (!nodeCrypto) {
    throw new Error("node:crypto is not available in this runtime; use createWebCryptoSignatureValidator");
  }
  const { createHmac, createHash, createSecretKey, timingSafeEqual } = nodeCrypto;
  const tokenBytes = new TextEncoder().encode(authToken);
  const key = createSecretKey(tokenBytes);
  // validate() is synchronous, so one pair of scratch buffers per validator is never shared by two calls.
  const received = new Uint8Array(SIGNATURE_LENGTH);
  const expected = new Uint8Array(SIGNATURE_LENGTH);

  const digest = (data: string): string => createHmac("sha1", key).update(data).digest("base64");
  // Where the runtime can hash into a buffer, a check allocates nothing: no HMAC object, no digest string.
  const scratchHmac = scratchHmacSha1(tokenBytes);
  const matches = scratchHmac
    ? (candidateUrl: string, payload: string): boolean => {
        scratchHmac(candidateUrl, payload, expected);
        return timingSafeEqual(received, expected);
      }
    : (candidateUrl: string, payload: string): boolean => {
        writeAscii(digest(candidateUrl + payload), expected);
        return timingSafeEqual(received, expected);
      };

  return {
    validate(url, params, signature) {
      if (!loadSignature(signature, received)) return false;
      return someUrlVariant(url, signingPayload(params), matches);
    },
    validateJsonBody(url, rawBody, signature) {
      if (!loadSignature(signature, received)) return false;
      const claimedHash = bodyHashParam(url);
      if (claimedHash === undefined) return false;
      const signatureOk = someUrlVariant(url, "", matches);
      const actualHash = createHash("sha256").update(rawBody).digest("hex");
      const hashOk = equalText(claimedHash, actualHash, timingSafeEqual);
      return signatureOk && hashOk;
    },
    sign(url, params) {
      return digest(url + signingPayload(params));
    },
  };
}

/**
 * Creates a validator over Web Crypto (`crypto.subtle`), for runtimes without `node:crypto`. It is
 * asynchronous and markedly slower on Bun, so prefer {@link createSignatureValidator}.
 *
 * @example
 * const signatures = createWebCryptoSignatureValidator(token);
 * if (!(await signatures.validate(url, pairs, header))) return forbidden();
 */
export function createWebCryptoSignatureValidator(authToken: string): AsyncSignatureValidator {
  assertToken(authToken);
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new Error("Web Crypto (crypto.subtle) is not available in this runtime");
  const encoder = new TextEncoder();
  let keyPromise: Promise<CryptoKey> | undefined;
  // importKey is asynchronous, so the key is imported on first use and then reused.
  const hmacKey = (): Promise<CryptoKey> =>
    (keyPromise ??= subtle.importKey("raw", encoder.encode(authToken), { name: "HMAC", hash: "SHA-1" }, false, ["sign"]));

  const digest = async (data: string): Promise<string> =>
    bytesToBase64(new Uint8Array(await subtle.sign("HMAC", await hmacKey(), encoder.encode(data))));

  const someVariant = async (url: string, payload: string, received: Uint8Array): Promise<boolean> => {
    const expected = new Uint8Array(SIGNATURE_LENGTH);
    const tried = new Set<string>();
    for (const candidate of urlVariants(url)) {
      if (tried.has(candidate)) continue;
      tried.add(candidate);
      writeAscii(await digest(candidate + payload), expected);
      if (constantTimeEqual(received, expected)) return true;
    }
    return false;
  };

  return {
    async validate(url, params, signature) {
      const received = new Uint8Array(SIGNATURE_LENGTH);
      if (!loadSignature(signature, received)) return false;
      return someVariant(url, signingPayload(params), received);
    },
    async validateJsonBody(url, rawBody, signature) {
      const received = new Uint8Array(SIGNATURE_LENGTH);
      if (!loadSignature(signature, received)) return false;
      const claimedHash = bodyHashParam(url);
      if (claimedHash === undefined) return false;
      const signatureOk = await someVariant(url, "", received);
      const bytes = typeof rawBody === "string" ? encoder.encode(rawBody) : rawBody;
      const actualHash = bytesToHex(new Uint8Array(await subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>)));
      const hashOk = equalText(claimedHash, actualHash, constantTimeEqual);
      return signatureOk && hashOk;
    },
    sign(url, params) {
      return digest(url + signingPayload(params));
    },
  };
}

/**
 * The text appended to the URL before hashing: names in code-unit order, each followed by its
 * value; a name with several values contributes each distinct value once, in code-unit order.
 */
function signingPayload(params: SignedParams): string {
  if (params instanceof URLSearchParams) return pairsPayload(Array.from(params));
  if (isPairList(params)) return pairsPayload(params);
  const names = Object.keys(params);
  if (!namesOrdered(names)) names.sort();
  let payload = "";
  for (const name of names) {
    const value = params[name];
    if (isStringList(value)) {
      const distinct = Array.from(new Set(value)).sort();
      for (const item of distinct) payload += name + item;
    } else {
      payload += name + value;
    }
  }
  return payload;
}

/**
 * Sorting pairs by (name, value) and dropping exact repeats gives the same text as grouping by
 * name. Twilio posts its fields already in order, so the copy and sort are usually skipped.
 */
function pairsPayload(pairs: ReadonlyArray<readonly [string, string]>): string {
  const ordered = isOrdered(pairs) ? pairs : pairs.slice().sort(comparePairs);
  let payload = "";
  let previous: readonly [string, string] | undefined;
  for (const pair of ordered) {
    if (previous !== undefined && pair[0] === previous[0] && pair[1] === previous[1]) continue;
    payload += pair[0] + pair[1];
    previous = pair;
  }
  return payload;
}

function namesOrdered(names: readonly string[]): boolean {
  for (let i = 1; i < names.length; i++) {
    if (names[i - 1]! > names[i]!) return false;
  }
  return true;
}

function isOrdered(pairs: ReadonlyArray<readonly [string, string]>): boolean {
  for (let i = 1; i < pairs.length; i++) {
    if (comparePairs(pairs[i - 1]!, pairs[i]!) > 0) return false;
  }
  return true;
}

function comparePairs(a: readonly [string, string], b: readonly [string, string]): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  if (a[1] !== b[1]) return a[1] < b[1] ? -1 : 1;
  return 0;
}

function isPairList(params: SignedParams): params is ReadonlyArray<readonly [string, string]> {
  return Array.isArray(params);
}

function isStringList(value: string | readonly string[] | undefined): value is readonly string[] {
  return Array.isArray(value);
}

/**
 * Tries the URL variants the library accepts and stops at the first match. Which one matches does
 * not change the answer, so the URL exactly as configured goes first (one HMAC for nearly every
 * real request, also behind a non-default port); the normalised variants (which parse the URL) are
 * built only when the first two fail.
 */
function someUrlVariant(url: string, payload: string, matches: (candidateUrl: string, payload: string) => boolean): boolean {
  // Webhooks arrive at a handful of URLs, so the two port variants of the last one are kept.
  if (url !== lastVariants.url) lastVariants = { url, withoutPort: removePort(url), withPort: addDefaultPort(url) };
  const { withoutPort, withPort } = lastVariants;
  const first = url === withPort ? withPort : withoutPort;
  const second = first === withPort ? withoutPort : withPort;
  if (matches(first, payload)) return true;
  if (second !== first && matches(second, payload)) return true;
  const normalised = normalisedVariants(url);
  for (let i = 0; i < normalised.length; i++) {
    const candidate = normalised[i]!;
    if (candidate === withoutPort || candidate === withPort || normalised.indexOf(candidate) < i) continue;
    if (matches(candidate, payload)) return true;
  }
  return false;
}

let lastVariants = { url: "", withoutPort: "", withPort: "" };

/** Every accepted variant of `url`, in the order tried (may repeat; callers skip repeats). */
function* urlVariants(url: string): Generator<string> {
  yield removePort(url);
  yield addDefaultPort(url);
  yield* normalisedVariants(url);
}

/**
 * The URL as `new URL()` prints it, with and without the default port, each also with its query
 * re-encoded the legacy way. Empty when the URL does not parse (such a URL cannot be valid).
 */
function normalisedVariants(url: string): string[] {
  let normalised: string;
  try {
    normalised = new URL(url).href;
  } catch {
    return [];
  }
  const withoutPort = removePort(normalised);
  const withPort = addDefaultPort(normalised);
  return [withoutPort, withPort, legacyQuery(withoutPort), legacyQuery(withPort)];
}

/** Index just past `scheme://`, or -1 when the URL does not start with one. */
function authorityStart(url: string): number {
  if (!isAsciiLetter(url.charCodeAt(0))) return -1;
  let i = 1;
  while (i < url.length && isSchemeChar(url.charCodeAt(i))) i++;
  return url.startsWith("://", i) ? i + 3 : -1;
}

/** Index of the first `/`, `?` or `#` at or after `from`, or the URL's length. */
function authorityEnd(url: string, from: number): number {
  let i = from;
  while (i < url.length) {
    const code = url.charCodeAt(i);
    if (code === 0x2f || code === 0x3f || code === 0x23) break;
    i++;
  }
  return i;
}

/** Index of the `:` that starts the port (after any user info and IPv6 brackets), or -1. */
function portColon(url: string, start: number, end: number): number {
  let hostStart = start;
  for (let i = end - 1; i >= start; i--) {
    if (url.charCodeAt(i) === 0x40) {
      hostStart = i + 1;
      break;
    }
  }
  let searchFrom = hostStart;
  for (let i = end - 1; i >= hostStart; i--) {
    if (url.charCodeAt(i) === 0x5d) {
      searchFrom = i + 1;
      break;
    }
  }
  const colon = url.indexOf(":", searchFrom);
  return colon !== -1 && colon < end ? colon : -1;
}

function removePort(url: string): string {
  const start = authorityStart(url);
  if (start === -1) return url;
  const end = authorityEnd(url, start);
  const colon = portColon(url, start, end);
  return colon === -1 ? url : url.slice(0, colon) + url.slice(end);
}

function addDefaultPort(url: string): string {
  const start = authorityStart(url);
  if (start === -1) return url;
  const end = authorityEnd(url, start);
  if (portColon(url, start, end) !== -1) return url;
  const scheme = url.slice(0, start).toLowerCase();
  const port = scheme === "https://" || scheme === "wss://" ? ":443" : ":80";
  return url.slice(0, end) + port + url.slice(end);
}

/** The query re-encoded by Node's legacy `querystring` (parse then stringify), as the library does. */
function legacyQuery(url: string): string {
  const queryStart = url.indexOf("?");
  if (queryStart === -1 || queryStart === url.length - 1) return url;
  const querystring = builtinModule<NodeQuerystring>("node:querystring");
  // Without node:querystring this variant cannot be reproduced; the other variants still apply.
  if (!querystring) return url;
  try {
    return url.slice(0, queryStart + 1) + querystring.stringify(querystring.parse(url.slice(queryStart + 1)));
  } catch {
    return url;
  }
}

/** The decoded `bodySHA256` query value ("" when absent), or undefined when the URL does not parse. */
function bodyHashParam(url: string): string | undefined {
  try {
    return new URL(url).searchParams.get("bodySHA256") ?? "";
  } catch {
    return undefined;
  }
}

/**
 * Copies a 28-character ASCII signature into `into`. Anything else can never equal a base64
 * HMAC-SHA1, so it is rejected here, before any hashing; what is rejected depends only on the
 * caller's input, never on the secret.
 */
function loadSignature(signature: string | null | undefined, into: Uint8Array): boolean {
  if (typeof signature !== "string" || signature.length !== SIGNATURE_LENGTH) return false;
  for (let i = 0; i < SIGNATURE_LENGTH; i++) {
    const code = signature.charCodeAt(i);
    if (code > 0x7f) return false;
    into[i] = code;
  }
  return true;
}

/** `text` must be ASCII (base64 or hex output) and exactly as long as `into`. */
function writeAscii(text: string, into: Uint8Array): void {
  for (let i = 0; i < into.length; i++) into[i] = text.charCodeAt(i);
}

function equalText(a: string, b: string, equal: (x: Uint8Array, y: Uint8Array) => boolean): boolean {
  const encoder = new TextEncoder();
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  // Lengths are not secret: the expected one is fixed by the hash algorithm.
  return left.length === right.length && equal(left, right);
}

function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function bytesToHex(bytes: Uint8Array): string {
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

function isAsciiLetter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

function isSchemeChar(code: number): boolean {
  return isAsciiLetter(code) || (code >= 0x30 && code <= 0x39) || code === 0x2b || code === 0x2e || code === 0x2d;
}

function assertToken(authToken: string): void {
  if (typeof authToken !== "string" || authToken.length === 0) {
    throw new Error("a Twilio auth token is required to check signatures");
  }
}

/** A built-in `node:` module without a static import, so runtimes lacking it can still load this file. */
function builtinModule<T>(id: string): T | undefined {
  const host = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    return host?.getBuiltinModule?.(id) as T | undefined;
  } catch {
    return undefined;
  }
}
