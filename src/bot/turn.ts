import type { Business } from "./business.ts";
import { chooseBetween, clarifyingQuestion, confirmation, confirmingQuestion } from "./clarify.ts";
import { detectIntent } from "./intents.ts";
import type { KnowledgeAnswer } from "./lookups.ts";
import type { ModelReply } from "./model-answers.ts";
import { answerHoursQuestion, canTransfer, replies } from "./replies.ts";
import { isStaffMatter } from "./staff-matters.ts";
import { isOpenAroundTheClock } from "./hours-spoken.ts";
import { SAID_LINE, sayAgain, type SaidReply } from "./said.ts";
import { splitQuestions, twoAnswers } from "./two-questions.ts";
import type { CallSession } from "./session.ts";

/** What a turn ended as; also the `bot.outcome` metric attribute. */
export type TurnOutcome = "answer" | "clarify" | "fallback" | "staff" | "hours" | "transfer" | "goodbye" | "reprompt" | "repeat" | "pending";

/** Where a turn's answer came from, when the knowledge path ran: the `answer.source` metric attribute. */
export type AnswerSource = "faq" | "cache" | "semantic" | "model" | "fallback";

/** What the bot does next: keep listening, hang up, or put the caller through to a person. */
export interface TurnReply {
  outcome: TurnOutcome;
  say: string;
  /** `redirect`: the model is still answering; Twilio comes back for it (gather only). */
  next: "gather" | "hangup" | "dial" | "redirect";
  dialTo?: string;
  /** With `redirect`: the pending answer's key and when it was asked. */
  pending?: { key: string; since: number };
  /** Set when the knowledge path ran. */
  source?: AnswerSource;
  /** The answer already went out sentence by sentence (relay). */
  streamed?: boolean;
  /** Milliseconds spent in the knowledge query (cache included), when one ran. */
  knowledgeMs?: number;
  /** What is needed to say this reply again (set on the replies a caller may ask to hear again). */
  said?: SaidReply;
}

export interface TurnInput {
  business: Business;
  /** Updated in place: turn count, misses, silences, last reply. */
  session: CallSession;
  /** What speech recognition heard; empty when the caller said nothing. */
  speech: string;
  /** Keys the caller pressed (`Digits`); "0" asks for a person. Empty or absent for none. */
  digits?: string;
  now: Date;
  minConfidence: number;
  answer(business: Business, question: string): Promise<KnowledgeAnswer | null>;
  /** The answer when it is at hand without waiting (cached), else undefined and `answer` is asked. */
  answerIfCached?(business: Business, question: string): KnowledgeAnswer | null | undefined;
  /** Asked when the FAQs have no confident answer (see model-answers.ts); absent: retrieval only. */
  model?: (business: Business, question: string, faq: number | undefined) => Promise<ModelReply>;
}

/** Silent turns in a row before the bot says goodbye. */
export const MAX_SILENCES = 3;
/** Knowledge misses in a row before the bot offers a person straight away. */
export const MISSES_BEFORE_TRANSFER = 2;

/**
 * One turn of the conversation: a key pressed (0 for a person), the caller's answer to a
 * clarifying question, intents (goodbye, a person, opening hours, repeat), then the knowledge
 * base — which may ask "Do you mean A or B?" when two FAQs fit equally well — then an honest
 * fallback that offers a transfer. Hours answers are computed
 * from the clock every time, never cached, since they change with the minute.
 *
 * @example
 * ```ts
 * const reply = await takeTurn({ business, session, speech: "do you have parking", now: new Date(), minConfidence: 0.5, answer });
 * reply.say // "Free parking is behind the building."
 * ```
 */
export async function takeTurn(input: TurnInput): Promise<TurnReply> {
  return takeTurnNow(input);
}

/**
 * {@link takeTurn}, answered synchronously when nothing in the turn has to be waited for (the
 * knowledge answer is cached and no model is asked), as a promise otherwise: the webhook's hot
 * path then builds its reply without a round through the microtask queue.
 *
 * @example
 * ```ts
 * const reply = takeTurnNow({ business, session, speech, now, minConfidence: 0.5, answer, answerIfCached });
 * const said = reply instanceof Promise ? (await reply).say : reply.say;
 * ```
 */
export function takeTurnNow(input: TurnInput): TurnReply | Promise<TurnReply> {
  const { session } = input;
  session.turns++;
  const offered = session.transferOffered === true;
  session.transferOffered = false;
  // A clarifying question is answered on the very next turn or not at all.
  const pending = session.pendingClarification;
  delete session.pendingClarification;
  const reply = decide(input, offered, pending);
  return reply instanceof Promise ? reply.then((settled) => settleSession(session, settled)) : settleSession(session, reply);
}

