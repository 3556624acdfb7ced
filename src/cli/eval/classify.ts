/**
 * Judges one bot reply against what the utterance file expects. The judgement reads only what a
 * caller would hear and what the call does next (the TwiML), never the bot's internals, so the
 * same rules hold in process and against a running server.
 */
import type { Business } from "../../bot/business.ts";
import { replies } from "../../bot/replies.ts";
import type { TwimlStep } from "../twiml-reader.ts";
import type { Expectation } from "./utterances.ts";

/**
 * What a reply amounted to:
 * - `right`: what was expected (the marked answer, a transfer, a hang-up, the hours asked).
 * - `wrong-faq`: another FAQ's answer of the business, given with confidence.
 * - `false-answer`: an FAQ answer to an out-of-scope question.
 * - `declined`: no FAQ answer to an out-of-scope question (right).
 * - `clarify`: the bot asked which of two FAQs the caller means (no answer yet).
 * - `confirmed`: the bot checked ("Are you asking about X?"), and after the caller's yes gave the
 *   expected answer (see run.ts). Not counted in `right`: it took the caller a second turn.
 * - `fallback`: nothing wrong was said, but not what was expected either.
 */
export type Verdict = "right" | "wrong-faq" | "false-answer" | "declined" | "clarify" | "confirmed" | "fallback";

// The bot's clarifying sentence, read from the product's own wording so the two cannot drift apart.
const CLARIFY_PARTS = replies.clarify("\u0000", "\u0000").split("\u0000"); // ["Do you mean ", " or ", "?"]
const CLARIFY_HEAD = CLARIFY_PARTS[0] ?? "";
const CLARIFY_TAIL = CLARIFY_PARTS[CLARIFY_PARTS.length - 1] ?? "";

const CONFIRM_PARTS = replies.confirm("\u0000").split("\u0000"); // ["Are you asking about ", "?"]

/** Whether the reply is the bot checking "Are you asking about X?". */
export function isConfirmingQuestion(said: string): boolean {
  const head = CONFIRM_PARTS[0] ?? "";
  return head !== "" && said.startsWith(head) && said.endsWith(CONFIRM_PARTS[CONFIRM_PARTS.length - 1] ?? "");
}

/** Whether the reply is the bot asking "Do you mean A or B?". */
export function isClarifyingQuestion(said: string): boolean {
  return CLARIFY_HEAD !== "" && said.startsWith(CLARIFY_HEAD) && said.endsWith(CLARIFY_TAIL);
}

/** A reply as the eval reads it: everything said, and what the call does next. */
export interface HeardReply {
  /** Every `<Say>` in order (inside `<Gather>` too), joined by spaces. */
  readonly said: string;
  readonly dialed: boolean;
  readonly hungUp: boolean;
}

/**
 * Flattens TwiML steps into what the caller hears and what happens next.
 *
 * @example
 * ```ts
 * hear(readTwiml(xml)) // { said: "Free parking is in our lot…", dialed: false, hungUp: false }
 * ```
 */
export function hear(steps: readonly TwimlStep[]): HeardReply {
  const parts: string[] = [];
  let dialed = false;
  let hungUp = false;
  for (const step of steps) {
    if (step.verb === "Say") parts.push(step.text);
    else if (step.verb === "Gather") parts.push(...step.says);
    else if (step.verb === "Dial") dialed = true;
    else if (step.verb === "Hangup") hungUp = true;
  }
  return { said: parts.join(" "), dialed, hungUp };
}

/** The FAQ answers of `business` that `said` contains, by FAQ index. */
export function answersSaid(business: Business, said: string): number[] {
  const found: number[] = [];
  business.faqs.forEach((faq, index) => {
    if (said.includes(faq.answer)) found.push(index);
  });
  return found;
}

/**
 * The verdict on one reply. `expected` is the marker for `answers`, the pattern for `hours`,
 * and unused for the other kinds.
 *
 * @example
 * ```ts
 * classify(business, "answers", "$4.99", hear(steps)) // "right" | "wrong-faq" | "fallback"
 * classify(business, "goodbye", undefined, hear(steps)) // "right" when the call hung up
 * ```
 */
export function classify(business: Business, kind: Expectation, expected: string | RegExp | undefined, reply: HeardReply): Verdict {
  switch (kind) {
    case "answers": {
      if (typeof expected === "string" && reply.said.includes(expected)) return "right";
      const marker = typeof expected === "string" ? expected : "";
      const others = answersSaid(business, reply.said).filter((index) => !business.faqs[index]!.answer.includes(marker));
      if (others.length > 0) return "wrong-faq";
      return isClarifyingQuestion(reply.said) ? "clarify" : "fallback";
    }
    case "unknown":
      return answersSaid(business, reply.said).length > 0 ? "false-answer" : "declined";
    case "person":
      // A business without a transfer number cannot put anyone through: saying so is the right reply.
      if (reply.dialed) return "right";
      return business.transferNumber === undefined && reply.said.includes(replies.noTransfer(business)) ? "right" : "fallback";
    case "goodbye":
      return reply.hungUp ? "right" : "fallback";
    case "hours":
      return expected instanceof RegExp && expected.test(reply.said) ? "right" : "fallback";
  }
}

/** Whether a verdict is what the utterance asked for. */
export function isRight(verdict: Verdict): boolean {
  return verdict === "right" || verdict === "declined";
}
