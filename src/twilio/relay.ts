/**
 * One ConversationRelay call over a text socket: Twilio does speech recognition and synthesis,
 * this side receives what the caller said as `prompt` frames and streams the reply back as `text`
 * tokens. Runtime-independent: it sees only the socket interface of src/runtime/websocket.ts.
 */
import type { Business } from "../bot/business.ts";
import type { BotLookups } from "../bot/lookups.ts";
import type { ModelAnswerer } from "../bot/model-answers.ts";
import { replies } from "../bot/replies.ts";
import type { CallSession, SessionStore } from "../bot/session.ts";
import { takeTurn, type TurnReply } from "../bot/turn.ts";
import type { Log } from "../log.ts";
import { errorText } from "../redact.ts";
import type { TextSocket, TextSocketHandlers } from "../runtime/websocket.ts";
import type { BotMetrics } from "../telemetry/bot-metrics.ts";
import { sleep } from "../util/sleep.ts";
import {
  endFrame,
  parseRelayFrame,
  replyTokens,
  textFrame,
  twilioErrorCode,
  type RelayHandoff,
  type RelayInboundFrame,
  type RelayInterruptFrame,
  type RelaySetupFrame,
} from "./relay-frames.ts";
import { modelReplyStream } from "./relay-model.ts";
import { DEFAULT_FRAME_BUDGET, frameBudget, warningLimiter, type FrameBudgetOptions } from "./relay-limits.ts";

/** Where the caller cut a reply short, kept with the call's session. */
export interface RelayInterruption {
  /** What the caller had heard of the reply when they spoke (Twilio's `utteranceUntilInterrupt`). */
  utteranceUntilInterrupt: string;
  durationUntilInterruptMs: number | undefined;
  /** The reply that was being spoken. */
  reply: string;
  /** Tokens of it that had been sent when the interruption arrived. */
  tokensSent: number;
  tokensTotal: number;
  at: number;
}

/** A call session as relay calls keep it: the shared session plus the last interruption. */
export interface RelayCallSession extends CallSession {
  lastInterruption?: RelayInterruption;
}

export interface RelayDeps {
  lookups: BotLookups;
  sessions: SessionStore;
  metrics: BotMetrics;
  minConfidence: number;
  log: Log;
  now?: () => Date;
  /** Warms a business's knowledge when a call for it connects; runs in the background. */
  warm?: (business: Business) => Promise<unknown>;
  /**
   * Pause between streamed tokens, as a language model would produce them. 0 sends the whole
   * reply at once (fastest; nothing is left to cut short when the caller interrupts).
   */
  tokenDelayMs?: number;
  /** Frames one socket may send; over it frames are dropped unread and counted. Default 50/s, burst 100. */
  frameBudget?: Partial<FrameBudgetOptions>;
  /** Answers what the FAQs cannot, streamed sentence by sentence; an interrupt aborts its request. */
  model?: ModelAnswerer;
  /** LLM_SOFT_TIMEOUT_MS: with nothing said by then, the caller hears "One moment, let me check.". */
  modelWaitMs?: number;
}

/** A socket writes at most one warning line per this interval; the rest are counted in its end-of-call line. */
const WARNING_INTERVAL_MS = 60_000;

/** The DTMF digit that puts the caller through to a person. */
export const TRANSFER_DIGIT = "0";

/**
 * The relay side of the bot: `connect()` gives the handlers for one new socket.
 *
 * @example
 * ```ts
 * const relay = relayConversations({ lookups, sessions, metrics, minConfidence: 0.5, log });
 * app.get("/twilio/relay", (c) => sockets.upgrade(c.req.raw, relay.connect()));
 * ```
 */
