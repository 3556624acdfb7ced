/**
 * The state one gather turn needs from the turns before it, small enough to travel with the call
 * (in the `<Gather action>` URL Twilio posts back) instead of living in L2. The bot's last reply is
 * kept as what is needed to say it again — which FAQ, which of its own lines — never as words.
 */
import type { Business } from "./business.ts";
import { answerHoursQuestion, replies, type HoursAsked } from "./replies.ts";
import type { CallSession } from "./session.ts";
import { faqTopic } from "./topics.ts";

/** The bot's own lines that a repeat can say again as they are. */
export const LINE_KINDS = ["notSure", "anythingElse", "reprompt", "keypadHelp", "noTransfer"] as const;
export type LineKind = (typeof LINE_KINDS)[number];

/** What the bot last said, as what it needs to say it again (no text). */
export type SaidReply =
  | { readonly kind: "faqs"; readonly faqs: readonly number[] }
  | { readonly kind: "clarify"; readonly faqs: readonly [number, number] }
  | { readonly kind: "hours"; readonly asked: HoursAsked }
  | { readonly kind: LineKind };

/** The lines as shared constants, so a turn that says one allocates nothing to remember it. */
export const SAID_LINE: { readonly [K in LineKind]: { readonly kind: K } } = {
  notSure: { kind: "notSure" },
  anythingElse: { kind: "anythingElse" },
  reprompt: { kind: "reprompt" },
  keypadHelp: { kind: "keypadHelp" },
  noTransfer: { kind: "noTransfer" },
};

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

/**
 * The words of a reply said before, rebuilt from the business as it is now; undefined when the
 * business no longer has the FAQs it named. An hours answer is computed for `now`, as it would be
 * if asked again.
 *
 * @example
 * ```ts
 * sayAgain(bella, { kind: "faqs", faqs: [2] }, new Date()) // "Free parking is behind the building."
 * ```
 */
export function sayAgain(business: Business, said: SaidReply, now: Date): string | undefined {
  switch (said.kind) {
    case "faqs": {
      let text = "";
      for (const index of said.faqs) {
        const faq = business.faqs[index];
        if (faq === undefined) return undefined;
        text = text === "" ? faq.answer : `${text} ${faq.answer}`;
      }
      return text === "" ? undefined : text;
    }
    case "clarify": {
      const a = business.faqs[said.faqs[0]];
      const b = business.faqs[said.faqs[1]];
      return a === undefined || b === undefined ? undefined : replies.clarify(faqTopic(a), faqTopic(b));
    }
    case "hours":
      return answerHoursQuestion(business, said.asked, now);
    default:
      return replies[said.kind](business);
  }
}
