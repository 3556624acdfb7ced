import type { Business } from "./business.ts";
import { detectIntent } from "./intents.ts";
import type { KnowledgeAnswer } from "./lookups.ts";
import { answerHoursQuestion, replies } from "./replies.ts";
import type { CallSession } from "./session.ts";

/** What a turn ended as; also the `bot.outcome` metric attribute. */
export type TurnOutcome = "answer" | "fallback" | "hours" | "transfer" | "goodbye" | "reprompt" | "repeat";

/** What the bot does next: keep listening, hang up, or put the caller through to a person. */
export interface TurnReply {
  outcome: TurnOutcome;
  say: string;
  next: "gather" | "hangup" | "dial";
  dialTo?: string;
  /** Milliseconds spent in the knowledge query (cache included), when one ran. */
  knowledgeMs?: number;
}

export interface TurnInput {
  business: Business;
  /** Updated in place: turn count, misses, silences, last reply. */
  session: CallSession;
  /** What speech recognition heard; empty when the caller said nothing. */
  speech: string;
  now: Date;
  minConfidence: number;
  answer(business: Business, question: string): Promise<KnowledgeAnswer | null>;
}

/** Silent turns in a row before the bot says goodbye. */
export const MAX_SILENCES = 3;
/** Knowledge misses in a row before the bot offers a person straight away. */
export const MISSES_BEFORE_TRANSFER = 2;

/**
 * One turn of the conversation: intents first (goodbye, a person, opening hours, repeat), then
 * the knowledge base, then an honest fallback that offers a transfer. Hours answers are computed
 * from the clock every time, never cached, since they change with the minute.
 *
 * @example
 * ```ts
 * const reply = await takeTurn({ business, session, speech: "do you have parking", now: new Date(), minConfidence: 0.5, answer });
 * reply.say // "Free parking is behind the building."
 * ```
 */
export async function takeTurn(input: TurnInput): Promise<TurnReply> {
  const { business, session } = input;
  session.turns++;
  const reply = await decide(input);
  if (reply.outcome !== "reprompt") session.silences = 0;
  if (reply.outcome !== "repeat") session.lastReply = reply.say;
  return reply;
}

async function decide(input: TurnInput): Promise<TurnReply> {
  const { business, session, speech } = input;
  if (speech.trim() === "") {
    session.silences++;
    if (session.silences >= MAX_SILENCES) return { outcome: "goodbye", say: replies.silenceGoodbye(business), next: "hangup" };
    return { outcome: "reprompt", say: replies.reprompt(business), next: "gather" };
  }

  const intent = detectIntent(speech);
  switch (intent.kind) {
    case "goodbye":
      return { outcome: "goodbye", say: replies.goodbye(business), next: "hangup" };
    case "human":
      return transfer(business);
    case "repeat":
      return { outcome: "repeat", say: session.lastReply ?? replies.nothingToRepeat(business), next: "gather" };
    case "hours":
      return { outcome: "hours", say: answerHoursQuestion(business, intent, input.now), next: "gather" };
    case "none":
      break;
  }

  const started = performance.now();
  const found = await input.answer(business, speech);
  const knowledgeMs = performance.now() - started;
  if (found !== null && found.score >= input.minConfidence) {
    session.misses = 0;
    return { outcome: "answer", say: found.answer, next: "gather", knowledgeMs };
  }
  session.misses++;
  if (session.misses >= MISSES_BEFORE_TRANSFER && business.transferNumber !== undefined) {
    session.misses = 0;
    return { ...transfer(business, true), knowledgeMs };
  }
  return { outcome: "fallback", say: replies.notSure(business), next: "gather", knowledgeMs };
}

function transfer(business: Business, afterMisses = false): TurnReply {
  if (business.transferNumber === undefined) return { outcome: "transfer", say: replies.noTransfer(business), next: "gather" };
  return {
    outcome: "transfer",
    say: afterMisses ? replies.transferAfterMisses(business) : replies.transfer(business),
    next: "dial",
    dialTo: business.transferNumber,
  };
}
