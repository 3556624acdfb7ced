/**
 * The few things a caller says that are not questions for the knowledge base: ending the call,
 * asking for a person, asking about opening hours, asking the bot to say that again.
 *
 * Every rule is written to stay quiet on FAQ-like questions: "agent" alone asks for a person,
 * "is there an agent fee" does not; "are you open on Sunday" is an hours question, "are you open
 * on Christmas" is left to the FAQs (holiday hours are the business's to answer).
 */
import { type Weekday } from "./hours.ts";
import { isKnownWord } from "./knowledge/terms.ts";
import { PERSON_WORDS, ROLE_WORDS, STAFF_WORDS, TITLES } from "./person-words.ts";
import { anyOf, phraseWords } from "./phrase-words.ts";
import { REPEAT_WORDS, wantsRepeat } from "./repeat-intent.ts";
import { CONTRACTION_WORDS, scannedForm, spokenForm } from "./spoken-form.ts";
import { allFlags, anyFlags, wordTable, type WordTable } from "./word-table.ts";

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
  /** For hours: the question names a place ("the kitchen", "reception") rather than the business ("you"). */
  readonly place?: true;
}

const NONE: Intent = { kind: "none" };

// ---------------------------------------------------------------------------------------------
// Goodbye: a closing phrase, with nothing but politeness around it. "grand thanks" (approval and
// thanks, nothing else) also closes; a bare "thank you" does not, since a question often follows.
// ---------------------------------------------------------------------------------------------

const GOODBYE_PHRASES: readonly RegExp[] = [
  /\b(good ?bye|bye( bye)*|bye now|ba bye|buh bye)\b/g,
  /\b(cheers|ta ra|tara|cya|see (you|ya)( (later|soon|tomorrow|tonight|next week|(on )?(mon|tues|wednes|thurs|fri|satur|sun)day))?( then)?|catch you later|(talk|speak)( to you)? (later|soon)|later)\b/g,
  /\bgood ?night\b/g,
  /\bhang up\b/g,
  /\bend (the|this) call\b/g,
  /\bthat (is|was|will be|would be|should be|is about|was about) (all|it|everything)( for (now|today))?( (i|we) (needed to know|wanted to know|needed|wanted|had|was after|were after|was looking for))?\b/g,
  /\bthat (covers|does|did|sorts) it\b/g,
  /\bthat (answers|answered) (my|all my|all of my) questions?\b/g,
  /\b(i am|we are|i think i am|i think we are|that is me|i am all|we are all) (all )?(done|good|set|sorted|grand|fine|all set|all good)\b/g,
  /\bno (more |other |further )?questions\b/g,
  /\b(nothing|no) (else|more)\b/g,
  /\bno thank(s| you)\b/g,
  /\b(i will|ill|we will|i am going to|i am gonna) let you go\b/g,
  /\b(i will|ill|we will|i can) (call|ring|phone|try) (you )?(back|again)( later| tomorrow| another time)?\b/g,
  /\bthank(s| you)( so much| very much)? for (your |all your |all the |the )?(help|time|info|information)\b/g,
  /\b(it is |that is |we are |i am )?all good\b/g,
  /\bhave a (good|nice|great|lovely|wonderful|good rest of the|nice rest of the) (day|night|evening|one|weekend|afternoon|morning)\b/g,
  /\b(take care|all the best)\b/g,
];

/** Politeness around a closing: removed before the rest is checked, but no closing on its own. */
const POLITE_PHRASES: readonly RegExp[] = [
  /\bthank(s| you)( (so|very) much| a (lot|million|bunch)| loads| heaps| again)*\b/g,
  /\b(many thanks|much appreciated|i (really )?appreciate (it|that|your help))\b/g,
  // Regional ways of saying it is fine: "no worries", "too easy", "sweet as", "no bother".
  /\b(no (worries|problem|problems|bother|dramas)|not a problem|too easy|sweet as|all sorted)\b/g,
  /\bthat (helps|helped|is helpful|was helpful|is great|is perfect|is brilliant|is grand|is lovely|is good to know|is fine)( a lot| loads| a bunch)?\b/g,
  /\b(good|great) to know\b/g,
  /\b(you have been|you were|that was|that has been) (very |really |so |super |most |a )?(helpful|great|brilliant|lovely|kind|big help|great help|help)\b/g,
];

const APPROVAL = new Set("grand great perfect brilliant lovely cool awesome fantastic excellent wonderful super sound nice sweet ace helpful champion legend cracking".split(" "));
const THANKS = /\b(thanks|thank you|ta|cheers)\b/;
const POLITE_FILLER = new Set(
  "no nope nah ok okay alright all right right great perfect cool awesome good fine grand brilliant lovely fantastic excellent wonderful super sound nice sweet ace stuff righto thanks thank you ta so well um uh oh ah er hmm then very much really i appreciate it for now please yes yeah yep sure think actually just that is got it and again eh hey champion legend cracking mint mate love luv pet hun dear pal buddy bud".split(" "),
);

