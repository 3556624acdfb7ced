import type { MiddlewareHandler } from "hono";
import { parseTwilioForm, readBodyLimited, requireFields, DEFAULT_MAX_FORM_BYTES } from "./form.ts";
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

/**
 * Verifies and parses a Twilio webhook before its route runs: body limit (413), form syntax
 * (400), signature over the public URL (403), then `CallSid` and `To` (400). Nothing a caller or
 * an attacker posts gets past it as an exception.
 *
 * Options are resolved once here, not per request.
 *
 * @example
 * ```ts
 * app.post("/twilio/voice", twilioWebhook({ authToken, publicBaseUrl }), (c) => c.var.twilio.callSid);
 * ```
 */
export function twilioWebhook(options: TwilioWebhookOptions): MiddlewareHandler<{ Variables: TwilioVariables }> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_FORM_BYTES;
  const validator: SignatureValidator | undefined = options.authToken ? createSignatureValidator(options.authToken) : undefined;
  const base = options.publicBaseUrl?.replace(/\/+$/, "");

  return async (c, next) => {
    const request = c.req.raw;
    const contentType = request.headers.get("content-type") ?? "";
    if (!FORM_CONTENT_TYPE.test(contentType)) {
      return c.text("expected an application/x-www-form-urlencoded body", 415);
    }
    const body = await readBodyLimited(request, maxBytes);
    if (!body.ok) return c.text(body.error, body.status);
    const form = parseTwilioForm(body.text, maxBytes);
    if (!form.ok) return c.text(form.error, form.status);

    if (validator !== undefined) {
      const signature = request.headers.get("x-twilio-signature");
      if (!signature || !validator.validate(publicUrl(request.url, base), form.pairs, signature)) {
        return c.text("invalid or missing X-Twilio-Signature", 403);
      }
    }

    const fields = requireFields(form.params, ["CallSid", "To"]);
    if (!fields.ok) return c.text(fields.error, fields.status);
    c.set("twilio", { params: form.params, callSid: fields.values.CallSid, to: fields.values.To });
    await next();
  };
}

/** The URL Twilio requested: behind a proxy it is the configured public base, never the socket's address. */
function publicUrl(requestUrl: string, base: string | undefined): string {
  if (base === undefined) return requestUrl;
  // Request URLs are absolute and normalised by the runtime: the path starts at the first "/" after "://".
  const pathStart = requestUrl.indexOf("/", requestUrl.indexOf("://") + 3);
  return pathStart === -1 ? `${base}/` : base + requestUrl.slice(pathStart);
}
