/**
 * The call state in the `<Gather action>` URL: `s=1.<base64url bytes>` (version 1), bound to the
 * call by a hash of its `CallSid`. Twilio posts that URL back exactly as written and signs the
 * whole of it, query included, so with an auth token the webhook signature already authenticates
 * the state. Without one (development only) an HMAC of our own follows, `s=1.<bytes>.<mac>`, keyed
 * with a per-deployment secret, so a hand-edited URL is refused rather than trusted. Replaying an
 * old URL replays an old turn, nothing more.
 *
 * Bytes: flags (transfer offered, clarification pending, kind of the last reply), the 4-byte call
 * hash, then unsigned varints: turns, misses, silences, the two pending FAQ indexes, and what the
 * last reply needs to be said again (FAQ indexes, or the hours question and day).
 */
import { FIRST_TURN, type CallState } from "../bot/call-state.ts";
import { LINE_KINDS, type SaidReply } from "../bot/said.ts";
import { WEEKDAYS } from "../bot/hours.ts";
import type { DayReference, HoursQuestion } from "../bot/intents.ts";
import { scratchHmacSha1 } from "./hmac-sha1.ts";
import { builtinModule } from "./signed-url.ts";

/** The query parameter that carries the state. */
export const CALL_STATE_PARAM = "s";
const VERSION = "1.";
/** Characters of the own HMAC kept (base64url: 96 bits). */
const MAC_LENGTH = 16;
/** Largest count or FAQ index a state may hold; anything larger is not from us. */
const MAX_VALUE = 1_000_000;
const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const BASE64URL_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) BASE64URL_VALUE[BASE64URL.charCodeAt(i)] = i;

const SAID_KINDS = ["faqs", "clarify", "hours", ...LINE_KINDS] as const;
const HOURS_QUESTIONS: readonly HoursQuestion[] = ["open_now", "close_time", "open_time", "general"];
const DAYS: readonly DayReference[] = [...WEEKDAYS, "today", "tomorrow", "weekend"];
const FLAG_TRANSFER_OFFERED = 1;
const FLAG_PENDING = 2;
/** Flags bits 2…: 0 for no last reply, else 1 + the index in SAID_KINDS. */
const SAID_SHIFT = 2;

/** What reading a state from a request URL gave: the state (the first turn's when the URL has none), or why it was refused. */
export type CallStateRead = { ok: true; state: Readonly<CallState> } | { ok: false; status: 400; error: string };

export interface CallStateCodec {
  /** The query value for the state of `callSid`'s next turn. */
  write(state: Readonly<CallState>, callSid: string): string;
  /** The state in a request URL, checked against the call it claims to belong to. */
  read(url: string, callSid: string): CallStateRead;
}

/**
 * Creates the codec. With `secret` (no Twilio signature to rely on) every state carries and needs
 * an HMAC of its own; without it the webhook signature is what authenticates the URL.
 *
 * @example
 * ```ts
 * const states = callStateCodec({});
 * const url = `${gatherUrl}?s=${states.write(stateFromSession(session), callSid)}`;
 * states.read(request.url, callSid) // { ok: true, state }
 * ```
 */
