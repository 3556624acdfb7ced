/**
 * Everything the bot says that is not an FAQ answer, in one place so the voice of the product can
 * be read (and changed) at once. Each reply is a small pure function of the business; none knows
 * about TwiML (the caller of these escapes and wraps them).
 *
 * Sentences are short and end with a question whenever the caller is expected to speak, because
 * on the phone silence after a statement sounds like the line went dead.
 */
import type { Business } from "./business.ts";
import { WEEKDAY_NAMES, localMoment, openingStatus, weekdayAfter, type OpeningStatus, type Weekday } from "./hours.ts";
import { describeHours, isAllDay, spokenTime } from "./hours-spoken.ts";
import type { DayReference, HoursQuestion } from "./intents.ts";

/** Whether the business can hand a caller to a person. */
export function canTransfer(business: Business): boolean {
  return business.transferNumber !== undefined;
}

/**
 * The bot's sentences, one function each.
 *
 * @example
 * ```ts
 * replies.notSure(bella) // "I'm not sure about that one. Would you like me to connect you with someone at Bella Pizza?"
 * replies.goodbye(bella) // "Thanks for calling Bella Pizza. Goodbye!"
 * ```
 */
export const replies = {
  /** The first thing the caller hears. */
  greeting(business: Business): string {
    return business.greeting;
  },

  /** No confident answer in the knowledge base: honest, and offering a person when there is one. */
  notSure(business: Business): string {
    if (canTransfer(business)) return `I'm not sure about that one. Would you like me to connect you with someone at ${business.name}?`;
    return "I'm not sure about that one, sorry. Could you ask me another way, or ask about something else?";
  },

  /** The caller's own order, bill or case, something left behind, or a job: only the staff can help. */
  staffMatter(business: Business): string {
    if (canTransfer(business)) return `That's one for our team, and I can't look it up from here. Would you like me to connect you with someone at ${business.name}?`;
    return `That's one for our team, and I can't look it up from here, sorry. Is there anything else I can help you with?`;
  },

  /** The model is still thinking past the soft timeout: the caller hears this while the answer lands. */
  oneMoment(_business: Business): string {
    return "One moment, let me check.";
  },

  /** Said right before the call goes to the business's transfer number, at the caller's request. */
  transfer(business: Business): string {
    return `Sure, I'll connect you with someone at ${business.name} now. Please hold.`;
  },

  /** Said right before a transfer the bot decided on, after it failed to answer several times. */
  transferAfterMisses(business: Business): string {
    return `I'm sorry I couldn't help with that. Let me connect you with someone at ${business.name}. Please hold.`;
  },

  /** A person was asked for, but the business has no transfer number. */
  noTransfer(business: Business): string {
    return `I'm sorry, I can't connect you with someone at ${business.name} on this line. Is there anything else I can help you with?`;
  },

  /** Speech recognition heard nothing (or nothing usable): ask again. */
  reprompt(_business: Business): string {
    return "Sorry, I didn't catch that. How can I help you?";
  },

  /** One FAQ fits, but not surely enough to answer: check, as a receptionist would. */
  confirm(topic: string): string {
    return `Are you asking about ${topic}?`;
  },

  /** Two FAQs fit the question about equally well: ask which one, as a receptionist would. */
  clarify(topicA: string, topicB: string): string {
    return `Do you mean ${topicA} or ${topicB}?`;
  },

  /** A key other than 0 was pressed: say what the keypad does. */
  keypadHelp(business: Business): string {
    if (canTransfer(business)) return "To talk to someone, press 0. Or just tell me how I can help.";
    return "Sorry, I can only understand speech on this line. How can I help you?";
  },

  /** After an answer, when the caller should know they can go on. */
  anythingElse(_business: Business): string {
    return "Is there anything else I can help you with?";
  },

  /** The caller asked to repeat before the bot said anything worth repeating. */
  nothingToRepeat(business: Business): string {
    return `I haven't told you anything yet. ${business.greeting}`;
  },

  /** The end of a call the caller ended. */
  goodbye(business: Business): string {
    return `Thanks for calling ${business.name}. Goodbye!`;
  },

  /** The end of a call after the caller stayed silent through the reprompts. */
  silenceGoodbye(business: Business): string {
    return `I haven't heard anything, so I'll hang up now. Thanks for calling ${business.name}. Goodbye!`;
  },

  /** The dialled number belongs to no business (so there is no business to name). */
  unknownNumber(): string {
    return "Sorry, this number isn't set up to take calls yet. Goodbye.";
  },

  /** The business directory could not answer (timeout, outage): nothing sensible to say but sorry. */
  temporarilyUnavailable(): string {
    return "Sorry, we're having trouble answering calls right now. Please try again in a few minutes. Goodbye.";
  },

  /** Something failed on the server's side mid-call: apologise and listen again rather than drop the call. */
  glitch(): string {
    return "I'm sorry, something went wrong on my side. Could you say that again?";
  },

  /** Hours were asked for but the business never published them. */
  hoursUnknown(business: Business): string {
    const offer = canTransfer(business) ? " Would you like me to connect you with someone who can tell you?" : " Is there anything else I can help you with?";
    return `I'm sorry, I don't have our opening hours.${offer}`;
  },
} as const;