const ANY_GOODBYE = anyOf(GOODBYE_PHRASES);

function strip(text: string, patterns: readonly RegExp[]): { rest: string; found: boolean } {
  let rest = text;
  let found = false;
  for (const phrase of patterns) {
    rest = rest.replace(phrase, () => {
      found = true;
      return " ";
    });
  }
  return { rest, found };
}

const onlyPoliteness = (text: string): boolean => text.split(" ").every((word) => word === "" || POLITE_FILLER.has(word));

/**
 * Every word a goodbye can be made of: closing and polite phrases say nothing else, and whatever
 * they leave must be politeness. Undefined if the phrases cannot be read (then none is ruled out).
 * Read on first use (some 15 ms), which prepare.ts pays right after the server starts listening.
 */
let closingWords: ReadonlySet<string> | undefined | null = null;

function readClosingWords(): ReadonlySet<string> | undefined {
  const words = phraseWords([...GOODBYE_PHRASES, ...POLITE_PHRASES]);
  if (words !== undefined) for (const word of POLITE_FILLER) words.add(word);
  return words;
}


function isGoodbye(text: string): boolean {
  if (ANY_GOODBYE.test(text)) {
    const closing = strip(text, GOODBYE_PHRASES);
    if (closing.found && onlyPoliteness(strip(closing.rest, POLITE_PHRASES).rest)) return true;
  }
  // "grand thanks", "perfect thank you": approval and thanks, nothing else.
  return THANKS.test(text) && text.split(" ").some((word) => APPROVAL.has(word)) && onlyPoliteness(strip(text, POLITE_PHRASES).rest);
}

// ---------------------------------------------------------------------------------------------
// A person: a request ("speak to", "put me through to", "get me") and a reference to a person
// (a staff word, a trade noun, a title and a name), or a question whether someone is there.
// ---------------------------------------------------------------------------------------------

const alternatives = (list: readonly string[]) => [...new Set(list)].sort((a, b) => b.length - a.length).join("|");
const STAFF = `(?:${alternatives(STAFF_WORDS)})(?:s|es)?`;
const ANYONE = `(?:${alternatives([...STAFF_WORDS, ...ROLE_WORDS])})(?:s|es)?`;
const NAMED = `(?:${alternatives(TITLES)}) [a-z]+`;
/** Articles and quantifiers before the person: "the", "one of your", "someone at the", "a real". */
const DET = "(?:(?:a|an|the|your|ur|some|any|my|our|this|that) )?(?:(?:one|some|any|someone|somebody|anyone|a member|member) (?:of|from|at|in) (?:the |your |ur )?)?";
/** At most two words describing the person ("the duty manager", "a real live person"); never a pronoun or preposition. */
const MOD = "(?:(?!(?:you|me|him|her|them|us|about|for|with|regarding|on|to|a|an|the|and|or|if|what|how)\\b)[a-z]+ ){0,2}";
const REFERENCE = (nouns: string) => `${DET}${MOD}(?:${nouns}|${NAMED})\\b`;

const TO_PERSON = "(?:(?:talk|speak|chat|have a word|a word|get through) (?:to|with)|(?:put|transfer|connect|forward|pass|patch|send) (?:me|us|my call|this call|the call|him|her)? ?(?:through |over |across )?(?:to|with|onto|on to)|reach|get hold of|get a hold of)";
const ASK_FOR = "(?:get me|give me|find me|can i (?:get|have)|could i (?:get|have)|i (?:want|need|would like)|looking for|ask for)";
const PRESENCE = "(?:in|around|there|about|available|free|on|in today|in the office)(?: (?:today|now|right now|at the moment|this morning|this afternoon))?(?= (?:can|could|i|please|because|mate|love|pal|buddy|thanks|thank)\\b|$)";

const HUMAN_PATTERNS: readonly RegExp[] = [
  new RegExp(`\\b${TO_PERSON} ${REFERENCE(ANYONE)}`),
  // "i need someone" asks for a person only when nothing follows ("i need someone to fix my sink" asks for a service).
  new RegExp(`\\b${ASK_FOR} (?:to (?:talk|speak) to )?${REFERENCE(STAFF)}(?= please| now| right now| on the (?:phone|line)| thanks| thank you|$)`),
  new RegExp(`\\b(?:is|are) ${REFERENCE(ANYONE)} ${PRESENCE}`),
  /\btransfer (me|my call|this call|the call)\b/,
  /\bput (me|my call|this call) through\b/,
  /\bconnect (me|my call)( now| please)*$/,
  new RegExp(`\\b${STAFF} (?:who |that )?(?:i|we) (?:can|could) (?:talk|speak) (?:to|with)\\b`),
  // "is dave in · can i have a word with him": whoever "him" is, it is a person.
  /\b(?:can|could|may) (?:i|we) (?:have a word|a word|talk|speak|chat) (?:to|with) (?:him|her|them)\b/,
];

