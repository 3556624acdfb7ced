import { Hono } from "hono";
import { getQueryParam } from "hono/utils/url";
import type { Business } from "../bot/business.ts";
import { FIRST_TURN, sessionFromState, stateFromSession } from "../bot/call-state.ts";
import type { BotLookups } from "../bot/lookups.ts";
import { replies } from "../bot/replies.ts";
import type { CallSession, SessionStore } from "../bot/session.ts";
import { PENDING_KEY, type ModelAnswerer } from "../bot/model-answers.ts";
import { finishModelTurn, takeTurnNow, type TurnInput, type TurnOutcome, type TurnReply } from "../bot/turn.ts";
import { errorText } from "../redact.ts";
import type { BotMetrics } from "../telemetry/bot-metrics.ts";
import { CALL_STATE_PARAM, callStateCodec, callStateSecret } from "./call-state.ts";
import { relayConnect, relayUrls } from "./relay-twiml.ts";
import { dial, escapeText, gather, hangup, redirect, response, say, TWIML_CONTENT_TYPE, type TwimlVerb } from "./twiml.ts";
import { twilioGatherCheck, twilioWebhook, type GatherCheck, type GatherRequest, type TwilioVariables } from "./webhook.ts";

/** Outcomes of a webhook: a conversational turn's, or one of those that are not a turn. */
export type WebhookOutcome = TurnOutcome | "greeting" | "unknown_number" | "unavailable";

export interface TwilioRouteDeps {
  lookups: BotLookups;
  sessions: SessionStore;
  metrics: BotMetrics<WebhookOutcome>;
  authToken: string | undefined;
  publicBaseUrl: string | undefined;
  minConfidence: number;
  /** `relay`: incoming calls are handed to ConversationRelay (see relay-routes.ts). Default `gather`. */
  voiceMode?: "gather" | "relay";
  /** Answers what the FAQs cannot (off when absent); the webhook waits `modelWaitMs` for it. */
  model?: ModelAnswerer;
  /** LLM_SOFT_TIMEOUT_MS: past it the caller hears a filler and a redirect comes back for the answer. */
  modelWaitMs?: number;
  /** Keys the own HMAC over the call state in URLs when there is no auth token (development); random per process when unset. */
  callStateSecret?: string;
  now?: () => Date;
  /** Where failures the caller must not hear about are reported (never with caller data). */
  log: (level: "warn" | "error", message: string, fields?: Record<string, unknown>) => void;
}

/** Statuses after which a call is over. */
const FINAL_STATUSES = new Set(["completed", "busy", "failed", "no-answer", "canceled"]);
/** Stands for the reply in the pre-rendered listening document: private-use characters, which escaping keeps and no builder writes. */
const REPLY_SLOT = "\ue000reply\ue000";
/** Stands for the call state in the pre-rendered document's URLs (its values are URL- and XML-safe as they are). */
const STATE_SLOT = "\ue000state\ue000";
const SLOTS = /(\ue000reply\ue000|\ue000state\ue000)/;
/** At most this many FAQ keywords go to speech recognition as hints. */
const MAX_HINTS = 50;

/**
 * The Twilio webhooks: `POST /voice` (incoming call), `POST /gather` (what the caller said) and
 * `POST /status` (status callbacks, idempotent). Every reply is TwiML with status 200 — even when
 * the directory or the cache fails, the caller hears a sentence, never an error — and carries a
 * `Server-Timing` header with the business lookup, knowledge query and total times.
 *
 * @example
 * ```ts
 * app.route("/twilio", twilioRoutes({ lookups, sessions, metrics, authToken, publicBaseUrl, minConfidence: 0.5, log }));
 * ```
 */
export function twilioRoutes(deps: TwilioRouteDeps): Hono<{ Variables: TwilioVariables }> {
  return twilioWebhooks(deps).routes;
}

/** The webhook routes, and the gather turn as a plain handler of its own. */
export interface TwilioWebhooks {
  routes: Hono<{ Variables: TwilioVariables }>;
  /**
   * `POST /twilio/gather` from request to response with every check of the routes' middleware,
   * without Hono: the turn every caller's every sentence takes, so it skips the router and the
   * middleware chain (see app.ts). Same answers as the route.
   */
  gather(request: Request, settle?: GatherSettlement): Promise<Response>;
}

/**
 * What the caller of {@link TwilioWebhooks.gather} does with its answer, applied in the step the
 * answer is made (no further round through the microtask queue): `answered` takes every
 * Response; `failed` turns an exception of the check or the turn into one.
 */
