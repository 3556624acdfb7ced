/**
 * How the call simulators play Twilio's side of the HTTP webhooks: one simulated call's fields,
 * and requests signed the way Twilio signs them (over the server's public URL, posted to the
 * URL the server actually listens on).
 */
import { createSignatureValidator } from "../twilio/signature.ts";

/** What a webhook answered, with the round trip as the simulator saw it. */
export interface WebhookAnswer {
  status: number;
  text: string;
  headers: Headers;
  roundTripMs: number;
}

/** Where the server listens and how to sign for it. */
export interface WebhookClientOptions {
  /** Where the server listens, e.g. `http://127.0.0.1:3000`. */
  url: string;
  /** The URL the server signs against (its PUBLIC_BASE_URL); default `url`. */
  publicUrl?: string;
  /** Twilio auth token to sign with; unsigned without. */
  token?: string | undefined;
}

/** A webhook poster for one server; options are read once here. */
export interface WebhookClient {
  /** `url` without a trailing slash. */
  readonly serverUrl: string;
  /** Posts `fields` to `target` (a path, or a URL of which the path is used), signed when a token was given. */
  post(target: string, fields: Record<string, string>): Promise<WebhookAnswer>;
  /** The X-Twilio-Signature for `url` and `fields`, or undefined when unsigned. */
  signature(url: string, fields: Record<string, string>): string | undefined;
}

/**
 * A client that posts webhooks to `url`, signed over `publicUrl` with `token`.
 *
 * @example
 * const client = webhookClient({ url: "http://127.0.0.1:3000", token: process.env.TWILIO_AUTH_TOKEN });
 * const answer = await client.post("/twilio/voice", { ...callFields("+14155550100", "+15550001111"), CallStatus: "ringing" });
 */
export function webhookClient(options: WebhookClientOptions): WebhookClient {
  const serverUrl = options.url.replace(/\/+$/, "");
  const publicUrl = (options.publicUrl ?? options.url).replace(/\/+$/, "");
  const signer = options.token ? createSignatureValidator(options.token) : undefined;
  return {
    serverUrl,
    signature: (url, fields) => signer?.sign(url, fields),
    async post(target, fields) {
      const path = pathOf(target);
      const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
      if (signer) headers["x-twilio-signature"] = signer.sign(publicUrl + path, fields);
      const began = performance.now();
      const res = await fetch(serverUrl + path, { method: "POST", body: new URLSearchParams(fields).toString(), headers });
      const text = await res.text();
      return { status: res.status, text, headers: res.headers, roundTripMs: performance.now() - began };
    },
  };
}

/**
 * The fields Twilio sends with every webhook of one inbound call, under a fresh CallSid.
 *
 * @example const base = callFields("+14155550100", "+15550001111"); base.CallSid // "CA…"
 */
export function callFields(from: string, to: string): { AccountSid: string; ApiVersion: string; CallSid: string; Direction: string; From: string; To: string } {
  return {
    AccountSid: "AC" + "0".repeat(32),
    ApiVersion: "2010-04-01",
    CallSid: `CA${crypto.randomUUID().replaceAll("-", "")}`,
    Direction: "inbound",
    From: from,
    To: to,
  };
}

/** The path (and query) of a URL, or `target` itself when it is already a path. */
function pathOf(target: string): string {
  if (!/^[a-z]+:\/\//i.test(target)) return target;
  const url = new URL(target);
  return url.pathname + url.search;
}
