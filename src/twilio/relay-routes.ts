import { Hono } from "hono";
import type { BotLookups } from "../bot/lookups.ts";
import type { Log } from "../log.ts";
import { errorText } from "../redact.ts";
import type { WebSocketHost } from "../runtime/websocket.ts";
import { parseHandoff } from "./relay-frames.ts";
import { toWebSocketUrl } from "./relay-twiml.ts";
import type { RelayConversations } from "./relay.ts";
import { createSignatureValidator } from "./signature.ts";
import { dial, hangup, response, TWIML_CONTENT_TYPE } from "./twiml.ts";
import { twilioWebhook, type TwilioVariables } from "./webhook.ts";

export interface RelayRouteDeps {
  relay: RelayConversations;
  /** Unset when the runtime serves no WebSockets (e.g. `app.request()` in tests): the socket route answers 503. */
  sockets: WebSocketHost | undefined;
  lookups: BotLookups;
  authToken: string | undefined;
  publicBaseUrl: string | undefined;
  log: Log;
}

/**
 * The ConversationRelay routes: `GET /relay` upgrades to the relay socket once Twilio's signature
 * on the handshake checks out (403 before any upgrade otherwise), and `POST /relay-action` (a
 * normal signed webhook) answers the end of a relay session with `<Dial>` for a transfer or
 * `<Hangup/>`. Mount before the other `/twilio` routes: their form-only middleware would refuse
 * the handshake.
 *
 * @example
 * ```ts
 * app.route("/twilio", relayRoutes({ relay, sockets, lookups, authToken, publicBaseUrl, log }));
 * ```
 */
export function relayRoutes(deps: RelayRouteDeps) {
  const app = new Hono<{ Variables: TwilioVariables }>();
  const validator = deps.authToken ? createSignatureValidator(deps.authToken) : undefined;
  const base = deps.publicBaseUrl?.replace(/\/+$/, "");

  app.get("/relay", (c) => {
    const request = c.req.raw;
    if (validator !== undefined) {
      // Twilio signs the socket URL it was given, with no parameters (the handshake has no body).
      const url = new URL(request.url);
      const signedUrl = base === undefined ? toWebSocketUrl(request.url) : toWebSocketUrl(base) + url.pathname + url.search;
      if (!validator.validate(signedUrl, [], request.headers.get("x-twilio-signature"))) {
        return c.text("invalid or missing X-Twilio-Signature", 403);
      }
    }
    if (deps.sockets === undefined) return c.text("WebSockets are not served here", 503);
    return deps.sockets.upgrade(request, deps.relay.connect());
  });

  app.post("/relay-action", twilioWebhook({ authToken: deps.authToken, publicBaseUrl: deps.publicBaseUrl }), async (c) => {
    const { callSid, to, params } = c.var.twilio;
    const handoff = parseHandoff(params.HandoffData);
    c.header("Content-Type", TWIML_CONTENT_TYPE);
    if (handoff?.reason !== "transfer") return c.body(response(hangup()), 200);
    // Dial only the number the business has on file; the handoff merely asks for the transfer.
    let transferTo: string | undefined;
    try {
      transferTo = (await deps.lookups.business(to))?.transferNumber;
    } catch (error) {
      deps.log("error", "relay action: business lookup failed", { callSid, error: errorText(error) });
      transferTo = handoff.transferTo;
    }
    if (transferTo === undefined) return c.body(response(hangup()), 200);
    return c.body(response(dial(transferTo)), 200);
  });

  return app;
}
