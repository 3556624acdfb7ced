/**
 * The few things a caller says that are not questions for the knowledge base: ending the call,
 * asking for a person, asking about opening hours, asking the bot to say that again.
 *
 * Every rule is written to stay quiet on FAQ-like questions: "agent" alone asks for a person,
 * "is there an agent fee" does not; "are you open on Sunday" is an hours question, "are you open
 * on Christmas" is left to the FAQs (holiday hours are the business's to answer).
 */
import { type Weekday } from "./hours.ts";
import { normalizeText } from "./knowledge/text.ts";

export type IntentKind = "goodbye" | "human" | "hours" | "repeat" | "none";
export type HoursQuestion = "open_now" | "close_time" | "open_time" | "general";
/** The day an hours question is about; "today" and "tomorrow" are resolved in the business's time zone. */
export type DayReference = Weekday | "today" | "tomorrow" | "weekend";

export interface Intent {
  readonly kind: IntentKind;
  /** For hours: the day asked about, when one was named. */
  readonly day?: DayReference;
  /** For hours: what exactly was asked. */
  readonly hoursQuestion?: HoursQuestion;
}

const NONE: Intent = { kind: "none" };

// ---------------------------------------------------------------------------------------------
// Goodbye: the utterance holds a closing phrase and nothing but politeness around it.
// ---------------------------------------------------------------------------------------------

const GOODBYE_PHRASES: readonly RegExp[] = [
  /\b(good ?bye|bye bye|bye now|bye)\b/g,
  /\bhang up\b/g,
  /\bend (the|this) call\b/g,
  /\bthat is (all|it|everything)\b/g,
  /\bthat (will|would) be (all|it|everything)\b/g,
  /\b(i am|we are|i think i am|i think we are) (all )?(done|good|set|all set)\b/g,
  /\b(nothing|no) (else|more)\b/g,
  /\bno (more )?questions\b/g,
  /\bno thank(s| you)\b/g,
  /\bhave a (good|nice|great|lovely) (day|night|evening|one|weekend|afternoon)\b/g,
  /\b(talk|speak) to you later\b/g,
  /\bsee (you|ya)( later)?\b/g,
  /\btake care\b/g,
];

const POLITE_FILLER = new Set(
  "no nope nah ok okay alright all right great perfect cool awesome good fine thanks thank you so well um uh oh then very much really i appreciate it for now please yes yeah yep sure think actually just that is got it".split(" "),
);

/**
 * One regular expression matching wherever any of `patterns` matches. A single pass over the
 * utterance rules most of them out, which is what nearly every turn (a knowledge question) needs.
 */
function anyOf(patterns: readonly RegExp[]): RegExp {
  return new RegExp(patterns.map((p) => `(?:${p.source})`).join("|"));
}

const ANY_GOODBYE = anyOf(GOODBYE_PHRASES);

function isGoodbye(text: string): boolean {
  if (!ANY_GOODBYE.test(text)) return false;
  let rest = text;
  let found = false;
  for (const phrase of GOODBYE_PHRASES) {
    rest = rest.replace(phrase, () => {
      found = true;
      return " ";
    });
  }
  if (!found) return false;
  return rest.split(" ").every((word) => word === "" || POLITE_FILLER.has(word));
}

// ---------------------------------------------------------------------------------------------
// A person
// ---------------------------------------------------------------------------------------------

const PERSON =
  "(someone|somebody|some one|anyone|anybody|person|people|human|human being|agent|representative|rep|operator|receptionist|reception|staff|staff member|employee|manager|owner|front desk|customer service|customer support|dentist|doctor|hygienist|mechanic|technician|chef|nurse)";
const PERSON_PREFIX = "((a|an|the|your|some|one of your|somebody from|someone from) )?((real|live|actual|human) )?";

const HUMAN_PATTERNS: readonly RegExp[] = [
  new RegExp(`\\b(talk|speak|chat) (to|with) ${PERSON_PREFIX}${PERSON}\\b`),
  new RegExp(`\\b(get me|give me|put me through to|connect me (to|with)|transfer me to) ${PERSON_PREFIX}${PERSON}\\b`),
  /\b(want|need|would like) (to (talk|speak) to )?(a|an) ((real|live|actual) )?(person|human|agent|representative|operator|rep)\b/,
  /\btransfer (me|my call|this call|the call)\b/,
  /\bput (me|my call|this call) through\b/,
  /\bconnect (me|my call)( now| please)*$/,
  new RegExp(`\\b${PERSON} (who |that )?(i|we) (can|could) (talk|speak) (to|with)\\b`),
];