function settleSession(session: CallSession, reply: TurnReply): TurnReply {
  if (reply.outcome !== "reprompt") session.silences = 0;
  // An empty reply (a model answer the caller interrupted) leaves "repeat that" with what was said before.
  if (reply.outcome !== "repeat" && reply.say !== "") {
    session.lastReply = reply.say;
    if (reply.said === undefined) delete session.said;
    else session.said = reply.said;
  }
  return reply;
}

/** `next(value)`, at once for a value and once it settles for a promise. */
function then<T, R>(value: T | Promise<T>, next: (value: T) => R | Promise<R>): R | Promise<R> {
  return value instanceof Promise ? value.then(next) : next(value);
}

/** The knowledge base's answer to what the caller said: the cached one at once, else the lookup's promise. */
function lookUp(input: TurnInput): KnowledgeAnswer | null | Promise<KnowledgeAnswer | null> {
  const cached = input.answerIfCached?.(input.business, input.speech);
  return cached !== undefined ? cached : input.answer(input.business, input.speech);
}

function decide(input: TurnInput, transferOffered: boolean, pending: CallSession["pendingClarification"]): TurnReply | Promise<TurnReply> {
  const { business, session, speech } = input;
  const digits = input.digits?.trim() ?? "";
  if (digits === "0") return transfer(business);
  if (digits !== "" && speech.trim() === "") return { outcome: "reprompt", say: replies.keypadHelp(business), next: "gather", said: SAID_LINE.keypadHelp };
  if (speech.trim() === "") {
    session.silences++;
    if (session.silences >= MAX_SILENCES) return { outcome: "goodbye", say: replies.silenceGoodbye(business), next: "hangup" };
    return { outcome: "reprompt", say: replies.reprompt(business), next: "gather", said: SAID_LINE.reprompt };
  }

  // A bare yes or no answers the bot's own offer of a person ("Would you like me to connect you…?").
  if (transferOffered) {
    const answer = confirmation(speech);
    if (answer === "yes") return transfer(business);
    if (answer === "no") return { outcome: "fallback", say: replies.anythingElse(business), next: "gather", said: SAID_LINE.anythingElse };
  }

  if (pending !== undefined && pending[0] === pending[1]) {
    // The caller's answer to "Are you asking about X?"; anything but yes or no is a new question.
    const answer = confirmation(speech);
    if (answer === "yes") {
      session.misses = 0;
      const faq = business.faqs[pending[0]];
      if (faq !== undefined) return { outcome: "answer", say: faq.answer, next: "gather", source: "faq", said: { kind: "faqs", faqs: [pending[0]] } };
    }
    if (answer === "no") return miss(business, session, undefined);
  } else if (pending !== undefined) {
    const chosen = chooseBetween(business, speech, pending);
    if (chosen.length > 0) {
      session.misses = 0;
      return { outcome: "answer", say: chosen.map((index) => business.faqs[index]!.answer).join(" "), next: "gather", said: { kind: "faqs", faqs: chosen } };
    }
  }

  const intent = detectIntent(speech);
  switch (intent.kind) {
    case "goodbye":
      return { outcome: "goodbye", say: replies.goodbye(business), next: "hangup" };
    case "human":
      return transfer(business);
    case "repeat":
      return { outcome: "repeat", say: session.lastReply ?? saidBefore(input) ?? replies.nothingToRepeat(business), next: "gather" };
    case "hours": {
      // A business that never closes is asked about a part of it ("what time does the kitchen
      // stop"): its FAQs answer that, when one does; "we're open 24 hours" otherwise.
      const hours = (): TurnReply => ({ outcome: "hours", say: answerHoursQuestion(business, intent, input.now), next: "gather", said: { kind: "hours", asked: intent } });
      if (intent.place === true && isOpenAroundTheClock(business.hours)) {
        return then(lookUp(input), (found): TurnReply => {
          if (found !== null && !found.ambiguous && found.score >= input.minConfidence) {
            return { outcome: "answer", say: found.answer, next: "gather", source: "faq", said: { kind: "faqs", faqs: [found.faqIndex] } };
          }
          return hours();
        });
      }
      return hours();
    }
    case "none":
      break;
  }
  // The caller's own order, bill or case, something left behind, a job: no FAQ or model can
  // answer it, so neither is asked; the caller hears so and is offered a person.
  if (isStaffMatter(speech)) {
    session.transferOffered = canTransfer(business);
    return { outcome: "staff", say: replies.staffMatter(business), next: "gather", said: SAID_LINE.staffMatter };
  }

  const started = performance.now();
  // Two questions in one breath ("… and …") wait for both lookups; any other utterance takes the one.
  const parts = splitQuestions(speech);
  if (parts !== undefined) return bothOrOne(input, parts, started);
  const found = lookUp(input);
  return found instanceof Promise ? found.then((settled) => answered(input, settled, performance.now() - started)) : answered(input, found, performance.now() - started);
}

