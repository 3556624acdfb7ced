/**
 * Reading a webhook's body within a size limit, as strict UTF-8 text. Like the form parser it
 * faces the open internet before the signature is checked, so nothing throws on what a client
 * sends: every failure is a result with the HTTP status to answer (400 unreadable, 413 too large).
 */

/** Default body limit. Twilio's voice webhooks are a few kilobytes at most. */
export const DEFAULT_MAX_FORM_BYTES = 65_536;

/** A refusal with the status the route should answer. */
export interface FormFailure {
  ok: false;
  status: 400 | 413;
  error: string;
}

/** The body as text (and the bytes it was decoded from), or the refusal to answer with. */
export type BodyResult = { ok: true; text: string; bytes?: Uint8Array } | FormFailure;

/**
 * Reads a request body as UTF-8 text without ever holding more than `maxBytes` of it. A declared
 * `Content-Length` over the limit is refused before reading. Within the limit the body is read in
 * one go — the HTTP server frames the body by that length, so it cannot deliver more, and this
 * path costs half the CPU of a stream reader; the length is still checked after reading, for
 * requests built in-process. A chunked body (no length) is counted as it arrives and reading stops
 * at the limit. Invalid UTF-8 or a broken stream is a 400.
 *
 * @example
 * const body = await readBodyLimited(c.req.raw, 65_536);
 * if (!body.ok) return c.text(body.error, body.status);
 * const form = parseTwilioForm(body.text);
 */
export function readBodyLimited(request: Request, maxBytes: number = DEFAULT_MAX_FORM_BYTES): Promise<BodyResult> {
  return readBodyThen(request, maxBytes, (body) => body);
}

/**
 * {@link readBodyLimited} with `next` applied to what it reads in the same step as the read
 * finishes: a caller that goes on synchronously (the webhook check, a warm turn) then takes one
 * round through the microtask queue instead of one per `await` in between. `next` throwing
 * rejects the promise; it is never taken for a failed read.
 *
 * @example
 * const form = await readBodyThen(request, 65_536, (body) => (body.ok ? parseTwilioForm(body.text) : body));
 */
export function readBodyThen<T>(request: Request, maxBytes: number, next: (body: BodyResult) => T | PromiseLike<T>): Promise<T> {
  return readBodyBytesThen(request, maxBytes, (read) => next(read instanceof Uint8Array ? decodedBody(read) : read));
}

/**
 * {@link readBodyThen} for a caller that reads bytes itself: a body read in one go (it had a
 * length) is handed over as its bytes, within the limit but not yet decoded ({@link decodedBody}
 * decodes them as readBodyLimited would); anything else as readBodyLimited's result.
 *
 * @example
 * const size = await readBodyBytesThen(request, 65_536, (read) => (read instanceof Uint8Array ? read.length : read.ok ? read.text.length : 0));
 */
export function readBodyBytesThen<T>(request: Request, maxBytes: number, next: (read: Uint8Array | BodyResult) => T | PromiseLike<T>): Promise<T> {
  const declared = request.headers.get("content-length");
  const hasLength = declared !== null && /^\d+$/.test(declared);
  if (hasLength && Number(declared) > maxBytes) return discard(request.body).then(() => next(failure(413, `body is larger than ${maxBytes} bytes`)));
  if (request.bodyUsed) return settle(next, failure(400, "body was already read"));
  if (!hasLength) return readStream(request, maxBytes).then(next);
  let reading: Promise<Uint8Array>;
  try {
    reading = readBytes(request);
  } catch {
    return settle(next, failure(400, "body could not be read"));
  }
  return reading.then(
    (bytes) => next(bytes.byteLength > maxBytes ? failure(413, `body is larger than ${maxBytes} bytes`) : bytes),
    () => next(failure(400, "body could not be read")),
  );
}

/** `next(value)` as a promise, rejected if `next` throws. */
function settle<T, V>(next: (value: V) => T | PromiseLike<T>, value: V): Promise<T> {
  return new Promise<T>((resolve) => resolve(next(value)));
}

/**
 * A body's bytes as readBodyLimited hands them over: strict UTF-8 text, or a 400.
 *
 * @example
 * decodedBody(new TextEncoder().encode("a=1")) // { ok: true, text: "a=1", bytes: … }
 */
export function decodedBody(bytes: Uint8Array): BodyResult {
  const text = decodeUtf8(bytes);
  return text === undefined ? failure(400, "body is not valid UTF-8") : { ok: true, text, bytes };
}

/** A body without a length, counted chunk by chunk as it arrives. */
async function readStream(request: Request, maxBytes: number): Promise<BodyResult> {
  const stream = request.body;
  if (stream === null) return { ok: true, text: "" };

  const chunks: Uint8Array[] = [];
  let total = 0;
  let reader: ReadableStreamDefaultReader<Uint8Array>;
  try {
    reader = stream.getReader();
  } catch {
    return failure(400, "body could not be read");
  }
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!(value instanceof Uint8Array)) {
        await cancel(reader);
        return failure(400, "body could not be read");
      }
      total += value.byteLength;
      if (total > maxBytes) {
        await cancel(reader);
        return failure(413, `body is larger than ${maxBytes} bytes`);
      }
      chunks.push(value);
    }
  } catch {
    await cancel(reader);
    return failure(400, "body could not be read");
  }
  const text = decodeUtf8(chunks.length === 1 ? chunks[0]! : concat(chunks, total));
  return text === undefined ? failure(400, "body is not valid UTF-8") : { ok: true, text };
}

/** A request whose body the runtime can hand over as bytes (`Request#bytes`, newer than `arrayBuffer`). */
type BytesRequest = Request & { bytes?: () => Promise<Uint8Array> };

/**
 * The whole body as bytes. `bytes()` where the runtime has it: the same bytes as `arrayBuffer()`
 * without a second object to view them through, which is measurably cheaper per webhook on Bun.
 */
function readBytes(request: BytesRequest): Promise<Uint8Array> {
  if (typeof request.bytes === "function") return request.bytes();
  return request.arrayBuffer().then((buffer) => new Uint8Array(buffer));
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** `bytes` as strict UTF-8 (a view is not needed: the decoder reads an ArrayBuffer as it is). */
function decodeUtf8(bytes: Uint8Array | ArrayBuffer): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  const whole = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    whole.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return whole;
}

async function discard(stream: ReadableStream<Uint8Array> | null): Promise<void> {
  if (stream === null || stream.locked) return;
  try {
    await stream.cancel();
  } catch {
    // The client is being refused anyway; a failed cancel changes nothing.
  }
}

async function cancel(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  try {
    await reader.cancel();
  } catch {
    // As above: the refusal stands whatever the stream says.
  }
}

function failure(status: 400 | 413, error: string): FormFailure {
  return { ok: false, status, error };
}