/** Words a bare request for a person may consist of ("operator", "a real person please"). */
const BARE_PERSON_WORDS = new Set(
  "a an the real live actual human person operator agent representative rep customer service support front desk reception receptionist someone somebody manager please um uh hi hey yes yeah i want need".split(" "),
);
const BARE_PERSON_NOUNS = /\b(human|person|operator|agent|representative|rep|customer service|front desk|reception|receptionist|someone|somebody|manager)\b/;

const ANY_HUMAN = anyOf(HUMAN_PATTERNS);
/** Every pattern above needs one of these words, so most questions skip ANY_HUMAN; a new pattern must keep this true. */
const HUMAN_WORDS = /talk|speak|chat|get me|give me|put me|through|connect|transfer|person|human|agent|represent|operator|rep/;

function wantsHuman(text: string): boolean {
  if (HUMAN_WORDS.test(text) && ANY_HUMAN.test(text)) return true;
  return BARE_PERSON_NOUNS.test(text) && text.split(" ").every((word) => BARE_PERSON_WORDS.has(word));
}

// ---------------------------------------------------------------------------------------------
// Opening hours
// ---------------------------------------------------------------------------------------------

const PLACE = "(store|shop|restaurant|office|clinic|practice|place|business|garage|kitchen|location|front desk|counter|dining room)";
const SUBJECT = `(you|you all|you guys|ya|u|y all|it|they|the ${PLACE}|your ${PLACE}|this ${PLACE})`;
const DAY_NAMES = "(monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?";
const WHEN_WORDS = `(${DAY_NAMES}|today|tonight|tomorrow|now|right now|this (weekend|evening|afternoon|morning)|(the )?weekends?)`;

/** Holidays are the business's to answer in its FAQs; the weekly hours would be wrong on them. */
const HOLIDAY = /\b(holiday|holidays|christmas|xmas|thanksgiving|easter|new year|new years|independence day|fourth of july|4th of july|july 4th|labor day|memorial day|hanukkah|halloween|eve)\b/;

const CLOSE_TIME: readonly RegExp[] = [
  new RegExp(`\\b(what time|when|until when|till when|til when|what hour) (do|does|will|would|are|is) ${SUBJECT} (close|closing|shut|stop|stay open|open until|open till|open til|done)\\b`),
  new RegExp(`\\bhow late (are|is|will) ${SUBJECT}( still)?( open)?\\b`),
  new RegExp(`\\bhow late (do|does|will) ${SUBJECT} (stay open|stay|close|open)\\b`),
  new RegExp(`\\b(until|till|til) (what time|when) (are|is|will) ${SUBJECT}( be)? open\\b`),
  new RegExp(`\\b${SUBJECT} open (until|till|til) (what time|when)\\b`),
  /\bclosing (time|hours?)\b/,
];

const OPEN_TIME: readonly RegExp[] = [
  new RegExp(`\\b(what time|when|what hour) (do|does|will|would|are|is) ${SUBJECT} (open|opening|start|get in)\\b(?! (until|till|til))`),
  new RegExp(`\\bhow early (are|is|do|does|will) ${SUBJECT}( open)?\\b`),
  /\bopening (time|hours?)\b/,
];

const OPEN_NOW: readonly RegExp[] = [
  new RegExp(`\\b(are|is|will|would) ${SUBJECT} (still |currently |even |already |be )?(open|opened|closed)\\b`),
  new RegExp(`^(hi |hey |hello |so |um |uh )*(${SUBJECT} )?(still )?open( ${WHEN_WORDS})?$`),
];

const GENERAL_HOURS: readonly RegExp[] = [
  new RegExp(`\\b(your|the|opening|business|store|office|shop|working|operating|clinic|restaurant|kitchen|weekend|weekday|holiday) hours\\b`),
  /\bhours of operation\b/,
  /^(what are )?(the )?hours$/,
  new RegExp(`\\bwhen (are|is) ${SUBJECT} open\\b`),
  new RegExp(`\\b(what|which) days (are|is|do|does) ${SUBJECT}( open)?\\b`),
  new RegExp(`\\bopen (on )?${WHEN_WORDS}\\b`),
  new RegExp(`\\b(do|does|will) ${SUBJECT} (open|close)\\b`),
];

