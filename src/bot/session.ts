import type { NamespaceHandle } from "../cache/index.ts";
import type { SaidReply } from "./said.ts";

/**
 * The state of one call, keyed by Twilio's CallSid. In L2 it is written when the call starts and
 * when it ends (active calls, status callbacks); a gather call's turn-by-turn state travels in its
 * webhook URLs instead (see call-state.ts), and a relay call's stays in its socket. Holds no caller
 * words beyond the last reply the bot itself said (needed for "repeat that").
 */
export interface CallSession {
  callSid: string;
  businessId: string;
  /** The dialled number (the business's), so a later webhook can find the business again. */
  to: string;
  startedAt: number;
  turns: number;
  /** Knowledge misses in a row. */
  misses: number;
  /** Turns without speech in a row. */
  silences: number;
  lastReply: string | undefined;
  /** The last reply as what is needed to say it again, for state that travels without text (see call-state.ts). */
  said?: SaidReply;
  /** The bot offered to put the caller through to a person; a "yes" now means exactly that. */
  transferOffered?: boolean;
  /** The bot asked "Do you mean A or B?": the FAQ indexes of A and B, for the caller's next turn. */
  pendingClarification?: readonly [number, number];
  /** Status callbacks already applied (`SequenceNumber`), so a repeated callback changes nothing. */
  statusSeen: number[];
  ended: boolean;
}

/**
 * Reads and writes call sessions through the cache namespace `session`. Writes go to L2 before
 * the webhook answers, so a status callback finds them on any instance.
 *
 * @example
 * ```ts
 * const sessions = sessionStore(cache.namespace("session"));
 * const { session } = await sessions.open("CA123", "bella-pizza", "+15550001111");
 * await sessions.save({ ...session, turns: session.turns + 1 });
 * ```
 */
export function sessionStore(handle: NamespaceHandle<CallSession>) {
  /** A fresh session for the call, replacing any other. */
  async function start(callSid: string, businessId: string, to: string, now = Date.now()): Promise<CallSession> {
    const session: CallSession = {
      callSid,
      businessId,
      to,
      startedAt: now,
      turns: 0,
      misses: 0,
      silences: 0,
      lastReply: undefined,
      statusSeen: [],
      ended: false,
    };
    await handle.set(callSid, session);
    return session;
  }

  return {
    start,
    get(callSid: string): Promise<CallSession | undefined> {
      return handle.get(callSid);
    },
    /** The call's session, created when there is none; `created` tells a new call from a retried webhook. */
    async open(callSid: string, businessId: string, to: string, now = Date.now()): Promise<{ session: CallSession; created: boolean }> {
      const existing = await handle.get(callSid);
      // Twilio may post the incoming-call webhook again (a retry): keep the call's progress.
      if (existing !== undefined && !existing.ended) return { session: existing, created: false };
      return { session: await start(callSid, businessId, to, now), created: true };
    },
    save(session: CallSession): Promise<void> {
      return handle.set(session.callSid, session);
    },
  };
}

export type SessionStore = ReturnType<typeof sessionStore>;
