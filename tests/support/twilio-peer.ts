/**
 * Twilio's official helper library, used in tests as an independent peer: it signs requests the
 * way Twilio does and renders reference TwiML, so our code is checked against something we did
 * not write. Never imported by the server.
 */
import { getExpectedBodyHash, getExpectedTwilioSignature, validateRequest } from "twilio/lib/webhooks/webhooks.js";
import VoiceResponse from "twilio/lib/twiml/VoiceResponse.js";

export { VoiceResponse };

/** Fields as pairs (a name may repeat) or as a record. */
export type PeerParams = Readonly<Record<string, string>> | ReadonlyArray<readonly [string, string]>;

/**
 * The library's view of posted fields: a name posted more than once becomes a list, as Express
 * body parsers hand it over.
 *
 * @example
 * toLibraryParams([["a", "1"], ["a", "2"]]) // { a: ["1", "2"] }
 */
export function toLibraryParams(params: PeerParams): Record<string, string | string[]> {
  if (!Array.isArray(params)) return { ...(params as Readonly<Record<string, string>>) };
  const grouped: Record<string, string | string[]> = Object.create(null);
  for (const [name, value] of params as ReadonlyArray<readonly [string, string]>) {
    const existing = grouped[name];
    if (existing === undefined) grouped[name] = value;
    else if (typeof existing === "string") grouped[name] = [existing, value];
    else existing.push(value);
  }
  return grouped;
}

/**
 * The signature Twilio sends for `params` posted to exactly `url`.
 *
 * @example
 * expectedSignature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", { CallSid: "CA1" })
 */
export function expectedSignature(token: string, url: string, params: PeerParams): string {
  return getExpectedTwilioSignature(token, url, toLibraryParams(params));
}

/**
 * The library's verdict; a URL it cannot parse (it throws) counts as rejected.
 *
 * @example
 * peerValidate("12345", signature, url, params) // true | false
 */
export function peerValidate(token: string, signature: string, url: string, params: PeerParams): boolean {
  try {
    return validateRequest(token, signature, url, toLibraryParams(params));
  } catch {
    return false;
  }
}

/**
 * A form POST to `url` signed the way Twilio signs it.
 *
 * @example
 * const request = signedFormRequest("https://bot.example.com/twilio/voice", { CallSid: "CA1", To: "+15550001111" }, token);
 * await app.request(request);
 */
export function signedFormRequest(url: string, params: PeerParams, token: string, headers: Record<string, string> = {}): Request {
  const pairs = Array.isArray(params) ? (params as ReadonlyArray<readonly [string, string]>) : Object.entries(params);
  const body = new URLSearchParams(pairs.map(([name, value]) => [name, value])).toString();
  return new Request(url, {
    method: "POST",
    body,
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-twilio-signature": expectedSignature(token, url, params),
      ...headers,
    },
  });
}

/**
 * A JSON POST signed the way Twilio signs JSON: `bodySHA256` added to the query, URL signed alone.
 *
 * @example
 * const request = signedJsonRequest("https://bot.example.com/events", { event: "x" }, token);
 */
export function signedJsonRequest(url: string, payload: unknown, token: string): Request {
  const body = JSON.stringify(payload);
  const signedUrl = url + (url.includes("?") ? "&" : "?") + "bodySHA256=" + getExpectedBodyHash(body);
  return new Request(signedUrl, {
    method: "POST",
    body,
    headers: { "content-type": "application/json", "x-twilio-signature": getExpectedTwilioSignature(token, signedUrl, {}) },
  });
}

/** Hex SHA-256 of a body, as Twilio puts it in `bodySHA256`. */
export function expectedBodyHash(body: string): string {
  return getExpectedBodyHash(body);
}

/**
 * The fields Twilio posts to a voice webhook for one call to a business number, plus `extra`
 * (`SpeechResult`, `CallStatus`, …).
 *
 * @example
 * callFields("CA1", { SpeechResult: "do you have parking" }) // { AccountSid, ApiVersion, CallSid: "CA1", …, SpeechResult }
 */
export function callFields(callSid: string, extra: Record<string, string> = {}, call: { from?: string; to?: string } = {}): Record<string, string> {
  return {
    AccountSid: "AC00000000000000000000000000000000",
    ApiVersion: "2010-04-01",
    CallSid: callSid,
    CallStatus: "in-progress",
    Direction: "inbound",
    From: call.from ?? "+14155550100",
    To: call.to ?? "+15550001111",
    ...extra,
  };
}
