/**
 * The state one gather turn needs from the turns before it, small enough to travel with the call
 * (in the `<Gather action>` URL Twilio posts back) instead of living in L2. The bot's last reply is
 * kept as what is needed to say it again — which FAQ, which of its own lines — never as words.
 */
import type { SaidReply } from "./said.ts";
import type { CallSession } from "./session.ts";

/** What a gather turn carries from one webhook to the next. */
export interface CallState {
  turns: number;
  misses: number;
  silences: number;
  transferOffered: boolean;
  pendingClarification?: readonly [number, number];
  said?: SaidReply;
}

/** The state of a call before its first gather turn. */
export const FIRST_TURN: Readonly<CallState> = { turns: 0, misses: 0, silences: 0, transferOffered: false };

/**
 * A session for one turn, built from the state the URL carried (nothing read from L2).
 *
 * @example
 * ```ts
 * const session = sessionFromState(state, callSid, business.id, to);
 * await takeTurn({ business, session, … });
 * const next = stateFromSession(session);
 * ```
 */
export function sessionFromState(state: Readonly<CallState>, callSid: string, businessId: string, to: string): CallSession {
  const session: CallSession = {
    callSid,
    businessId,
    to,
    startedAt: 0,
    turns: state.turns,
    misses: state.misses,
    silences: state.silences,
    lastReply: undefined,
    transferOffered: state.transferOffered,
    statusSeen: [],
    ended: false,
  };
  if (state.pendingClarification !== undefined) session.pendingClarification = state.pendingClarification;
  if (state.said !== undefined) session.said = state.said;
  return session;
}

/** The state the next turn needs, after a turn updated `session`. */
export function stateFromSession(session: CallSession): CallState {
  const state: CallState = { turns: session.turns, misses: session.misses, silences: session.silences, transferOffered: session.transferOffered === true };
  if (session.pendingClarification !== undefined) state.pendingClarification = session.pendingClarification;
  if (session.said !== undefined) state.said = session.said;
  return state;
}
