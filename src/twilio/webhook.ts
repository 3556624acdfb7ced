import type { MiddlewareHandler } from "hono";
import { decodedBody, readBodyBytesThen, readBodyThen, type BodyResult } from "./body.ts";
import { parseTwilioForm, requireFields, DEFAULT_MAX_FORM_BYTES } from "./form.ts";
import { readGatherForm } from "./form-bytes.ts";
import { createSignatureValidator, type SignatureValidator } from "./signature.ts";

/** The form type exactly (any case), optionally followed by `;` parameters such as `; charset=utf-8`. */
const FORM_CONTENT_TYPE = /^application\/x-www-form-urlencoded[ \t]*(?:;|$)/i;

/** What a verified webhook hands to its route. */
export interface TwilioRequest {
  params: Record<string, string>;
  callSid: string;
  to: string;
}

export type TwilioVariables = { twilio: TwilioRequest };

export interface TwilioWebhookOptions {
  /** Unset: signatures are not checked (development only; the server refuses this in production). */
  authToken: string | undefined;
  /** The public URL Twilio calls; signatures are computed over it plus the request's path and query. */
  publicBaseUrl: string | undefined;
  maxBytes?: number;
}

/** What checking a webhook gave: the verified request, or the refusal to answer with. */
export type TwilioCheck = { ok: true; twilio: TwilioRequest } | { ok: false; response: Response };

/**
 * A webhook check: the result as a promise, or — given `next` — what `next` makes of it, taken in
 * the same step as the body is read (a handler that goes on synchronously saves a round through
 * the microtask queue per `await` it would otherwise take).
 */
export interface TwilioWebhookChecker {
  (request: Request): Promise<TwilioCheck>;
  <T>(request: Request, next: (checked: TwilioCheck) => T | PromiseLike<T>): Promise<T>;
}

/**
 * Verifies and parses a Twilio webhook: body limit (413), form syntax (400), signature over the
 * public URL (403), then `CallSid` and `To` (400). Nothing a caller or an attacker posts gets past
 * it as an exception. A plain function over Web-standard `Request`/`Response`, so the hottest
 * route can call it without a middleware chain; {@link twilioWebhook} is the same as middleware.
 *
 * Options are resolved once here, not per request.
 *
 * @example
 * ```ts
 * const check = twilioWebhookCheck({ authToken, publicBaseUrl });
 * const checked = await check(request);
 * if (!checked.ok) return checked.response;
 * checked.twilio.callSid; // "CA…"
 * const status = await check(request, (checked) => (checked.ok ? 200 : checked.response.status));
 * ```
 */
export function twilioWebhookCheck(options: TwilioWebhookOptions): TwilioWebhookChecker {
  const { maxBytes, verified } = verifier(options);
  return <T>(request: Request, next?: (checked: TwilioCheck) => T | PromiseLike<T>): Promise<T | TwilioCheck> => {
    const then = next ?? ((checked: TwilioCheck) => checked);
    if (!isForm(request)) return new Promise((resolve) => resolve(then(NOT_A_FORM())));
    return readBodyThen(request, maxBytes, (body) => then(verified(request, body)));
  };
}

/** What a gather turn needs of its verified webhook. */
export interface GatherRequest {
  callSid: string;
  to: string;
  /** `SpeechResult`, "" when none was posted. */
  speech: string;
  /** `Digits`, "" when none was posted. */
  digits: string;
}

/** What checking a gather webhook gave: the verified request, or the refusal to answer with. */
export type GatherCheck = { ok: true; gather: GatherRequest } | { ok: false; response: Response };

/**
 * {@link twilioWebhookCheck} for `POST /twilio/gather`, with the same checks in the same order
 * and the same refusals, and only what the turn needs: a body as Twilio posts it is read from its
 * bytes in one pass (fields and signing payload at once, see form-bytes.ts) instead of decoded,
 * parsed into every field and walked again for the signature. Any other body is checked exactly
 * as twilioWebhookCheck checks it.
 *
 * @example
 * ```ts
 * const gatherCheck = twilioGatherCheck({ authToken, publicBaseUrl });
 * const said = await gatherCheck(request, (checked) => (checked.ok ? checked.gather.speech : checked.response));
 * const safe = await gatherCheck(request, (checked) => (checked.ok ? "ok" : "refused"), () => "failed");
 * ```
 */