export interface GatherSettlement {
  answered(response: Response): Response;
  failed(error: unknown): Response;
}

/**
 * {@link twilioRoutes}, plus the gather turn as a handler that needs no router.
 *
 * @example
 * ```ts
 * const { routes, gather } = twilioWebhooks(deps);
 * app.route("/twilio", routes);
 * const res = await gather(request); // a POST to /twilio/gather
 * ```
 */
export function twilioWebhooks(deps: TwilioRouteDeps): TwilioWebhooks {
  const app = new Hono<{ Variables: TwilioVariables }>();
  const now = deps.now ?? (() => new Date());
  const base = deps.publicBaseUrl?.replace(/\/+$/, "") ?? "";
  const gatherUrl = `${base}/twilio/gather`;
  const hintsByBusiness = new WeakMap<Business, string>();
  const callStates = callStateCodec({ secret: callStateSecret({ authToken: deps.authToken, secret: deps.callStateSecret, log: deps.log }) });

  const webhook = { authToken: deps.authToken, publicBaseUrl: deps.publicBaseUrl };
  const gatherCheck = twilioGatherCheck(webhook);
  app.use("*", twilioWebhook(webhook));

  function hintsOf(business: Business): string {
    let hints = hintsByBusiness.get(business);
    if (hints === undefined) {
      const words = new Set<string>();
      for (const faq of business.faqs) for (const k of faq.keywords ?? []) if (words.size < MAX_HINTS) words.add(k);
      hints = [...words].join(", ");
      hintsByBusiness.set(business, hints);
    }
    return hints;
  }

  // The document around the reply never changes for a business: it is rendered once with slots for
  // the reply and the call state, and each turn fills them in: literal parts at even indexes, the
  // slot between them at odd ones (null: the slots did not survive, render in full). A listening
  // turn mostly says one of the business's FAQ answers (or its greeting): each is escaped once too.
  const listening = new WeakMap<Business, { parts: readonly string[] | null; escapes: ReadonlyMap<string, string> }>();
  function listen(business: Business, text: string, state: string): string {
    let known = listening.get(business);
    if (known === undefined) {
      const split = renderListen(business, REPLY_SLOT, STATE_SLOT).split(SLOTS);
      const slots = split.filter((_, i) => i % 2 === 1);
      const expected = slots.filter((slot) => slot === REPLY_SLOT).length === 1 && slots.filter((slot) => slot === STATE_SLOT).length === 2;
      const escapes = new Map<string, string>();
      for (const said of [business.greeting, ...business.faqs.map((faq) => faq.answer)]) escapes.set(said, escapeText(said));
      listening.set(business, (known = { parts: expected ? split : null, escapes }));
    }
    const { parts } = known;
    const escaped = known.escapes.get(text) ?? escapeText(text);
    // An empty <Say> renders self-closing; the full builder handles that.
    if (parts === null || escaped === "") return renderListen(business, text, state);
    let document = parts[0]!;
    for (let i = 1; i < parts.length; i += 2) document += (parts[i] === REPLY_SLOT ? escaped : state) + parts[i + 1]!;
    return document;
  }

  function renderListen(business: Business, text: string, state: string): string {
    const voice = { voice: business.voice, language: business.language };
    const hints = hintsOf(business);
    // The next turn's state rides in both URLs: the answer, and the silence that falls through to <Redirect>.
    const action = `${gatherUrl}?${CALL_STATE_PARAM}=${state}`;
    return response(
      gather(
        // Speech, or one key: 0 puts the caller through to a person without saying a word.
        { input: "dtmf speech", numDigits: 1, action, method: "POST", speechTimeout: "auto", language: business.language, ...(hints ? { hints } : {}) },
        [say(text, voice)],
      ),
      redirect(action, { method: "POST" }),
    );
  }

  function render(business: Business, reply: TurnReply, state: string): string {
    if (reply.next === "gather") return listen(business, reply.say, state);
    const voice = { voice: business.voice, language: business.language };
    const verbs: TwimlVerb[] = [say(reply.say, voice)];
    if (reply.next === "redirect" && reply.pending) {
      // Twilio signs the URL it is sent to, query included: a follow-up cannot name a key we did not give it.
      // The call's state rides along, so the follow-up turn goes on where this one left off.
      const query = `${CALL_STATE_PARAM}=${state}&pending=${encodeURIComponent(reply.pending.key)}&since=${reply.pending.since}`;
      return response(...verbs, redirect(`${gatherUrl}?${query}`, { method: "POST" }));
    }
    if (reply.next === "dial" && reply.dialTo) verbs.push(dial(reply.dialTo));
    else verbs.push(hangup());
    return response(...verbs);
  }

  // Every reply's headers: the content type, and the timing set just before each Response is built.
  // A Response copies the headers it is given, and building from a Headers object skips reading an
  // object's properties; 200 is the default status. No middleware sets headers for these routes.
  const replyHeaders = new Headers({ "Content-Type": TWIML_CONTENT_TYPE, "Server-Timing": "" });
  const replyInit: ResponseInit = { headers: replyHeaders };
  function twiml(body: string, timing: Timing, outcome: WebhookOutcome): Response {
    const totalMs = performance.now() - timing.started;
    deps.metrics.turn(outcome, totalMs / 1000);
    replyHeaders.set("Server-Timing", serverTiming(timing, totalMs));
    return new Response(body, replyInit);
  }

  /** The business for a number; `undefined` when the directory could not answer (the caller hears an apology). */
  async function findBusiness(to: string, timing: Timing, callSid: string): Promise<Business | null | undefined> {
    const started = performance.now();
    try {
      return await deps.lookups.business(to);
    } catch (error) {
      deps.log("error", "business lookup failed", { callSid, error: errorText(error) });
      return undefined;
    } finally {
      timing.businessMs = performance.now() - started;
    }
  }

  app.post("/voice", async (c) => {
    const timing = newTiming();
    const { callSid, to } = c.get("twilio");
    const business = await findBusiness(to, timing, callSid);
    if (business === undefined) return twiml(response(say(replies.temporarilyUnavailable()), hangup()), timing, "unavailable");
    if (business === null) return twiml(response(say(replies.unknownNumber()), hangup()), timing, "unknown_number");
    const { created } = await deps.sessions.open(callSid, business.id, to);
    if (created) deps.metrics.callStarted();
    if ((business.voiceMode ?? deps.voiceMode) === "relay") {
      const urls = relayUrls(base || new URL(c.req.url).origin);
      return twiml(response(relayConnect(business, urls)), timing, "greeting");
    }
    return twiml(listen(business, business.greeting, callStates.write(FIRST_TURN, callSid)), timing, "greeting");
  });

  app.post("/gather", (c) => {
    const { callSid, to, params } = c.get("twilio");
    return gatherTurn(c.req.raw, { callSid, to, speech: params.SpeechResult ?? "", digits: params.Digits ?? "" });
  });

  // A warm turn runs from the verified request to its Response without waiting on anything: the
  // business and the answer come from L1 at once (l1Hit); what is not at hand is waited for.
  function gatherTurn(request: Request, call: GatherRequest): Response | Promise<Response> {
    const timing = newTiming();
    let cached: Business | null | undefined;
    try {
      cached = deps.lookups.businessIfCached(call.to);
    } catch {
      cached = undefined;
    }
    if (cached === undefined) return findBusiness(call.to, timing, call.callSid).then((business) => gatherFor(business, request, call, timing));
    timing.businessMs = performance.now() - timing.started;
    return gatherFor(cached, request, call, timing);
  }

  function gatherFor(business: Business | null | undefined, request: Request, call: GatherRequest, timing: Timing): Response | Promise<Response> {
    const { callSid, to } = call;
    if (business === undefined) return twiml(response(say(replies.temporarilyUnavailable()), hangup()), timing, "unavailable");
    if (business === null) return twiml(response(say(replies.unknownNumber()), hangup()), timing, "unknown_number");

    // The state came with the URL, authenticated by the signature (or our HMAC): no L2 round trip.
    const url = request.url;
    const read = callStates.read(url, callSid);
    if (!read.ok) return new Response(read.error, { status: read.status, headers: { "Content-Type": "text/plain; charset=UTF-8" } });
    const session = sessionFromState(read.state, callSid, business.id, to);
    const at = now();
    // Only a follow-up's URL names a pending answer (an escaped name would hold a "%").
    const pendingKey = url.includes("pending") || url.includes("%") ? (getQueryParam(url, "pending") as string | undefined) : undefined;
    if (pendingKey !== undefined) {
      return followUp(business, session, pendingKey, Number(getQueryParam(url, "since"))).then((reply) => replied(business, session, callSid, timing, reply));
    }
    const { lookups, model } = deps;
    const turn: TurnInput = {
      business,
      session,
      speech: call.speech,
      digits: call.digits,
      now: at,
      minConfidence: deps.minConfidence,
      answer: lookups.answer,
      answerIfCached: lookups.answerIfCached,
    };
    // Set only with a model: no empty object spread into the turn on every webhook without one.
    if (model) turn.model = (b, question, faq) => model.ask(b, question, { now: at, waitMs: deps.modelWaitMs ?? 1_500, ...(faq === undefined ? {} : { faq }) });
    const reply = takeTurnNow(turn);
    return reply instanceof Promise ? reply.then((settled) => replied(business, session, callSid, timing, settled)) : replied(business, session, callSid, timing, reply);
  }

  function replied(business: Business, session: CallSession, callSid: string, timing: Timing, reply: TurnReply): Response {
    if (reply.knowledgeMs !== undefined) {
      timing.knowledgeMs = reply.knowledgeMs;
      deps.metrics.knowledge(reply.knowledgeMs / 1000, reply.outcome === "answer");
    }
    if (reply.source !== undefined) deps.metrics.answer(reply.source);
    return twiml(render(business, reply, callStates.write(stateFromSession(session), callSid)), timing, reply.outcome);
  }

  // Checked and answered in the step that reads the body: a warm turn waits for nothing else.
  function gatherWebhook(request: Request, settle?: GatherSettlement): Promise<Response> {
    if (settle === undefined) return gatherCheck(request, (checked) => (checked.ok ? gatherTurn(request, checked.gather) : checked.response));
    const settled = (checked: GatherCheck): Response | Promise<Response> => {
      let answer: Response | Promise<Response>;
      try {
        answer = checked.ok ? gatherTurn(request, checked.gather) : checked.response;
      } catch (error) {
        return settle.failed(error);
      }
      return answer instanceof Promise ? answer.then(settle.answered, settle.failed) : settle.answered(answer);
    };
    return gatherCheck(request, settled, settle.failed);
  }

  /** Twilio came back for an answer the model was still producing: it, or the honest fallback. */
  async function followUp(business: Business, session: CallSession, key: string, since: number): Promise<TurnReply> {
    const valid = deps.model !== undefined && PENDING_KEY.test(key) && Number.isFinite(since);
    const asked = valid ? await deps.model!.pending(key, since) : ({ kind: "none", reason: "timeout" } as const);
    return finishModelTurn(business, session, asked);
  }

  app.post("/status", async (c) => {
    const { callSid, params } = c.get("twilio");
    const status = params.CallStatus ?? "";
    const sequence = Number(params.SequenceNumber ?? Number.NaN);
    const stored = await deps.sessions.get(callSid);
    if (stored === undefined) return c.body(null, 204);
    const session: CallSession = { ...stored };
    if (Number.isInteger(sequence)) {
      if (session.statusSeen.includes(sequence)) return c.body(null, 204);
      session.statusSeen = [...session.statusSeen, sequence].slice(-32);
    }
    if (FINAL_STATUSES.has(status) && !session.ended) {
      session.ended = true;
      const duration = params.CallDuration === undefined ? undefined : Number(params.CallDuration);
      deps.metrics.callEnded(status, duration);
    }
    await deps.sessions.save(session);
    return c.body(null, 204);
  });

  return { routes: app, gather: gatherWebhook };
}

