/**
 * The TwiML and URLs that hand a call to ConversationRelay, derived from the public base URL.
 */
import type { Business } from "../bot/business.ts";
import { connectConversationRelay, type TwimlVerb } from "./twiml.ts";

/** Paths of the relay socket and of the webhook Twilio posts when a relay session ends. */
export const RELAY_SOCKET_PATH = "/twilio/relay";
export const RELAY_ACTION_PATH = "/twilio/relay-action";

export interface RelayUrls {
  /** `wss://…/twilio/relay` (`ws://` behind a plain-http base, for development). */
  socket: string;
  /** `https://…/twilio/relay-action` */
  action: string;
}

/**
 * The relay URLs under a public base URL (scheme, host and any path prefix).
 *
 * @example
 * ```ts
 * relayUrls("https://bot.example.com/voice")
 * // { socket: "wss://bot.example.com/voice/twilio/relay", action: "https://bot.example.com/voice/twilio/relay-action" }
 * ```
 */
export function relayUrls(publicBaseUrl: string): RelayUrls {
  const base = publicBaseUrl.replace(/\/+$/, "");
  return { socket: toWebSocketUrl(base) + RELAY_SOCKET_PATH, action: base + RELAY_ACTION_PATH };
}

/**
 * An http(s) URL as the WebSocket URL of the same place: https → wss, http → ws.
 *
 * @example
 * ```ts
 * toWebSocketUrl("https://bot.example.com/twilio/relay") // "wss://bot.example.com/twilio/relay"
 * ```
 */
export function toWebSocketUrl(url: string): string {
  if (/^https:/i.test(url)) return "wss:" + url.slice(6);
  if (/^http:/i.test(url)) return "ws:" + url.slice(5);
  return url;
}

/**
 * A `<Say>` voice name as ConversationRelay's `voice` + `ttsProvider`: `Polly.Joanna-Neural`
 * becomes `Joanna-Neural` on Amazon, `Google.en-US-Neural2-F` becomes `en-US-Neural2-F` on
 * Google; anything else is passed through with the account's default provider.
 *
 * @example
 * ```ts
 * relayVoice("Polly.Joanna-Neural") // { voice: "Joanna-Neural", ttsProvider: "Amazon" }
 * ```
 */
export function relayVoice(sayVoice: string): { voice: string; ttsProvider?: string } {
  const dot = sayVoice.indexOf(".");
  const prefix = dot === -1 ? "" : sayVoice.slice(0, dot).toLowerCase();
  if (prefix === "polly") return { voice: sayVoice.slice(dot + 1), ttsProvider: "Amazon" };
  if (prefix === "google") return { voice: sayVoice.slice(dot + 1), ttsProvider: "Google" };
  return { voice: sayVoice };
}

/**
 * `<Connect action><ConversationRelay …><Parameter name="businessId"/></ConversationRelay></Connect>`
 * for one business: Twilio speaks the greeting, then streams the caller's words to the socket.
 *
 * @example
 * ```ts
 * response(relayConnect(business, relayUrls("https://bot.example.com")))
 * ```
 */
export function relayConnect(business: Business, urls: RelayUrls): TwimlVerb {
  return connectConversationRelay({
    url: urls.socket,
    action: urls.action,
    method: "POST",
    welcomeGreeting: business.greeting,
    language: business.language,
    ...relayVoice(business.voice),
    dtmfDetection: true,
    parameters: { businessId: business.id },
  });
}