/** A request to talk to someone by a first name ("can i talk to kylie please"): the name is no English word. */
const TO_NAME = /\b(?:talk|speak|chat|have a word|a word) (?:to|with) ([a-z]{3,})(?: (?:please|now|thanks|thank you|mate|love))*$/;

function asksForName(text: string): boolean {
  const name = TO_NAME.exec(text)?.[1];
  return name !== undefined && !isKnownWord(name);
}

/** Words a bare request for a person may consist of besides the person ("reception please", "a real person"). */
const BARE_FILLER = new Set("a an the your real live actual please um uh hi hey yes yeah ok okay just i want need can could get have".split(" "));
const BARE_PERSON = new RegExp(`^(?:(?:${[...BARE_FILLER].join("|")}) )*${STAFF}(?: (?:${[...BARE_FILLER].join("|")}))*$`);

const ANY_HUMAN = anyOf(HUMAN_PATTERNS);


function wantsHuman(text: string): boolean {
  return ANY_HUMAN.test(text) || BARE_PERSON.test(text) || asksForName(text);
}

// ---------------------------------------------------------------------------------------------
// Opening hours
// ---------------------------------------------------------------------------------------------

/** Words for the business itself as a place (general English, not one trade's): "what time does the gym close". */
const PLACE =
  "(store|shop|restaurant|office|clinic|practice|surgery|place|business|garage|kitchen|location|branch|front desk|reception|counter|dining room|gym|studio|salon|spa|hotel|cafe|bakery|pharmacy|firm|agency|center|centre|showroom|lobby|front office)";
/** Who or what is open: the business ("you", "the gym"); "reception" and "the front desk" are often said without an article. */
const SUBJECT = `(you|you all|you guys|yous|youse|yiz|ye|ya|u|y all|it|they|reception|front desk|the ${PLACE}|your ${PLACE}|this ${PLACE})`;
const DAY_NAMES = "(monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?";
const WHEN_WORDS = `(${DAY_NAMES}|today|tonight|tomorrow|now|right now|this (weekend|evening|afternoon|morning)|(the )?weekends?)`;

/** Holidays are the business's to answer in its FAQs; the weekly hours would be wrong on them. */
const HOLIDAY = /\b(holiday|holidays|christmas|xmas|thanksgiving|easter|new year|new years|independence day|fourth of july|4th of july|july 4th|labor day|memorial day|hanukkah|halloween|eve)\b/;

const CLOSE_TIME: readonly RegExp[] = [
  new RegExp(`\\b(what time|when|until when|till when|til when|what hour) (do|does|will|would|are|is) ${SUBJECT} (close|closing|shut|stop|finish|stay open|open until|open till|open til|done)\\b`),
  new RegExp(`\\bhow late (are|is|will) ${SUBJECT}( still)?( open)?\\b`),
  new RegExp(`\\bhow late (do|does|will) ${SUBJECT} (stay open|stay|close|open)\\b`),
  new RegExp(`\\b(until|till|til) (what time|when) (are|is|will) ${SUBJECT}( be)? open\\b`),
  new RegExp(`\\b${SUBJECT} open (until|till|til) (what time|when)\\b`),
  /\bclosing (times?|hours?)\b/,
];

