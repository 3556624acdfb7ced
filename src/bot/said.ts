/**
 * The bot's last reply as what is needed to say it again — which FAQ, which of its own lines,
 * which hours question — never as words, so it can travel with the call (see call-state.ts).
 */
import type { Business } from "./business.ts";
import { answerHoursQuestion, replies, type HoursAsked } from "./replies.ts";
import { faqTopic } from "./topics.ts";

/** The bot's own lines that a repeat can say again as they are. */
export const LINE_KINDS = ["notSure", "anythingElse", "reprompt", "keypadHelp", "noTransfer", "staffMatter"] as const;
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
  staffMatter: { kind: "staffMatter" },
};

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
      if (a === undefined || b === undefined) return undefined;
      return a === b ? replies.confirm(faqTopic(a)) : replies.clarify(faqTopic(a), faqTopic(b));
    }
    case "hours":
      return answerHoursQuestion(business, said.asked, now);
    default:
      return replies[said.kind](business);
  }
}
