/**
 * The words by which English speakers refer to a person they want to reach at a business: general
 * references ("someone", "a real person"), front-office roles ("the manager", "reception") and
 * common trade and profession nouns ("a lawyer", "one of the stylists", "a nurse"). A general
 * vocabulary of English job nouns, not the staff of any one business; plurals are matched by the
 * intent rules. The speech-recognition spellings that callers' transcripts use are included
 * ("front desk", "customer service").
 */

/**
 * Anyone on the staff, by a general word or a front-office role: enough on its own ("reception
 * please", "get me the manager") to ask for a person.
 */
export const STAFF_WORDS: readonly string[] = [
  "someone", "somebody", "some one", "anyone", "anybody", "someone else", "somebody else",
  "person", "people", "human", "human being", "live person", "real person",
  "agent", "representative", "rep", "operator", "attendant", "advisor", "adviser",
  "staff", "staff member", "member of staff", "employee", "team member", "colleague",
  "receptionist", "reception", "front desk", "front office", "main desk", "desk", "switchboard",
  "manager", "supervisor", "owner", "boss", "proprietor", "director", "administrator", "coordinator",
  "secretary", "assistant", "clerk", "concierge",
  "customer service", "customer services", "customer support", "customer care", "support", "help desk", "helpdesk",
  "billing", "accounts", "sales", "bookings", "department", "dept", "team",
  "whoever is in charge", "person in charge", "someone in charge", "whoever is on",
];

/**
 * Trades and professions. With a request ("can I speak to a lawyer", "put me through to one of
 * the stylists") they ask for a person; alone they may name a service ("a trainer fee").
 */
export const ROLE_WORDS: readonly string[] = [
  "lawyer", "attorney", "solicitor", "barrister", "paralegal", "notary", "partner", "associate",
  "accountant", "bookkeeper", "auditor", "banker", "broker", "agent", "realtor", "estate agent", "letting agent", "adjuster", "underwriter",
  "doctor", "physician", "gp", "surgeon", "nurse", "midwife", "dentist", "hygienist", "orthodontist",
  "pharmacist", "chemist", "optician", "optometrist", "therapist", "physio", "physiotherapist", "chiropractor",
  "osteopath", "counsellor", "counselor", "psychologist", "vet", "veterinarian", "vet nurse", "groomer",
  "mechanic", "technician", "tech", "engineer", "electrician", "plumber", "fitter", "installer", "builder",
  "contractor", "carpenter", "joiner", "painter", "decorator", "roofer", "gardener", "landscaper", "locksmith",
  "cleaner", "housekeeper", "housekeeping", "porter", "caretaker", "janitor", "maintenance", "security", "guard",
  "chef", "cook", "waiter", "waitress", "server", "host", "hostess", "bartender", "barman", "barmaid", "barista", "sommelier",
  "stylist", "hairdresser", "hair stylist", "barber", "colorist", "colourist", "beautician", "therapist", "nail tech", "esthetician",
  "trainer", "personal trainer", "coach", "instructor", "teacher", "tutor", "lecturer", "professor", "principal",
  "consultant", "specialist", "expert", "planner", "designer", "architect", "surveyor", "inspector", "officer",
  "driver", "courier", "dispatcher", "salesperson", "salesman", "saleswoman", "cashier", "buyer",
  "landlord", "landlady", "letting", "caretaker", "warden", "pastor", "priest", "vicar", "minister",
];

/** Titles before a name ("mister whitaker", "doctor patel"): a named person is a person. */
export const TITLES: readonly string[] = ["mister", "mr", "mrs", "missus", "miss", "ms", "doctor", "dr", "professor", "sir", "madam"];

/**
 * Every expression for a request for a person (intents.ts) needs one of these words: the first
 * word of a staff or role word, with or without a plural "s" or "es" (the expressions allow them
 * after a one-word one), a title before a name, "transfer", "put" or "connect", or a verb of
 * talking to someone by name ("talk to kylie", "have a word with him").
 */
export const PERSON_WORDS: ReadonlySet<string> = new Set(
  [...STAFF_WORDS, ...ROLE_WORDS, ...TITLES].flatMap((phrase) => {
    const first = phrase.split(" ")[0]!;
    return [first, `${first}s`, `${first}es`];
  }).concat("transfer", "put", "connect", "talk", "speak", "chat", "word"),
);

/**
 * False when none of an utterance's words (ASCII, normalised, split at spaces) could start a
 * request for a person, so the expressions need not run; true when they must.
 *
 * @example
 * ```ts
 * mayAskForPerson(["is", "there", "parking"]) // false
 * mayAskForPerson(["the", "managers"])        // true
 * ```
 */
export function mayAskForPerson(words: readonly string[]): boolean {
  for (let i = 0; i < words.length; i++) if (PERSON_WORDS.has(words[i]!)) return true;
  return false;
}
