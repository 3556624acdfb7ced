/**
 * A form body's bytes as Twilio's signature reads them: the signing payload (every field's name
 * and value, decoded, in body order) taken straight from them, and — for the gather webhook, in
 * the same pass — the four fields a turn needs. The gather pass reads only the bodies Twilio
 * posts: ASCII, names as they are, values with ASCII escapes, fields in strict (name, value)
 * order. Anything else is left to `parseTwilioForm` and the validator's general path, which answer
 * it as they always have; for the bodies read here they give the same fields and the same payload.
 */
import { MAX_FORM_FIELDS } from "./form.ts";

/** What a gather turn reads of its form; a field that was not posted is undefined. */
export interface GatherForm {
  /** The signing payload: valid until the next call, which reuses its memory. */
  payload: Uint8Array;
  callSid: string | undefined;
  to: string | undefined;
  speech: string | undefined;
  digits: string | undefined;
}

/** A byte buffer that prints a range as Latin-1 text (`Buffer#toString`). */
type PrintableBytes = Uint8Array & { toString(encoding: "latin1", start: number, end: number): string };
const BufferClass = (globalThis as { Buffer?: { allocUnsafe(size: number): PrintableBytes } }).Buffer;
let scratch: PrintableBytes | undefined;
/** Views of `scratch` from its start, one per length, each made once. */
let payloadViews: (Uint8Array | undefined)[] = [];

const HEX = new Int8Array(256).fill(-1);
for (let code = 0; code < 256; code++) {
  if (code >= 0x30 && code <= 0x39) HEX[code] = code - 0x30;
  else if (code >= 0x41 && code <= 0x46) HEX[code] = code - 0x37;
  else if (code >= 0x61 && code <= 0x66) HEX[code] = code - 0x57;
}
const AMPERSAND = 0x26;
const EQUALS = 0x3d;
const PLUS = 0x2b;
const PERCENT = 0x25;
/** What a byte is to the gather pass: taken as it is, a separator, an escape, or beyond it (not ASCII). */
const PLAIN = 0;
const END = 1;
const SEPARATOR_IN_VALUE = 2;
const SPACE_ESCAPE = 3;
const BYTE_ESCAPE = 4;
const NOT_READ = 5;
const CLASS = new Uint8Array(256).fill(NOT_READ).fill(PLAIN, 0, 0x80);
CLASS[AMPERSAND] = END;
CLASS[EQUALS] = SEPARATOR_IN_VALUE;
CLASS[PLUS] = SPACE_ESCAPE;
CLASS[PERCENT] = BYTE_ESCAPE;
const bytesOf = (name: string) => Uint8Array.from(name, (char) => char.charCodeAt(0));
const CALL_SID = bytesOf("CallSid");
const TO = bytesOf("To");
const SPEECH_RESULT = bytesOf("SpeechResult");
const DIGITS = bytesOf("Digits");

/**
 * The gather fields and signing payload of `body`, or undefined when the body is not one this
 * pass reads (non-ASCII, an escaped or empty name, an escape that is malformed or stands for a
 * byte over 0x7F, more than {@link MAX_FORM_FIELDS} fields, fields out of order or repeated):
 * then parse it with `parseTwilioForm`. A name posted more than once gives its first value, as
 * `parseTwilioForm`'s params do. Undefined too where there is no `Buffer` to print text with.
 *
 * @example
 * ```ts
 * const form = readGatherForm(new TextEncoder().encode("CallSid=CA1&SpeechResult=opening+hours&To=%2B15550001111"));
 * form?.speech // "opening hours"; form?.payload holds "CallSidCA1SpeechResultopening hoursTo+15550001111"
 * ```
 */