export function callStateCodec(options: { secret?: Uint8Array }): CallStateCodec {
  const mac = options.secret === undefined ? undefined : stateMac(options.secret);
  const bytes = new Uint8Array(64);
  // Where the next byte goes (write is synchronous, so one cursor serves every call).
  let at = 0;
  const put = (value: number) => {
    let v = Math.min(Math.max(0, Math.trunc(value)), MAX_VALUE);
    while (v >= 0x80) {
      bytes[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    bytes[at++] = v;
  };

  return {
    write(state, callSid) {
      at = 0;
      const said = state.said;
      const pending = state.pendingClarification;
      bytes[at++] = (state.transferOffered ? FLAG_TRANSFER_OFFERED : 0) | (pending ? FLAG_PENDING : 0) | ((said ? 1 + SAID_KINDS.indexOf(said.kind) : 0) << SAID_SHIFT);
      const tag = callTag(callSid);
      bytes[at++] = tag >>> 24;
      bytes[at++] = (tag >>> 16) & 0xff;
      bytes[at++] = (tag >>> 8) & 0xff;
      bytes[at++] = tag & 0xff;
      put(state.turns);
      put(state.misses);
      put(state.silences);
      if (pending) {
        put(pending[0]);
        put(pending[1]);
      }
      if (said?.kind === "faqs") {
        const count = Math.min(said.faqs.length, 8);
        put(count);
        for (let i = 0; i < count; i++) put(said.faqs[i]!);
      } else if (said?.kind === "clarify") {
        put(said.faqs[0]);
        put(said.faqs[1]);
      } else if (said?.kind === "hours") {
        put(said.asked.hoursQuestion === undefined ? 0 : 1 + HOURS_QUESTIONS.indexOf(said.asked.hoursQuestion));
        put(said.asked.day === undefined ? 0 : 1 + DAYS.indexOf(said.asked.day));
      }
      const body = VERSION + base64url(bytes, at);
      return mac === undefined ? body : `${body}.${mac(callSid, body)}`;
    },

    read(url, callSid) {
      const value = queryValue(url, CALL_STATE_PARAM);
      // No state: the call's first turn after a reply that carried none (a glitch, or an older version).
      if (value === undefined) return { ok: true, state: FIRST_TURN };
      if (!value.startsWith(VERSION)) return refuse("unknown call state version");
      let body = value;
      if (mac !== undefined) {
        const dot = value.lastIndexOf(".");
        if (dot <= VERSION.length - 1) return refuse("call state without its HMAC");
        body = value.slice(0, dot);
        if (!sameText(value.slice(dot + 1), mac(callSid, body))) return refuse("call state HMAC does not match");
      }
      const state = decode(body.slice(VERSION.length), callSid);
      return state === undefined ? refuse("malformed call state, or one from another call") : { ok: true, state };
    },
  };
}

function refuse(error: string): CallStateRead {
  return { ok: false, status: 400, error };
}

/** The bytes of the state being decoded, and where the next one is read (decode is synchronous). */
const reading = new Uint8Array(72);
let readEnd = 0;
let readAt = 0;
let readBad = false;

/** The next unsigned varint of the state; 0 and readBad set when there is none or it is too large. */
function take(): number {
  let value = 0;
  for (let shift = 0; shift <= 21; shift += 7) {
    if (readAt >= readEnd) break;
    const byte = reading[readAt++]!;
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) {
      if (value > MAX_VALUE) break;
      return value;
    }
  }
  readBad = true;
  return 0;
}

function decode(text: string, callSid: string): CallState | undefined {
  const length = fromBase64url(text);
  if (length === -1 || length < 5) return undefined;
  const bytes = reading;
  readEnd = length;
  readAt = 0;
  readBad = false;
  const flags = bytes[readAt++]!;
  const tag = ((bytes[readAt++]! << 24) | (bytes[readAt++]! << 16) | (bytes[readAt++]! << 8) | bytes[readAt++]!) >>> 0;
  if (tag !== callTag(callSid)) return undefined;
  const state: CallState = { turns: take(), misses: take(), silences: take(), transferOffered: (flags & FLAG_TRANSFER_OFFERED) !== 0 };
  if ((flags & FLAG_PENDING) !== 0) state.pendingClarification = [take(), take()];
  const saidCode = flags >>> SAID_SHIFT;
  if (saidCode > SAID_KINDS.length) return undefined;
  const kind = saidCode === 0 ? undefined : SAID_KINDS[saidCode - 1]!;
  let said: SaidReply | undefined;
  if (kind === "faqs") {
    const count = take();
    if (count < 1 || count > 8) return undefined;
    const faqs: number[] = [];
    for (let i = 0; i < count; i++) faqs.push(take());
    said = { kind, faqs };
  } else if (kind === "clarify") {
    said = { kind, faqs: [take(), take()] };
  } else if (kind === "hours") {
    const question = take();
    const day = take();
    if (question > HOURS_QUESTIONS.length || day > DAYS.length) return undefined;
    said = { kind, asked: { ...(question > 0 ? { hoursQuestion: HOURS_QUESTIONS[question - 1]! } : {}), ...(day > 0 ? { day: DAYS[day - 1]! } : {}) } };
  } else if (kind !== undefined) {
    said = { kind };
  }
  if (readBad || readAt !== readEnd) return undefined;
  if (said !== undefined) state.said = said;
  return state;
}

/** The last CallSid hashed: a turn reads its state and writes the next one for the same call. */
let lastSid = "";
let lastTag = 0;

/** FNV-1a of the CallSid: binds a state to its call (the signature or HMAC is what authenticates it). */
function callTag(callSid: string): number {
  if (callSid === lastSid) return lastTag;
  let hash = 0x811c9dc5;
  for (let i = 0; i < callSid.length; i++) {
    hash ^= callSid.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  lastSid = callSid;
  lastTag = hash >>> 0;
  return lastTag;
}

/** The own HMAC (development without an auth token): HMAC-SHA1 over the CallSid and the state, base64url, truncated. */
function stateMac(secret: Uint8Array): (callSid: string, body: string) => string {
  const scratch = scratchHmacSha1(secret);
  const into = new Uint8Array(28);
  const nodeCrypto = builtinModule<typeof import("node:crypto")>("node:crypto");
  return (callSid, body) => {
    let base64: string;
    if (scratch !== undefined) {
      scratch(`voxedge-call-state|${callSid}|`, body, into);
      base64 = String.fromCharCode(...into);
    } else if (nodeCrypto !== undefined) {
      base64 = nodeCrypto.createHmac("sha1", secret).update(`voxedge-call-state|${callSid}|${body}`).digest("base64");
    } else {
      throw new Error("no HMAC-SHA1 in this runtime: set TWILIO_AUTH_TOKEN so the webhook signature covers the call state");
    }
    return base64.slice(0, MAC_LENGTH).replaceAll("+", "-").replaceAll("/", "_");
  };
}

/** Equal without stopping at the first difference, so timing says nothing about the expected MAC. */
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

/** The raw value of `name` in a URL's query (undefined when absent). Our state values need no decoding. */
function queryValue(url: string, name: string): string | undefined {
  const query = url.indexOf("?");
  if (query === -1) return undefined;
  const end = url.indexOf("#", query);
  const stop = end === -1 ? url.length : end;
  let at = query + 1;
  while (at < stop) {
    const amp = url.indexOf("&", at);
    const fieldEnd = amp === -1 || amp > stop ? stop : amp;
    if (fieldEnd - at > name.length && url.startsWith(name, at) && url.charCodeAt(at + name.length) === 0x3d) {
      return url.slice(at + name.length + 1, fieldEnd);
    }
    at = fieldEnd + 1;
  }
  return undefined;
}

/** A state's characters (64 bytes make at most 86), written here and then read as text at once. */
const textScratch = new Uint8Array(96);
/** The same memory as a Buffer, which reads a range as text without a copy, where there is one. */
const textScratchBuffer = (globalThis as { Buffer?: { from(memory: ArrayBuffer): { toString(encoding: "latin1", start: number, end: number): string } } }).Buffer?.from(textScratch.buffer);
const BASE64URL_CODES = Uint8Array.from(BASE64URL, (char) => char.charCodeAt(0));

function base64url(bytes: Uint8Array, length: number): string {
  let at = 0;
  for (let i = 0; i < length; i += 3) {
    const a = bytes[i]!;
    const b = i + 1 < length ? bytes[i + 1]! : 0;
    const c = i + 2 < length ? bytes[i + 2]! : 0;
    textScratch[at++] = BASE64URL_CODES[a >>> 2]!;
    textScratch[at++] = BASE64URL_CODES[((a & 3) << 4) | (b >>> 4)]!;
    if (i + 1 < length) textScratch[at++] = BASE64URL_CODES[((b & 15) << 2) | (c >>> 6)]!;
    if (i + 2 < length) textScratch[at++] = BASE64URL_CODES[c & 63]!;
  }
  return textScratchBuffer?.toString("latin1", 0, at) ?? String.fromCharCode(...textScratch.subarray(0, at));
}

/** Decodes `text` into `reading` and returns how many bytes it holds; -1 for text that is not a state's base64url. */
function fromBase64url(text: string): number {
  if (text.length % 4 === 1 || text.length > 96) return -1;
  const out = reading;
  let bits = 0;
  let value = 0;
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const digit = code < 128 ? BASE64URL_VALUE[code]! : -1;
    if (digit < 0) return -1;
    value = (value << 6) | digit;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[at++] = (value >>> bits) & 0xff;
      value &= (1 << bits) - 1;
    }
  }
  // Leftover bits must be zero, so each state has exactly one spelling.
  if ((value & ((1 << bits) - 1)) !== 0) return -1;
  return at;
}

/**
 * The secret for the own HMAC: none when an auth token signs webhooks; the configured one; or,
 * in development only (the config requires one in production without a token), a random one for
 * this process, said once in the log — a call's turns must then stay on this instance.
 *
 * @example
 * ```ts
 * const secret = callStateSecret({ authToken: undefined, secret: config.CALL_STATE_SECRET, log });
 * ```
 */
export function callStateSecret(options: { authToken: string | undefined; secret: string | undefined; log: (level: "warn", message: string) => void }): Uint8Array | undefined {
  if (options.authToken) return undefined;
  if (options.secret) return new TextEncoder().encode(options.secret);
  if (processSecret === undefined) {
    processSecret = crypto.getRandomValues(new Uint8Array(32));
    options.log("warn", "CALL_STATE_SECRET unset and no TWILIO_AUTH_TOKEN: call state in URLs is signed with a random secret for this process only");
  }
  return processSecret;
}

/** The random secret of this process, made (and announced) once. */
let processSecret: Uint8Array | undefined;
