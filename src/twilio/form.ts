/**
 * Reading and parsing Twilio's `application/x-www-form-urlencoded` webhook bodies.
 *
 * Everything here faces the open internet before the signature is checked, so nothing throws on
 * what a client sends: every failure is a result with the HTTP status to answer (400 malformed,
 * 413 too large).
 */
import { DEFAULT_MAX_FORM_BYTES, type FormFailure } from "./body.ts";

export { DEFAULT_MAX_FORM_BYTES, readBodyLimited, readBodyThen, type BodyResult, type FormFailure } from "./body.ts";

/** Twilio posts a few dozen fields; far more means a hostile body, and sorting it for the signature would cost. */
export const MAX_FORM_FIELDS = 1_000;

/** A parsed form. `params` keeps the first value of each name; `pairs` keeps every field in body order (the signature covers all of them). */
export interface ParsedForm {
  ok: true;
  params: Record<string, string>;
  pairs: Array<[string, string]>;
}

/**
 * Parses a form body strictly: `+` is a space, `%XX` escapes must be well formed and decode to
 * valid UTF-8, names must not be empty, empty segments (`a=1&&b=2`) are skipped, a segment without
 * `=` is a name with an empty value.
 *
 * `params` has no prototype, so a field named `__proto__` or `constructor` is just a field.
 *
 * @example
 * const body = await readBodyLimited(request);
 * if (!body.ok) return new Response(body.error, { status: body.status });
 * const form = parseTwilioForm(body.text);
 * if (!form.ok) return new Response(form.error, { status: form.status });
 * signatures.validate(url, form.pairs, signature);
 * form.params.CallSid; // "CA…"
 */
export function parseTwilioForm(body: string, maxBytes: number = DEFAULT_MAX_FORM_BYTES): ParsedForm | FormFailure {
  if (exceedsUtf8Bytes(body, maxBytes)) return failure(413, `form body is larger than ${maxBytes} bytes`);
  const pairs: Array<[string, string]> = [];
  const params = Object.create(null) as Record<string, string>;
  // One walk over the body. The next "=", "%" and "+" are looked up only once the walk has passed
  // the previous one, so each character is scanned a bounded number of times whatever the body
  // holds, and a field without escapes is sliced out of the body as it is.
  const length = body.length;
  let equals = body.indexOf("=");
  let percent = body.indexOf("%");
  let plus = body.indexOf("+");
  for (let start = 0; start < length; ) {
    let end = body.indexOf("&", start);
    if (end === -1) end = length;
    if (end > start) {
      if (pairs.length === MAX_FORM_FIELDS) return failure(413, `form has more than ${MAX_FORM_FIELDS} fields`);
      if (equals !== -1 && equals < start) equals = body.indexOf("=", start);
      if (percent !== -1 && percent < start) percent = body.indexOf("%", start);
      if (plus !== -1 && plus < start) plus = body.indexOf("+", start);
      if (equals === start) return failure(400, "form field with an empty name");
      const nameEnd = equals !== -1 && equals < end ? equals : end;
      // Twilio escapes values (a number's "+", the spaces of speech), never its names.
      const nameEscaped = (percent !== -1 && percent < nameEnd) || (plus !== -1 && plus < nameEnd);
      const valueEscaped = (percent !== -1 && percent < end) || (plus !== -1 && plus < end);
      const name = nameEscaped ? decodeFormComponent(body, start, nameEnd) : (knownName(body, start, nameEnd) ?? body.slice(start, nameEnd));
      const value = nameEnd === end ? "" : valueEscaped ? decodeFormComponent(body, nameEnd + 1, end) : body.slice(nameEnd + 1, end);
      if (name === undefined || value === undefined) return failure(400, "malformed percent-encoding in form body");
      pairs.push([name, value]);
      // One key conversion for the read and the write; the first value of a name stays.
      params[name] ??= value;
    }
    start = end + 1;
  }
  return { ok: true, params, pairs };
}

/**
 * The names Twilio posts to voice webhooks, by length and last character. A name read from a body
 * is a new string that must be hashed to become a property key; the same name written here is
 * hashed once, and finding it costs a comparison or two.
 */
const KNOWN_NAMES: ReadonlyMap<number, readonly string[]> = (() => {
  const names = [
    "AccountSid", "AnsweredBy", "ApiVersion", "ApplicationSid", "CallbackSource", "CallDuration", "Called", "CalledCity", "CalledCountry",
    "CalledState", "CalledZip", "Caller", "CallerCity", "CallerCountry", "CallerName", "CallerState", "CallerZip", "CallSid", "CallStatus",
    "CallToken", "Confidence", "Digits", "Direction", "Duration", "FinishedOnKey", "ForwardedFrom", "From", "FromCity", "FromCountry",
    "FromState", "FromZip", "HandoffData", "Language", "ParentCallSid", "RecordingDuration", "RecordingSid", "RecordingUrl",
    "SequenceNumber", "SipResponseCode", "SpeechResult", "Stability", "StirVerstat", "Timestamp", "To", "ToCity", "ToCountry", "ToState",
    "ToZip", "UnstableSpeechResult", "msg",
  ];
  const byShape = new Map<number, string[]>();
  for (const name of names) {
    const shape = nameShape(name.length, name.charCodeAt(name.length - 1));
    byShape.set(shape, [...(byShape.get(shape) ?? []), name]);
  }
  return byShape;
})();