export function readGatherForm(body: Uint8Array): GatherForm | undefined {
  if (BufferClass === undefined) return undefined;
  // Decoding never makes a field longer than it is in the body.
  if (scratch === undefined || scratch.length < body.length) {
    scratch = BufferClass.allocUnsafe(Math.max(4_096, body.length));
    payloadViews = [];
  }
  const into = scratch;
  const length = body.length;
  let out = 0;
  let fields = 0;
  // The field before, for the order check.
  let lastName = -1;
  let lastValue = 0;
  let lastEnd = 0;
  let callSid = -1, callSidEnd = 0, to = -1, toEnd = 0, speech = -1, speechEnd = 0, digits = -1, digitsEnd = 0;
  let i = 0;
  while (i < length) {
    // Empty segments ("a=1&&b=2") are no field; an empty name is the general path's to refuse.
    if (body[i] === AMPERSAND) {
      i++;
      continue;
    }
    if (body[i] === EQUALS || fields === MAX_FORM_FIELDS) return undefined;
    // The name: plain characters only (an escape in a name is the general path's to decode).
    const nameStart = out;
    for (; i < length; i++) {
      const byte = body[i]!;
      if (CLASS[byte] !== PLAIN) break;
      into[out++] = byte;
    }
    const valueStart = out;
    if (i < length && body[i] === EQUALS) {
      for (i++; i < length; i++) {
        const byte = body[i]!;
        const kind = CLASS[byte]!;
        if (kind === PLAIN || kind === SEPARATOR_IN_VALUE) into[out++] = byte;
        else if (kind === END) break;
        else if (kind === SPACE_ESCAPE) into[out++] = 0x20;
        else if (kind === BYTE_ESCAPE && i + 2 < length) {
          const high = HEX[body[i + 1]!]!;
          const low = HEX[body[i + 2]!]!;
          if (high < 0 || high > 7 || low < 0) return undefined;
          into[out++] = (high << 4) | low;
          i += 2;
        } else return undefined;
      }
    } else if (i < length && body[i] !== AMPERSAND) return undefined;
    // The field is read; `i` is at the "&" after it or the end.
    if (lastName !== -1) {
      const order = compare(into, lastName, lastValue, nameStart, valueStart) || compare(into, lastValue, lastEnd, valueStart, out);
      if (order >= 0) return undefined;
    }
    const nameLength = valueStart - nameStart;
    if (nameLength === 7 && callSid === -1 && spells(into, nameStart, CALL_SID)) {
      callSid = valueStart;
      callSidEnd = out;
    } else if (nameLength === 2 && to === -1 && spells(into, nameStart, TO)) {
      to = valueStart;
      toEnd = out;
    } else if (nameLength === 12 && speech === -1 && spells(into, nameStart, SPEECH_RESULT)) {
      speech = valueStart;
      speechEnd = out;
    } else if (nameLength === 6 && digits === -1 && spells(into, nameStart, DIGITS)) {
      digits = valueStart;
      digitsEnd = out;
    }
    lastName = nameStart;
    lastValue = valueStart;
    lastEnd = out;
    fields++;
    i++;
  }
  // The payload is ASCII, so one string of it holds every value; the fields are slices of it.
  const payloadText = into.toString("latin1", 0, out);
  return {
    payload: (payloadViews[out] ??= into.subarray(0, out)),
    callSid: callSid === -1 ? undefined : payloadText.slice(callSid, callSidEnd),
    to: to === -1 ? undefined : payloadText.slice(to, toEnd),
    speech: speech === -1 ? undefined : payloadText.slice(speech, speechEnd),
    digits: digits === -1 ? undefined : payloadText.slice(digits, digitsEnd),
  };
}

/** Code-unit order of two ASCII ranges of `bytes`, as `<` orders the strings they spell: negative, 0 or positive. */
function compare(bytes: Uint8Array, a: number, aEnd: number, b: number, bEnd: number): number {
  const shorter = Math.min(aEnd - a, bEnd - b);
  for (let i = 0; i < shorter; i++) {
    const difference = bytes[a + i]! - bytes[b + i]!;
    if (difference !== 0) return difference;
  }
  return aEnd - a - (bEnd - b);
}

function spells(bytes: Uint8Array, start: number, name: Uint8Array): boolean {
  for (let i = 0; i < name.length; i++) if (bytes[start + i] !== name[i]) return false;
  return true;
}

/**
 * The payload of a form body whose fields are in order, as bytes: each field's name and value
 * decoded (`+` a space, `%XX` its byte), without the `=` between them or the `&` between fields.
 * Decoded UTF-8 is the UTF-8 of the decoded text, so these are the bytes the text payload hashes
 * as. -1 for what the text path must answer: a byte-order mark (which text decoding drops) or a
 * malformed escape.
 *
 * @example
 * ```ts
 * const into = new Uint8Array(64);
 * const length = formPayloadBytes(new TextEncoder().encode("A=1&B=x%2By"), into); // into[0, length) holds "A1Bx+y"
 * ```
 */
export function formPayloadBytes(body: Uint8Array, into: Uint8Array): number {
  const length = body.length;
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return -1;
  let out = 0;
  let inName = true;
  for (let i = 0; i < length; i++) {
    const byte = body[i]!;
    if (byte === AMPERSAND) inName = true;
    else if (byte === EQUALS && inName) inName = false;
    else if (byte === PLUS) into[out++] = 0x20;
    else if (byte === PERCENT) {
      if (i + 2 >= length) return -1;
      const high = HEX[body[i + 1]!]!;
      const low = HEX[body[i + 2]!]!;
      if (high < 0 || low < 0) return -1;
      into[out++] = (high << 4) | low;
      i += 2;
    } else into[out++] = byte;
  }
  return out;
}