// ---------------------------------------------------------------------------------------------
// Hours
// ---------------------------------------------------------------------------------------------

export interface HoursAsked {
  readonly hoursQuestion?: HoursQuestion;
  readonly day?: DayReference;
}

/**
 * The answer to an hours question, computed for `now` in the business's time zone. It changes
 * with the minute: cache it no longer than hoursAnswerValidUntil(now).
 *
 * @example
 * ```ts
 * answerHoursQuestion(bella, { hoursQuestion: "open_now" }, new Date("2025-07-05T19:00:00Z"))
 * // Saturday 3 PM in New York → "We're closed right now. We open again today at 5 PM."
 * ```
 */
export function answerHoursQuestion(business: Business, asked: HoursAsked, now: Date): string {
  const { hours, timezone } = business;
  if (Object.keys(hours).length === 0) return replies.hoursUnknown(business);
  const today = localMoment(timezone, now).day;
  const question = asked.hoursQuestion ?? "general";
  const day = asked.day;

  if (day === "weekend") {
    return `${describeHours(hours, { day: "sat" })} ${describeHours(hours, { day: "sun" })}`;
  }
  // A day the caller named is answered by its name, even when it is today: "On Sunday we're open…".
  const named = day !== undefined && day !== "today" && day !== "tomorrow";
  const target: Weekday | undefined = day === "today" ? today : day === "tomorrow" ? weekdayAfter(today, 1) : day;

  if (target === undefined || (target === today && !named)) {
    if (question === "general") return target === undefined ? describeHours(hours) : describeHours(hours, { day: today, today });
    return aboutNow(openingStatus(hours, timezone, now), question, today);
  }

  const ranges = hours[target];
  const relativeTo = named ? undefined : today;
  const When = named ? `On ${WEEKDAY_NAMES[target]}` : "Tomorrow";
  // All day, closed, unknown, or a question about the day as a whole: the day's hours say it best.
  if (ranges === undefined || ranges.length === 0 || isAllDay(ranges) || question === "general" || question === "open_now") {
    return describeHours(hours, { day: target, today: relativeTo });
  }
  if (question === "open_time") return `${When} we open at ${spokenTime(ranges[0]!.opens)}.`;
  return `${When} we close at ${spokenTime(ranges[ranges.length - 1]!.closes)}.`;
}

function aboutNow(status: OpeningStatus, question: Exclude<HoursQuestion, "general">, today: Weekday): string {
  if (!status.known) return "I'm sorry, I don't have our hours for today.";
  if (status.open) {
    if (status.closesAt === undefined) return question === "open_now" ? "Yes, we're open right now, around the clock." : "We're open 24 hours today, around the clock.";
    const until = spokenTime(status.closesAt);
    const tonight = status.closesOn !== undefined ? " tonight" : "";
    if (question === "close_time") return status.closesOn !== undefined ? `We're open until ${until}${tonight}.` : `We close at ${until} today.`;
    return `Yes, we're open right now until ${until}${tonight}.`;
  }
  const next = status.opensNext;
  if (next === undefined) return "We're closed right now.";
  const at = spokenTime(next.time);
  const when = next.day === today ? `today at ${at}` : next.day === weekdayAfter(today, 1) ? `tomorrow at ${at}` : `on ${WEEKDAY_NAMES[next.day]} at ${at}`;
  if (question === "open_time") return `We open ${when}.`;
  return `We're closed right now. We open again ${when}.`;
}