/** Both answers when two different FAQs answer the two parts confidently, else the utterance as one question. */
async function bothOrOne(input: TurnInput, parts: readonly [string, string], started: number): Promise<TurnReply> {
  const both = await twoAnswers(input.business, parts, input.answer, input.minConfidence);
  if (both !== undefined) {
    input.session.misses = 0;
    const faqs = both.map((found) => found.faqIndex);
    return { outcome: "answer", say: both.map((found) => found.answer).join(" "), next: "gather", knowledgeMs: performance.now() - started, source: "faq", said: { kind: "faqs", faqs } };
  }
  return answered(input, await lookUp(input), performance.now() - started);
}

/** The turn once the knowledge base has answered (`found`, after `knowledgeMs`). */
function answered(input: TurnInput, found: KnowledgeAnswer | null, knowledgeMs: number): TurnReply | Promise<TurnReply> {
  const { business, session, speech } = input;
  // An ambiguous match is asked about whatever its score: two FAQs that each fit on their own split
  // the confidence between them, so neither alone may reach the threshold.
  const ask = found === null ? undefined : clarifyingQuestion(business, found);
  if (ask !== undefined) {
    session.misses = 0;
    session.pendingClarification = ask.between;
    return { outcome: "clarify", say: ask.say, next: "gather", knowledgeMs, said: { kind: "clarify", faqs: ask.between } };
  }
  if (found !== null && found.score >= input.minConfidence) {
    session.misses = 0;
    return { outcome: "answer", say: found.answer, next: "gather", knowledgeMs, source: "faq", said: { kind: "faqs", faqs: [found.faqIndex] } };
  }
  if (input.model !== undefined) {
    return input.model(business, speech, found?.faqIndex).then((asked): TurnReply => {
      if (asked.kind === "pending") {
        return { outcome: "pending", say: replies.oneMoment(business), next: "redirect", pending: { key: asked.key, since: asked.since }, knowledgeMs };
      }
      return { ...modelTurn(business, session, asked), knowledgeMs };
    });
  }
  const check = confirmingQuestion(business, found, input.minConfidence);
  if (check !== undefined) {
    session.pendingClarification = check.between;
    return { outcome: "clarify", say: check.say, next: "gather", knowledgeMs, said: { kind: "clarify", faqs: check.between } };
  }
  return miss(business, session, knowledgeMs);
}

/**
 * The turn a model reply makes: its answer, or the honest fallback. Also ends a `pending` turn when
 * Twilio's redirect comes back for the answer.
 *
 * @example
 * ```ts
 * const reply = finishModelTurn(business, session, await answerer.pending(key, since));
 * ```
 */
export function finishModelTurn(business: Business, session: CallSession, asked: ModelReply): TurnReply {
  const reply = modelTurn(business, session, asked);
  if (reply.say !== "") session.lastReply = reply.say;
  return reply;
}

function modelTurn(business: Business, session: CallSession, asked: ModelReply): TurnReply {
  if (asked.kind === "answer") {
    session.misses = 0;
    return { outcome: "answer", say: asked.text, next: "gather", source: asked.source, ...(asked.streamed ? { streamed: true } : {}) };
  }
  // The caller cut the answer short (relay): nothing to say, and no miss to count against the bot.
  if (asked.kind === "none" && asked.reason === "aborted") return { outcome: "fallback", say: "", next: "gather" };
  return miss(business, session, undefined);
}

function miss(business: Business, session: CallSession, knowledgeMs: number | undefined): TurnReply {
  const timing = knowledgeMs === undefined ? {} : { knowledgeMs };
  session.misses++;
  if (session.misses >= MISSES_BEFORE_TRANSFER && business.transferNumber !== undefined) {
    session.misses = 0;
    return { ...transfer(business, true), ...timing, source: "fallback" };
  }
  session.transferOffered = business.transferNumber !== undefined;
  return { outcome: "fallback", say: replies.notSure(business), next: "gather", ...timing, source: "fallback", said: SAID_LINE.notSure };
}

/** The last reply rebuilt from what the state kept of it, when the session holds no text (a gather call's state travels without it). */
function saidBefore(input: TurnInput): string | undefined {
  const said = input.session.said;
  return said === undefined ? undefined : sayAgain(input.business, said, input.now);
}

function transfer(business: Business, afterMisses = false): TurnReply {
  if (business.transferNumber === undefined) return { outcome: "transfer", say: replies.noTransfer(business), next: "gather", said: SAID_LINE.noTransfer };
  return {
    outcome: "transfer",
    say: afterMisses ? replies.transferAfterMisses(business) : replies.transfer(business),
    next: "dial",
    dialTo: business.transferNumber,
  };
}