export function twilioGatherCheck(
  options: TwilioWebhookOptions,
): <T>(request: Request, next: (checked: GatherCheck) => T | PromiseLike<T>, failed?: (error: unknown) => T) => Promise<T> {
  const { maxBytes, verified, validator, base } = verifier(options);
  const gatherOf = (checked: TwilioCheck): GatherCheck => {
    if (!checked.ok) return checked;
    const { params, callSid, to } = checked.twilio;
    return { ok: true, gather: { callSid, to, speech: params.SpeechResult ?? "", digits: params.Digits ?? "" } };
  };
  const gatherVerified = (request: Request, read: Uint8Array | BodyResult): GatherCheck => {
    if (!(read instanceof Uint8Array)) return gatherOf(verified(request, read));
    const form = readGatherForm(read);
    if (form === undefined) return gatherOf(verified(request, decodedBody(read)));
    if (validator !== undefined) {
      const signature = request.headers.get("x-twilio-signature");
      if (!signature || !validator.validatePayload(publicUrl(request.url, base), form.payload, signature)) return BAD_SIGNATURE();
    }
    const { callSid, to } = form;
    if (callSid === undefined || callSid === "" || to === undefined || to === "") {
      const fields = requireFields({ CallSid: callSid, To: to }, REQUIRED);
      if (!fields.ok) return refuse(fields.error, fields.status);
    }
    return { ok: true, gather: { callSid: callSid!, to: to!, speech: form.speech ?? "", digits: form.digits ?? "" } };
  };
  // `failed`, when given, answers an exception of the check itself (never one of `next`) in the same step.
  return <T>(request: Request, next: (checked: GatherCheck) => T | PromiseLike<T>, failed?: (error: unknown) => T): Promise<T> => {
    if (!isForm(request)) return new Promise((resolve) => resolve(next(NOT_A_FORM())));
    return readBodyBytesThen(request, maxBytes, (read) => {
      if (failed === undefined) return next(gatherVerified(request, read));
      let checked: GatherCheck;
      try {
        checked = gatherVerified(request, read);
      } catch (error) {
        return failed(error);
      }
      return next(checked);
    });
  };
}

/** The checks after the body is read, with the options resolved once. */
function verifier(options: TwilioWebhookOptions) {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_FORM_BYTES;
  const validator: SignatureValidator | undefined = options.authToken ? createSignatureValidator(options.authToken) : undefined;
  const base = options.publicBaseUrl?.replace(/\/+$/, "");

  const verified = (request: Request, body: BodyResult): TwilioCheck => {
    if (!body.ok) return refuse(body.error, body.status);
    const form = parseTwilioForm(body.text, maxBytes);
    if (!form.ok) return refuse(form.error, form.status);

    if (validator !== undefined) {
      const signature = request.headers.get("x-twilio-signature");
      if (!signature || !validator.validate(publicUrl(request.url, base), form.pairs, signature, body.bytes)) return BAD_SIGNATURE();
    }

    const fields = requireFields(form.params, REQUIRED);
    if (!fields.ok) return refuse(fields.error, fields.status);
    return { ok: true, twilio: { params: form.params, callSid: fields.values.CallSid, to: fields.values.To } };
  };
  return { maxBytes, validator, base, verified };
}

function isForm(request: Request): boolean {
  return FORM_CONTENT_TYPE.test(request.headers.get("content-type") ?? "");
}

const NOT_A_FORM = () => refuse("expected an application/x-www-form-urlencoded body", 415);
const BAD_SIGNATURE = () => refuse("invalid or missing X-Twilio-Signature", 403);

/**
 * {@link twilioWebhookCheck} as Hono middleware: the route runs only for a verified webhook and
 * finds it in `c.var.twilio`.
 *
 * @example
 * ```ts
 * app.post("/twilio/voice", twilioWebhook({ authToken, publicBaseUrl }), (c) => c.var.twilio.callSid);
 * ```
 */
export function twilioWebhook(options: TwilioWebhookOptions): MiddlewareHandler<{ Variables: TwilioVariables }> {
  const check = twilioWebhookCheck(options);
  return async (c, next) => {
    const checked = await check(c.req.raw);
    if (!checked.ok) return checked.response;
    c.set("twilio", checked.twilio);
    await next();
  };
}

const REQUIRED = ["CallSid", "To"] as const;

/** A refusal in plain text, as Hono's `c.text(message, status)` writes it. */
function refuse(message: string, status: 400 | 403 | 413 | 415): { ok: false; response: Response } {
  return { ok: false, response: new Response(message, { status, headers: { "Content-Type": "text/plain; charset=UTF-8" } }) };
}

/** The URL Twilio requested: behind a proxy it is the configured public base, never the socket's address. */
function publicUrl(requestUrl: string, base: string | undefined): string {
  if (base === undefined) return requestUrl;
  // Request URLs are absolute and normalised by the runtime: the path starts at the first "/" after "://".
  const pathStart = requestUrl.indexOf("/", requestUrl.indexOf("://") + 3);
  return pathStart === -1 ? `${base}/` : base + requestUrl.slice(pathStart);
}
