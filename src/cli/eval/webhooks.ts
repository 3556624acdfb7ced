/**
 * How the eval reaches the bot: Twilio's two call webhooks, signed exactly as Twilio signs them
 * (HMAC-SHA1 over the public URL and the sorted fields), posted either to a Hono app in process
 * or to a running server over HTTP. Both go through one `send`, so the eval cannot tell them apart.
 */
import { createSignatureValidator } from "../../twilio/signature.ts";
import { readTwiml, type TwimlStep } from "../twiml-reader.ts";

/** What one webhook answered. */
export interface WebhookReply {
  readonly steps: TwimlStep[];
  /** The server's own turn time from `Server-Timing` (`total`), in ms. */
  readonly serverMs: number | undefined;
  /** The knowledge query's share of it (`kb`), when the turn ran one. */
  readonly knowledgeMs: number | undefined;
}

export interface WebhookClientOptions {
  /** Sends a request: `app.fetch` in process, `fetch` over the network. */
  readonly send: (request: Request) => Response | Promise<Response>;
  /** Where requests go (scheme, host, any prefix). */
  readonly targetUrl: string;
  /** The URL the server checks signatures against (its PUBLIC_BASE_URL); default `targetUrl`. */
  readonly publicUrl?: string;
  /** The auth token to sign with; unsigned without one. */
  readonly token?: string;
  /** The caller's number (`From`). */
  readonly from?: string;
}

/** One call's webhooks, bound to its CallSid and dialled number. */
export interface EvalCall {
  /** `POST /twilio/voice`: the call starts. */
  start(): Promise<WebhookReply>;
  /** `POST /twilio/gather` with `SpeechResult`. */
  say(speech: string): Promise<WebhookReply>;
}

const TIMING = /(?:^|,)\s*(total|kb)(?:;[^,]*?)?;dur=([\d.]+)/g;

/** The `total` and `kb` durations of a `Server-Timing` header, in ms. */
export function readServerTiming(header: string | null): { serverMs: number | undefined; knowledgeMs: number | undefined } {
  let serverMs: number | undefined;
  let knowledgeMs: number | undefined;
  for (const match of (header ?? "").matchAll(TIMING)) {
    if (match[1] === "total") serverMs = Number(match[2]);
    else knowledgeMs = Number(match[2]);
  }
  return { serverMs, knowledgeMs };
}

/**
 * A client that places calls on the bot. Options are resolved once, here.
 *
 * @example
 * ```ts
 * const client = webhookClient({ send: app.fetch, targetUrl: "https://eval.invalid", token: "secret" });
 * const call = client.call("+15550600600");
 * await call.start();
 * const reply = await call.say("do you deliver");
 * ```
 */
export function webhookClient(options: WebhookClientOptions) {
  const target = options.targetUrl.replace(/\/+$/, "");
  const signedBase = (options.publicUrl ?? options.targetUrl).replace(/\/+$/, "");
  const signer = options.token ? createSignatureValidator(options.token) : undefined;
  const from = options.from ?? "+14155550100";
  let calls = 0;

  async function post(path: string, fields: Record<string, string>): Promise<WebhookReply> {
    const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
    if (signer) headers["x-twilio-signature"] = signer.sign(signedBase + path, fields);
    const response = await options.send(new Request(target + path, { method: "POST", body: new URLSearchParams(fields).toString(), headers }));
    const body = await response.text();
    if (response.status !== 200) throw new Error(`${path} answered HTTP ${response.status}: ${body.slice(0, 200)}`);
    return { steps: readTwiml(body), ...readServerTiming(response.headers.get("server-timing")) };
  }

  return {
    call(to: string): EvalCall {
      calls++;
      const callSid = `CA${calls.toString(16).padStart(8, "0")}${crypto.randomUUID().replaceAll("-", "").slice(0, 24)}`;
      const fields = { AccountSid: `AC${"0".repeat(32)}`, ApiVersion: "2010-04-01", CallSid: callSid, CallStatus: "in-progress", Direction: "inbound", From: from, To: to };
      // As Twilio does, each turn goes to the <Gather action> the previous reply gave: the call's state travels in it.
      let next = "/twilio/gather";
      const follow = (reply: WebhookReply): WebhookReply => {
        const action = reply.steps.find((step) => step.verb === "Gather")?.action;
        if (action !== undefined) next = action.startsWith(signedBase) ? action.slice(signedBase.length) : action;
        return reply;
      };
      return {
        start: async () => follow(await post("/twilio/voice", fields)),
        say: async (speech) => follow(await post(next, { ...fields, SpeechResult: speech, Confidence: "0.9" })),
      };
    },
  };
}

export type WebhookClient = ReturnType<typeof webhookClient>;