interface Timing {
  started: number;
  businessMs: number | undefined;
  knowledgeMs: number | undefined;
}

function newTiming(): Timing {
  return { started: performance.now(), businessMs: undefined, knowledgeMs: undefined };
}

function serverTiming(timing: Timing, totalMs: number): string {
  let header = "";
  if (timing.businessMs !== undefined) header += `biz;desc="business lookup";dur=${threeDecimals(timing.businessMs)}, `;
  if (timing.knowledgeMs !== undefined) header += `kb;desc="knowledge query";dur=${threeDecimals(timing.knowledgeMs)}, `;
  return `${header}total;dur=${threeDecimals(totalMs)}`;
}

/** ".000" to ".999", and whole milliseconds below 100 as text: a turn's timings are assembled from them, not printed. */
const FRACTION_TEXT = Array.from({ length: 1_000 }, (_, i) => `.${String(i).padStart(3, "0")}`);
const WHOLE_TEXT = Array.from({ length: 100 }, (_, i) => String(i));

/** Milliseconds with three decimals, as toFixed(3) writes them, from integers (cheaper to print than a fraction). */
function threeDecimals(ms: number): string {
  const micros = Math.round(ms * 1000);
  const fraction = micros % 1000;
  const whole = (micros - fraction) / 1000;
  if (whole >= 0 && whole < 100 && fraction >= 0) return WHOLE_TEXT[whole]! + FRACTION_TEXT[fraction]!;
  return `${whole}.${fraction < 10 ? "00" : fraction < 100 ? "0" : ""}${fraction}`;
}
