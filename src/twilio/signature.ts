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

import { formPayloadBytes } from "./form-bytes.ts";
import { scratchHmacSha1 } from "./hmac-sha1.ts";
import { bodyHashParam, builtinModule, someUrlVariant, urlVariants } from "./signed-url.ts";

type NodeCrypto = typeof import("node:crypto");

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
  /**
   * True when `signature` is Twilio's signature of `params` posted to `url` (or an accepted variant
   * of `url`). `body`: the raw form body `params` (as pairs) were parsed from; when its fields are
   * in order, as Twilio posts them, the payload is hashed from its bytes without being built as text.
   */
  validate(url: string, params: SignedParams, signature: string | null | undefined, body?: Uint8Array): boolean;
  /** {@link validate} for a signing payload the caller built as bytes (see gather-form.ts). */
  validatePayload(url: string, payload: Uint8Array, signature: string | null | undefined): boolean;
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
  // The payload of an ordered form, as bytes taken from its body (see form-bytes.ts).
  let payloadScratch = new Uint8Array(4_096);
  const matchesBytes = (candidateUrl: string, payload: Uint8Array): boolean => {
    if (scratchHmac !== undefined) scratchHmac(candidateUrl, payload, expected);
    else writeAscii(createHmac("sha1", key).update(candidateUrl).update(payload).digest("base64"), expected);
    return timingSafeEqual(received, expected);
  };

  return {
    validate(url, params, signature, body) {
      if (!loadSignature(signature, received)) return false;
      if (scratchHmac !== undefined && body !== undefined && isPairList(params) && strictlyOrdered(params)) {
        if (payloadScratch.length < body.length) payloadScratch = new Uint8Array(body.length);
        const length = formPayloadBytes(body, payloadScratch);
        if (length !== -1) return someUrlVariant(url, payloadScratch.subarray(0, length), matchesBytes);
      }
      return someUrlVariant(url, signingPayload(params), matches);
    },
    validatePayload(url, payload, signature) {
      return loadSignature(signature, received) && someUrlVariant(url, payload, matchesBytes);
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

/** Pairs in (name, value) order with no pair twice: then the payload is the fields in body order. */
function strictlyOrdered(pairs: ReadonlyArray<readonly [string, string]>): boolean {
  for (let i = 1; i < pairs.length; i++) {
    if (comparePairs(pairs[i - 1]!, pairs[i]!) >= 0) return false;
  }
  return true;
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

function assertToken(authToken: string): void {
  if (typeof authToken !== "string" || authToken.length === 0) {
    throw new Error("a Twilio auth token is required to check signatures");
  }
}