function nameShape(length: number, lastCode: number): number {
  return length * 0x10000 + lastCode;
}

/** The known name spelled by `body[start, end)`, if it is one (the same text, hashed already). */
function knownName(body: string, start: number, end: number): string | undefined {
  const candidates = KNOWN_NAMES.get(nameShape(end - start, body.charCodeAt(end - 1)));
  if (candidates === undefined) return undefined;
  for (let i = 0; i < candidates.length; i++) if (body.startsWith(candidates[i]!, start)) return candidates[i];
  return undefined;
}

/** The fields, all present, or the list of missing ones. */
export type RequiredFields<Name extends string> =
  | { ok: true; values: { [K in Name]: string } }
  | { ok: false; status: 400; error: string; missing: Name[] };

/**
 * Checks that every named field was posted with a non-empty value (an empty `CallSid` is as
 * useless as none) and returns them typed.
 *
 * @example
 * const fields = requireFields(form.params, ["CallSid", "To"]);
 * if (!fields.ok) return new Response(fields.error, { status: 400 });
 * lookupBusiness(fields.values.To);
 */
export function requireFields<const Name extends string>(
  params: Readonly<Record<string, string | undefined>>,
  names: readonly Name[],
): RequiredFields<Name> {
  const values = {} as { [K in Name]: string };
  const missing: Name[] = [];
  for (const name of names) {
    const value = Object.hasOwn(params, name) ? params[name] : undefined;
    if (value === undefined || value === "") missing.push(name);
    else values[name] = value;
  }
  if (missing.length > 0) return { ok: false, status: 400, error: `missing required field(s): ${missing.join(", ")}`, missing };
  return { ok: true, values };
}

/**
 * Decodes one name or value, `body[start, end)`: `+` is a space, then `%XX` escapes as UTF-8
 * (decodeURIComponent, which refuses a malformed escape and bytes that are not UTF-8); undefined
 * when it refuses. Text that is ASCII with ASCII escapes (what Twilio posts: `%2B` for a number's
 * plus) is decoded in one pass into a buffer instead, with the same result.
 */
function decodeFormComponent(body: string, start: number, end: number): string | undefined {
  return decodeAsciiComponent(body, start, end) ?? decodeAnyComponent(body.slice(start, end));
}

function decodeAnyComponent(raw: string): string | undefined {
  const spaced = raw.includes("+") ? raw.replaceAll("+", " ") : raw;
  if (!spaced.includes("%")) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return undefined;
  }
}

/** A byte buffer that prints a range as Latin-1 text (`Buffer#toString`). */
type PrintableBytes = Uint8Array & { toString(encoding: "latin1", start: number, end: number): string };
const BufferClass = (globalThis as { Buffer?: { allocUnsafe(size: number): PrintableBytes } }).Buffer;
let componentScratch: PrintableBytes | undefined;

/** Undefined when the text is not ASCII, an escape is malformed or stands for a byte over 0x7F: the general decoder answers those. */
function decodeAsciiComponent(body: string, start: number, end: number): string | undefined {
  if (BufferClass === undefined) return undefined;
  if (componentScratch === undefined || componentScratch.length < end - start) componentScratch = BufferClass.allocUnsafe(Math.max(1_024, end - start));
  const scratch = componentScratch;
  let out = 0;
  for (let i = start; i < end; i++) {
    const code = body.charCodeAt(i);
    if (code === 0x2b) scratch[out++] = 0x20;
    else if (code === 0x25) {
      const high = i + 1 < end ? hexDigit(body.charCodeAt(i + 1)) : -1;
      const low = i + 2 < end ? hexDigit(body.charCodeAt(i + 2)) : -1;
      if (high < 0 || high > 7 || low < 0) return undefined;
      scratch[out++] = high * 16 + low;
      i += 2;
    } else if (code >= 0x80) return undefined;
    else scratch[out++] = code;
  }
  return scratch.toString("latin1", 0, out);
}

function hexDigit(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

/** Whether `text` encoded as UTF-8 is longer than `limit`, without encoding it. */
function exceedsUtf8Bytes(text: string, limit: number): boolean {
  // Every UTF-16 code unit takes one to three UTF-8 bytes, which settles most bodies at once.
  if (text.length > limit) return true;
  if (text.length * 3 <= limit) return false;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) {
      bytes += 4;
      i++;
    } else bytes += 3;
    if (bytes > limit) return true;
  }
  return false;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

function failure(status: 400 | 413, error: string): FormFailure {
  return { ok: false, status, error };
}