const OPEN_TIME: readonly RegExp[] = [
  // "when are you open" asks for the hours, not the opening time: see GENERAL_HOURS.
  new RegExp(`\\b(what time|when|what hour) (do|does|will|would) ${SUBJECT} (open|opening|start|get in)\\b(?! (until|till|til))`),
  new RegExp(`\\b(what time|what hour) (are|is) ${SUBJECT} (open|opening)\\b(?! (until|till|til))`),
  new RegExp(`\\bhow early (are|is|do|does|will) ${SUBJECT}( open)?\\b`),
  /\bopening (time|hours?)\b(?! on)/,
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
  new RegExp(`\\bopening times?\\b`),
  new RegExp(`\\b(do|does) ${SUBJECT} work (on )?${WHEN_WORDS}\\b`),
  new RegExp(`\\b(are|is) ${SUBJECT} working (on )?${WHEN_WORDS}\\b`),
  new RegExp(`\\bopen (on )?${WHEN_WORDS}\\b`),
  new RegExp(`\\b${SUBJECT} open (all night|overnight|all day|24 hours|twenty four hours|around the clock|late)\\b`),
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
const HOURS_WORDS = /open|clos|shut|stop|done|start|finish|get in|late|early|hours|days|work/;

/** "is the pool open", "does the parking lot close": a facility that is not the business itself, for the FAQs to answer. */
const FACILITY = /\b(?:is|are|does|do|will) (?:the|your|ur) ((?:[a-z]+ )?[a-z]+) (?:open|close|closed|shut)\b/;
const ADVERBS = /\b(?:still|even|usually|normally|currently|already|ever) /g;
const PLACE_WORD = new RegExp(`^(?:[a-z]+ )?${PLACE}$`);

/** A place named as the subject ("the kitchen", "your front desk", "reception"), not "you". */
const NAMED_PLACE = new RegExp(`\\b(?:the (?!(?:business|place|location|store|shop|office)\\b)(?:[a-z]+ )?${PLACE}|reception|front desk)\\b`);

/** "what days are you open": the week, not this minute. */
const DAYS_QUESTION = /\b(what|which) days\b/;

function hoursIntent(text: string): Intent | null {
  if (!HOURS_WORDS.test(text) || !ANY_HOURS.test(text) || HOLIDAY.test(text)) return null;
  const facility = FACILITY.exec(text.replace(ADVERBS, ""))?.[1];
  if (facility !== undefined && !PLACE_WORD.test(facility)) return null;
  const day = dayIn(text);
  const place = NAMED_PLACE.test(text);
  const withDay = (hoursQuestion: HoursQuestion): Intent => ({ kind: "hours", hoursQuestion, ...(day === undefined ? {} : { day }), ...(place ? { place } : {}) });
  if (DAYS_QUESTION.test(text)) return withDay("general");
  if (CLOSE_TIME.some((p) => p.test(text))) return withDay("close_time");
  if (OPEN_TIME.some((p) => p.test(text))) return withDay("open_time");
  if (OPEN_NOW.some((p) => p.test(text))) {
    // "Are you open on Saturday?" asks about Saturday's hours, not about this minute.
    return day === undefined || day === "today" ? withDay("open_now") : withDay("general");
  }
  if (GENERAL_HOURS.some((p) => p.test(text))) return withDay("general");
  return null;
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
  return intentOf(text, true);
}

/**
 * {@link detectIntent} with every expression run and no word check skipping any: what
 * detectIntent must always answer too (the tests hold it to that).
 *
 * @example
 * ```ts
 * detectIntentExhaustively("goodbye") // { kind: "goodbye" }
 * ```
 */
export function detectIntentExhaustively(text: string): Intent {
  return intentOf(text, false);
}

// The word checks, as flags of one word table: a contraction (spoken-form.ts expands it first), a
// word a request for a person may start with, a word a goodbye may consist of, a repeat word.
const CONTRACTION = 1;
const PERSON = 2;
const CLOSING = 4;
const REPEAT = 8;
const EVERY_CHECK = PERSON | CLOSING | REPEAT;
let intentWords: WordTable | undefined;

/** The table, built on first use (after the closing words are read); without closing words no goodbye is ruled out. */
function intentWordTable(): WordTable {
  if (closingWords === null) closingWords = readClosingWords();
  const entries: Array<readonly [string, number]> = [];
  for (const word of CONTRACTION_WORDS) entries.push([word, CONTRACTION]);
  for (const word of PERSON_WORDS) entries.push([word, PERSON]);
  for (const word of REPEAT_WORDS) entries.push([word, REPEAT]);
  for (const word of closingWords ?? []) entries.push([word, CLOSING]);
  return wordTable(entries, [["hm", REPEAT]]);
}

function intentOf(text: string, checkWords: boolean): Intent {
  let normalized: string;
  // Which checks may match: a request for a person and a repeat need one of their words somewhere,
  // a goodbye needs every word to be one of its own. Without words (not ASCII, or checks off) all may.
  let may = EVERY_CHECK;
  if (checkWords) {
    const form = scannedForm(text, (intentWords ??= intentWordTable()), CONTRACTION);
    normalized = form.normalized;
    if (form.scan !== undefined) may = (anyFlags(form.scan) & (PERSON | REPEAT)) | (closingWords === undefined ? CLOSING : allFlags(form.scan) & CLOSING);
  } else normalized = spokenForm(text, false).normalized;
  if (normalized === "") return NONE;
  if ((may & PERSON) !== 0 && wantsHuman(normalized)) return { kind: "human" };
  if ((may & CLOSING) !== 0 && isGoodbye(normalized)) return { kind: "goodbye" };
  const hours = hoursIntent(normalized);
  if (hours) return hours;
  if ((may & REPEAT) !== 0 && wantsRepeat(normalized)) return { kind: "repeat" };
  return NONE;
}