export function relayConversations(deps: RelayDeps) {
  const now = deps.now ?? (() => new Date());
  const tokenDelayMs = Math.max(0, deps.tokenDelayMs ?? 0);
  const budgetOptions: FrameBudgetOptions = { ...DEFAULT_FRAME_BUDGET, ...deps.frameBudget };
  // Warm once per business object: a refreshed business (a new object) is warmed again.
  const warmed = new WeakSet<Business>();

  function warm(business: Business): void {
    if (deps.warm === undefined || warmed.has(business)) return;
    warmed.add(business);
    deps.warm(business).catch((error: Error) => {
      warmed.delete(business);
      deps.log("warn", "relay: warming a business failed", { businessId: business.id, error: errorText(error) });
    });
  }

  function connect(): TextSocketHandlers {
    let socket: TextSocket | undefined;
    let call: { business: Business; session: RelayCallSession } | undefined;
    /** From the setup frame as soon as it arrives, so every line of this socket names its call. */
    let callSid: string | undefined;
    let setupSeen = false;
    let ended = false;
    let closed = false;
    /** The reply being streamed; an interruption or a new prompt cancels it. */
    let streaming: { text: string; tokens: string[]; sent: number; cancelled: boolean } | undefined;
    /** The reply streamed last, finished or not: Twilio may still be speaking it when the caller interrupts. */
    let lastStream: typeof streaming;
    /** The model request of the prompt being answered; an interruption, a new prompt or a hang-up aborts it. */
    let asking: AbortController | undefined;
    const stopAsking = () => asking?.abort();
    /** Frames that touch the session run one after the other, in arrival order. */
    let work: Promise<void> = Promise.resolve();
    const budget = frameBudget(budgetOptions);
    const warnings = warningLimiter(WARNING_INTERVAL_MS);
    let twilioErrors = 0;
    let lastTwilioErrorCode: string | undefined;

    /** Warnings caused by what the peer sends: one line per socket per minute, the rest counted. */
    const warn = (message: string, fields?: Record<string, unknown>) => {
      if (warnings.allow()) deps.log("warn", message, { callSid, ...fields });
    };

    const enqueue = (step: () => Promise<void>, what: string) => {
      work = work.then(step).catch((error: Error) => {
        deps.log("error", "relay: handling a frame failed", { frame: what, callSid, error: errorText(error) });
      });
    };

    const send = (frame: string): boolean => (socket !== undefined && !closed ? socket.send(frame) : false);

    /** Streams a reply token by token; false when it was cut short. */
    async function stream(text: string): Promise<boolean> {
      const tokens = replyTokens(text);
      if (tokens.length === 0) return send(textFrame("", true));
      const current = { text, tokens, sent: 0, cancelled: false };
      streaming = lastStream = current;
      try {
        for (let i = 0; i < tokens.length; i++) {
          if (current.cancelled || closed) return false;
          if (!send(textFrame(tokens[i]!, i === tokens.length - 1))) return false;
          current.sent++;
          if (tokenDelayMs > 0 && i < tokens.length - 1) await sleep(tokenDelayMs);
        }
        return true;
      } finally {
        if (streaming === current) streaming = undefined;
      }
    }

    function finish(handoff: RelayHandoff): void {
      ended = true;
      send(endFrame(handoff));
    }

    /**
     * Writes the call's session. Status callbacks may have updated it on another instance since
     * setup, so their fields are taken from the stored copy; the conversation's fields are ours.
     */
    async function save(session: RelayCallSession): Promise<void> {
      const stored = await deps.sessions.get(session.callSid);
      if (stored !== undefined) {
        session.statusSeen = stored.statusSeen;
        session.ended = session.ended || stored.ended;
      }
      // A copy: without an L2 the cache keeps the object it is given, and ours changes every turn.
      await deps.sessions.save({ ...session });
    }

    function saveLogged(session: RelayCallSession): Promise<void> {
      return save(session).catch((error: Error) => {
        deps.log("error", "relay: saving the session failed", { callSid: session.callSid, error: errorText(error) });
      });
    }

    async function onSetup(frame: RelaySetupFrame): Promise<void> {
      let business: Business | null;
      try {
        business = await deps.lookups.business(frame.to);
      } catch (error) {
        deps.log("error", "relay: business lookup failed", { callSid: frame.callSid, error: errorText(error) });
        await stream(replies.temporarilyUnavailable());
        return finish({ reason: "unavailable" });
      }
      if (business === null) {
        await stream(replies.unknownNumber());
        return finish({ reason: "unavailable" });
      }
      const claimed = frame.customParameters.businessId;
      if (claimed !== undefined && claimed !== business.id) {
        // The dialled number decides the tenant; a parameter from stale TwiML must not override it.
        deps.log("warn", "relay: businessId parameter does not match the dialled number", { callSid: frame.callSid, businessId: business.id });
      }
      warm(business);
      // Usually started by /twilio/voice on this or another instance; started here when it expired.
      const stored = (await deps.sessions.get(frame.callSid)) ?? (await deps.sessions.start(frame.callSid, business.id, frame.to));
      call = { business, session: { ...stored } };
    }

    async function reply(reply: TurnReply, started: number): Promise<void> {
      if (call === undefined) return;
      // The next frame of this call arrives on this socket, so the write need not delay the first
      // token; it must land before `end`, whose action webhook may reach another instance.
      const saved = saveLogged(call.session);
      if (reply.knowledgeMs !== undefined) deps.metrics.knowledge(reply.knowledgeMs / 1000, reply.outcome === "answer");
      deps.metrics.turn(reply.outcome, (performance.now() - started) / 1000);
      if (reply.source !== undefined) deps.metrics.answer(reply.source);
      // A streamed model answer is out already: only the end of the utterance is left to send.
      if (reply.streamed) send(textFrame("", true));
      else await stream(reply.say);
      await saved;
      if (reply.next === "dial" && reply.dialTo !== undefined) return finish({ reason: "transfer", transferTo: reply.dialTo });
      if (reply.next === "hangup") return finish({ reason: "goodbye" });
    }

    async function onPrompt(speech: string, started: number): Promise<void> {
      if (call === undefined || ended) return;
      const model = deps.model;
      const streamed = modelReplyStream(send, (live) => (streaming = lastStream = live));
      const aborter = streamed.aborter;
      if (model !== undefined) asking = aborter;
      const at = now();
      const turn = await takeTurn({
        business: call.business,
        session: call.session,
        speech,
        now: at,
        minConfidence: deps.minConfidence,
        answer: deps.lookups.answer,
        ...(model ? { model: streamed.asker(model, at, deps.modelWaitMs ?? 1_500) } : {}),
      });
      if (asking === aborter) asking = undefined;
      if (streaming === streamed.live) streaming = undefined;
      // Interrupted while the model answered: the caller is already saying something else.
      if (aborter.signal.aborted) return saveLogged(call.session);
      await reply(turn, started);
    }

    async function onTransferDigit(started: number): Promise<void> {
      if (call === undefined || ended) return;
      const { business, session } = call;
      session.turns++;
      session.silences = 0;
      const turn: TurnReply =
        business.transferNumber === undefined
          ? { outcome: "transfer", say: replies.noTransfer(business), next: "gather" }
          : { outcome: "transfer", say: replies.transfer(business), next: "dial", dialTo: business.transferNumber };
      session.lastReply = turn.say;
      await reply(turn, started);
    }

    function onInterrupt(frame: RelayInterruptFrame): void {
      if (streaming !== undefined) streaming.cancelled = true;
      stopAsking();
      const cut = lastStream;
      enqueue(async () => {
        if (call === undefined) return;
        const reply = cut?.text ?? call.session.lastReply ?? "";
        call.session.lastInterruption = {
          utteranceUntilInterrupt: frame.utteranceUntilInterrupt,
          durationUntilInterruptMs: frame.durationUntilInterruptMs,
          reply,
          tokensSent: cut?.sent ?? 0,
          tokensTotal: cut?.tokens.length ?? 0,
          at: Date.now(),
        };
        await save(call.session);
      }, "interrupt");
    }

    function onFrame(frame: RelayInboundFrame): void {
      const started = performance.now();
      switch (frame.type) {
        case "setup":
          if (setupSeen) return warn("relay: second setup frame ignored");
          setupSeen = true;
          callSid = frame.callSid;
          enqueue(() => onSetup(frame), "setup");
          return;
        case "prompt":
          if (!setupSeen) return warn("relay: prompt before setup ignored");
          // Partial transcripts only announce that the caller is speaking; the final one is answered.
          if (!frame.last) return;
          // The caller spoke again: what is left of the previous reply is moot.
          if (streaming !== undefined) streaming.cancelled = true;
          stopAsking();
          enqueue(() => onPrompt(frame.voicePrompt, started), "prompt");
          return;
        case "dtmf":
          if (!setupSeen) return warn("relay: dtmf before setup ignored");
          // Which key, never: a caller may be keying a card number.
          if (frame.digit !== TRANSFER_DIGIT) return deps.log("debug", "relay: a digit without a meaning", { callSid });
          if (streaming !== undefined) streaming.cancelled = true;
          stopAsking();
          enqueue(() => onTransferDigit(started), "dtmf");
          return;
        case "interrupt":
          onInterrupt(frame);
          return;
        case "error":
          twilioErrors++;
          lastTwilioErrorCode = twilioErrorCode(frame);
          return warn("relay: Twilio reported an error", { code: lastTwilioErrorCode });
      }
    }

    return {
      open(opened) {
        socket = opened;
      },
      message(text) {
        // Over the budget a frame is dropped unread: a flood costs a counter, not a parse.
        if (!budget.take()) {
          if (warnings.allow(false)) deps.log("warn", "relay: frame budget exceeded; frames dropped", { callSid, ...budgetOptions });
          return;
        }
        const parsed = parseRelayFrame(text);
        if (!parsed.ok) return warn("relay: invalid frame ignored", { problem: parsed.problem });
        onFrame(parsed.frame);
      },
      close(code) {
        closed = true;
        if (streaming !== undefined) streaming.cancelled = true;
        stopAsking();
        const droppedFrames = budget.dropped;
        const suppressedWarnings = warnings.suppressed;
        // Anything held back during the call is reported once, at the level operators read.
        const noteworthy = droppedFrames > 0 || suppressedWarnings > 0 || twilioErrors > 0;
        deps.log(noteworthy ? "info" : "debug", "relay: socket closed", {
          callSid,
          code,
          ...(noteworthy ? { droppedFrames, suppressedWarnings, twilioErrors, lastTwilioErrorCode } : {}),
        });
        // Queued work still saves the session; nothing more is sent.
        socket = undefined;
      },
    };
  }

  return { connect };
}

export type RelayConversations = ReturnType<typeof relayConversations>;
