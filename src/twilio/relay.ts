/**
 * One ConversationRelay call over a text socket: Twilio does speech recognition and synthesis,
 * this side receives what the caller said as `prompt` frames and streams the reply back as `text`
 * tokens. Runtime-independent: it sees only the socket interface of src/runtime/websocket.ts.
 */
import type { Business } from "../bot/business.ts";
import type { BotLookups } from "../bot/lookups.ts";
import { replies } from "../bot/replies.ts";
import type { CallSession, SessionStore } from "../bot/session.ts";
import { takeTurn, type TurnReply } from "../bot/turn.ts";
import type { Log } from "../log.ts";
import type { TextSocket, TextSocketHandlers } from "../runtime/websocket.ts";
import type { BotMetrics } from "../telemetry/bot-metrics.ts";
import { sleep } from "../util/sleep.ts";
import {
  endFrame,
  parseRelayFrame,
  replyTokens,
  textFrame,
  type RelayHandoff,
  type RelayInboundFrame,
  type RelayInterruptFrame,
  type RelaySetupFrame,
} from "./relay-frames.ts";

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
}

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
  // Warm once per business object: a refreshed business (a new object) is warmed again.
  const warmed = new WeakSet<Business>();

  function warm(business: Business): void {
    if (deps.warm === undefined || warmed.has(business)) return;
    warmed.add(business);
    deps.warm(business).catch((error: Error) => {
      warmed.delete(business);
      deps.log("warn", "relay: warming a business failed", { businessId: business.id, error: error.message });
    });
  }

  function connect(): TextSocketHandlers {
    let socket: TextSocket | undefined;
    let call: { business: Business; session: RelayCallSession } | undefined;
    let setupSeen = false;
    let ended = false;
    let closed = false;
    /** The reply being streamed; an interruption or a new prompt cancels it. */
    let streaming: { text: string; tokens: string[]; sent: number; cancelled: boolean } | undefined;
    /** The reply streamed last, finished or not: Twilio may still be speaking it when the caller interrupts. */
    let lastStream: typeof streaming;
    /** Frames that touch the session run one after the other, in arrival order. */
    let work: Promise<void> = Promise.resolve();

    const enqueue = (step: () => Promise<void>, what: string) => {
      work = work.then(step).catch((error: Error) => {
        deps.log("error", "relay: handling a frame failed", { frame: what, callSid: call?.session.callSid, error: error.message });
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
        deps.log("error", "relay: saving the session failed", { callSid: session.callSid, error: error.message });
      });
    }

    async function onSetup(frame: RelaySetupFrame): Promise<void> {
      let business: Business | null;
      try {
        business = await deps.lookups.business(frame.to);
      } catch (error) {
        deps.log("error", "relay: business lookup failed", { callSid: frame.callSid, error: (error as Error).message });
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
      await stream(reply.say);
      await saved;
      if (reply.next === "dial" && reply.dialTo !== undefined) return finish({ reason: "transfer", transferTo: reply.dialTo });
      if (reply.next === "hangup") return finish({ reason: "goodbye" });
    }

    async function onPrompt(speech: string, started: number): Promise<void> {
      if (call === undefined || ended) return;
      const turn = await takeTurn({
        business: call.business,
        session: call.session,
        speech,
        now: now(),
        minConfidence: deps.minConfidence,
        answer: deps.lookups.answer,
      });
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
          if (setupSeen) {
            deps.log("warn", "relay: second setup frame ignored", { callSid: frame.callSid });
            return;
          }
          setupSeen = true;
          enqueue(() => onSetup(frame), "setup");
          return;
        case "prompt":
          if (!setupSeen) return deps.log("warn", "relay: prompt before setup ignored");
          // Partial transcripts only announce that the caller is speaking; the final one is answered.
          if (!frame.last) return;
          // The caller spoke again: what is left of the previous reply is moot.
          if (streaming !== undefined) streaming.cancelled = true;
          enqueue(() => onPrompt(frame.voicePrompt, started), "prompt");
          return;
        case "dtmf":
          if (!setupSeen) return deps.log("warn", "relay: dtmf before setup ignored");
          if (frame.digit !== TRANSFER_DIGIT) return deps.log("debug", "relay: dtmf digit without a meaning", { digit: frame.digit });
          if (streaming !== undefined) streaming.cancelled = true;
          enqueue(() => onTransferDigit(started), "dtmf");
          return;
        case "interrupt":
          onInterrupt(frame);
          return;
        case "error":
          deps.log("warn", "relay: Twilio reported an error", { callSid: call?.session.callSid, description: frame.description.slice(0, 300) });
          return;
      }
    }

    return {
      open(opened) {
        socket = opened;
      },
      message(text) {
        const parsed = parseRelayFrame(text);
        if (!parsed.ok) {
          deps.log("warn", "relay: invalid frame ignored", { callSid: call?.session.callSid, problem: parsed.problem });
          return;
        }
        onFrame(parsed.frame);
      },
      close(code) {
        closed = true;
        if (streaming !== undefined) streaming.cancelled = true;
        deps.log("debug", "relay: socket closed", { callSid: call?.session.callSid, code });
        // Queued work still saves the session; nothing more is sent.
        socket = undefined;
      },
    };
  }

  return { connect };
}

export type RelayConversations = ReturnType<typeof relayConversations>;