const DAY_OF: ReadonlyArray<readonly [RegExp, DayReference]> = [
  [/\bmondays?\b/, "mon"],
  [/\btuesdays?\b/, "tue"],
  [/\bwednesdays?\b/, "wed"],
  [/\bthursdays?\b/, "thu"],
  [/\bfridays?\b/, "fri"],
  [/\bsaturdays?\b/, "sat"],
  [/\bsundays?\b/, "sun"],
  [/\bweekends?\b/, "weekend"],
  [/\btomorrow\b/, "tomorrow"],
  [/\b(today|tonight|this (evening|afternoon|morning))\b/, "today"],
];

function dayIn(text: string): DayReference | undefined {
  for (const [pattern, day] of DAY_OF) if (pattern.test(text)) return day;
  return undefined;
}

const ANY_HOURS = anyOf([...CLOSE_TIME, ...OPEN_TIME, ...OPEN_NOW, ...GENERAL_HOURS]);
/**
 * Every hours pattern above needs one of these words, so a question without any (most FAQ
 * questions) skips ANY_HOURS, the largest expression here. A new pattern must keep this true.
 */
const HOURS_WORDS = /open|clos|shut|stop|done|start|get in|late|early|hours|days/;

function hoursIntent(text: string): Intent | null {
  if (!HOURS_WORDS.test(text) || !ANY_HOURS.test(text) || HOLIDAY.test(text)) return null;
  const day = dayIn(text);
  const withDay = (hoursQuestion: HoursQuestion): Intent => (day === undefined ? { kind: "hours", hoursQuestion } : { kind: "hours", day, hoursQuestion });
  if (CLOSE_TIME.some((p) => p.test(text))) return withDay("close_time");
  if (OPEN_TIME.some((p) => p.test(text))) return withDay("open_time");
  if (OPEN_NOW.some((p) => p.test(text))) {
    // "Are you open on Saturday?" asks about Saturday's hours, not about this minute.
    return day === undefined || day === "today" ? withDay("open_now") : withDay("general");
  }
  if (GENERAL_HOURS.some((p) => p.test(text))) return withDay("general");
  return null;
}

// ---------------------------------------------------------------------------------------------
// Say that again
// ---------------------------------------------------------------------------------------------

const REPEAT_PATTERNS: readonly RegExp[] = [
  /\brepeat\b(?! (customer|customers|order|orders|business|visit|visits|prescription))/,
  /\bsay (that|it|this) again\b/,
  /\bwhat did you (just )?say\b/,
  /\bwhat (was|is) that( again)?$/,
  /\bcome again\b/,
  /\bone more time\b/,
  /\b(did not|could not|can not) (quite )?(catch|hear|get|understand) (that|you|it|what you said)\b/,
  /\bpardon\b/,
  /^(sorry|excuse me|what|huh|eh|hm+)( what| me)?$/,
  /\bsay again\b/,
];

const ANY_REPEAT = anyOf(REPEAT_PATTERNS);

function wantsRepeat(text: string): boolean {
  return ANY_REPEAT.test(text);
}

/**
 * What the caller wants, when it is not a knowledge question. Order matters: a request for a
 * person wins over a goodbye ("no thanks, just get me a person"), a goodbye over hours, hours over
 * repeat ("sorry, what time do you close?").
 *
 * @example
 * ```ts
 * detectIntent("what time do you open on saturday") // { kind: "hours", day: "sat", hoursQuestion: "open_time" }
 * detectIntent("can I talk to a real person")        // { kind: "human" }
 * detectIntent("is there an agent fee")              // { kind: "none" }
 * ```
 */
export function detectIntent(text: string): Intent {
  const normalized = normalizeText(text);
  if (normalized === "") return NONE;
  if (wantsHuman(normalized)) return { kind: "human" };
  if (isGoodbye(normalized)) return { kind: "goodbye" };
  const hours = hoursIntent(normalized);
  if (hours) return hours;
  if (wantsRepeat(normalized)) return { kind: "repeat" };
  return NONE;
}
