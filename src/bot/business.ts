/**
 * The business file format (DESIGN.md §4) and its validation. A business file is
 * `{ "businesses": [ … ] }`; only `id`, `name` and `phoneNumbers` are required per business.
 *
 * Defaults, chosen so that a minimal entry still makes a polite bot:
 * - `timezone` "UTC": there is no safe guess for where a business is; UTC at least makes the
 *   mistake obvious when someone asks "are you open?". Set it for any business with hours.
 * - `greeting` "Thanks for calling {name}. How can I help?"
 * - `voice` "Polly.Joanna-Neural", `language` "en-US"
 * - no `transferNumber` (the bot then never offers a transfer)
 * - `hours` {} (unknown: the bot says it doesn't know rather than "closed")
 * - `faqs` []
 *
 * Unknown fields on a business or an FAQ are dropped (an HTTP directory may carry its own), but
 * unknown keys in `hours` are errors: "monday" instead of "mon" would silently lose a day.
 */
import { z } from "zod";
import { BusinessFileError } from "./errors.ts";
import { WEEKDAYS, isKnownTimezone, parseDayHours, type TimeRange, type Weekday, type WeeklyHours } from "./hours.ts";

// Thrown by the parsers below; it lives with the bot's other errors.
export { BusinessFileError } from "./errors.ts";

/** E.164: a plus, a non-zero country code digit, 7 to 15 digits in all. */
export const E164_PATTERN = /^\+[1-9]\d{6,14}$/;

/**
 * Normalises a phone number as people and carriers write it to E.164: spaces, dashes, dots and
 * parentheses go, the leading plus stays. Returns null when the result is not E.164 (a number
 * without its country code cannot be told apart from a foreign one).
 *
 * @example
 * ```ts
 * normalizeE164("+1 (555) 000-1111") // "+15550001111"
 * normalizeE164("555-0001")          // null
 * ```
 */
export function normalizeE164(raw: string): string | null {
  const compact = raw.trim().replace(/[\s\-().\u00a0]/g, "");
  return E164_PATTERN.test(compact) ? compact : null;
}

/** A zod error option that says "is required" for a missing field and what was expected otherwise. */
function expecting(what: string) {
  return {
    error: (issue: { input?: unknown }) =>
      issue.input === undefined ? `is required (${what})` : `expected ${what}, got ${describeValue(issue.input)}`,
  };
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

const text = (what: string) => z.string(expecting(what)).trim().min(1, expecting(what));

const e164 = z.string(expecting("an E.164 phone number like +15550001111")).regex(E164_PATTERN, expecting("an E.164 phone number like +15550001111"));

const dayHours = z.string(expecting(`"closed", "24h" or ranges like "11:00-14:00,17:00-23:00"`)).transform((value, ctx): readonly TimeRange[] => {
  const parsed = parseDayHours(value);
  if (parsed.ok) return parsed.ranges;
  ctx.issues.push({ code: "custom", message: `expected "closed", "24h" or ranges like "11:00-14:00,17:00-23:00": ${parsed.problem}`, input: value });
  return z.NEVER;
});

const hoursShape = Object.fromEntries(WEEKDAYS.map((day) => [day, dayHours.optional()])) as Record<Weekday, z.ZodOptional<typeof dayHours>>;

const hoursSchema = z
  .strictObject(hoursShape, {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `unknown day ${issue.keys.map((k) => `"${k}"`).join(", ")}; days are ${WEEKDAYS.join(", ")}`
        : `expected an object with days ${WEEKDAYS.join(", ")}, got ${describeValue(issue.input)}`,
  })
  .transform((hours): WeeklyHours => {
    // Drop absent days instead of keeping `undefined` values: a missing day means unknown.
    const out: Partial<Record<Weekday, readonly TimeRange[]>> = {};
    for (const day of WEEKDAYS) {
      const ranges = hours[day];
      if (ranges !== undefined) out[day] = ranges;
    }
    return out;
  });

const faqSchema = z.object(
  {
    question: text("the question as a caller would ask it"),
    answer: text("the answer the bot speaks"),
    keywords: z.array(text("a keyword"), expecting("a list of keywords")).default([]),
    /** A short name for what the FAQ is about ("our men's cut"), used when the bot asks which FAQ a caller means. */
    topic: text("a short topic like our men's cut").optional(),
  },
  expecting("an object with question, answer and optional keywords and topic"),
);

/** The schema of one business in the file; the output has every default filled in. */
export const businessSchema = z
  .object(
    {
      id: z
        .string(expecting("an id like bella-pizza"))
        .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, expecting("an id of letters, digits, '.', '_' or '-' (up to 64) like bella-pizza")),
      name: text("the business name"),
      phoneNumbers: z
        .array(e164, expecting("a list of E.164 phone numbers"))
        .min(1, expecting("at least one phone number"))
        .superRefine((numbers, ctx) => {
          const seen = new Set<string>();
          numbers.forEach((number, index) => {
            if (seen.has(number)) ctx.issues.push({ code: "custom", message: `${number} is listed twice`, path: [index], input: number });
            seen.add(number);
          });
        }),
      timezone: z
        .string(expecting("an IANA time zone like America/New_York"))
        .refine(isKnownTimezone, expecting("an IANA time zone like America/New_York"))
        .default("UTC"),
      greeting: text("the greeting spoken when the call starts").optional(),
      voice: text("a Twilio voice like Polly.Joanna-Neural").default("Polly.Joanna-Neural"),
      language: z
        .string(expecting("a language tag like en-US"))
        .regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/, expecting("a language tag like en-US"))
        .default("en-US"),
      transferNumber: e164.optional(),
      /** `relay` answers this business's calls over a ConversationRelay WebSocket; default: the server's VOICE_MODE. */
      voiceMode: z.enum(["gather", "relay"], expecting('"gather" or "relay"')).optional(),
      /** The model's semantic layer: cosine similarity at which a paraphrase reuses a cached answer; default SEMANTIC_CACHE_THRESHOLD. */
      semanticThreshold: z.number(expecting("a number from 0 to 1")).min(0, expecting("a number from 0 to 1")).max(1, expecting("a number from 0 to 1")).optional(),
      hours: hoursSchema.default({}),
      faqs: z.array(faqSchema, expecting("a list of FAQs")).default([]),
    },
    expecting("a business object"),
  )
  .transform((business) => ({
    ...business,
    greeting: business.greeting ?? `Thanks for calling ${business.name}. How can I help?`,
  }));

/** A validated business with every default filled in. Plain JSON data: safe to cache as text. */
export type Business = z.output<typeof businessSchema>;
/** One question and answer of a business's knowledge base. */
export type Faq = Business["faqs"][number];

function pathText(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out;
}

function businessLabel(raw: unknown, index: number | null): string {
  const id = typeof raw === "object" && raw !== null && typeof (raw as { id?: unknown }).id === "string" ? (raw as { id: string }).id : null;
  const where = index === null ? "" : `businesses[${index}]`;
  if (id !== null && id !== "") return index === null ? `business "${id}"` : `business "${id}" (${where})`;
  return index === null ? "business (no id)" : `business #${index + 1} (${where}, no id)`;
}

function issuesOf(raw: unknown, index: number | null): { business: Business | null; problems: string[] } {
  const result = businessSchema.safeParse(raw);
  if (result.success) return { business: result.data, problems: [] };
  const label = businessLabel(raw, index);
  const problems = result.error.issues.map((issue) => {
    const field = pathText(issue.path);
    return field === "" ? `${label}: ${issue.message}` : `${label} ${field}: ${issue.message}`;
  });
  return { business: null, problems };
}

/**
 * Validates the parsed JSON of a business file and returns its businesses with defaults filled
 * in. Every problem is reported at once in one BusinessFileError naming `source`, the business
 * (id, or its position when the id is missing) and the field path; duplicate ids and a phone
 * number claimed by two businesses are problems too.
 *
 * @example
 * ```ts
 * parseBusinessFile(JSON.parse(await Bun.file("businesses.json").text()), "businesses.json")
 * // throws: Invalid business data in businesses.json (1 problem):
 * //           business "bella-pizza" (businesses[0]) phoneNumbers[0]: expected an E.164 phone number like +15550001111, got "555-0001"
 * ```
 */
export function parseBusinessFile(json: unknown, source: string): Business[] {
  const list = typeof json === "object" && json !== null && !Array.isArray(json) ? (json as { businesses?: unknown }).businesses : undefined;
  if (!Array.isArray(list)) {
    throw new BusinessFileError(source, [`expected an object like { "businesses": [ … ] }, got ${describeValue(list === undefined ? json : list)}`]);
  }

  const problems: string[] = [];
  const businesses: Business[] = [];
  const idOwner = new Map<string, number>();
  const numberOwner = new Map<string, number>();
  list.forEach((raw: unknown, index) => {
    const { business, problems: own } = issuesOf(raw, index);
    problems.push(...own);
    if (business !== null) businesses.push(business);

    // Duplicates are checked on the raw values, so they are reported even beside other problems.
    const label = businessLabel(raw, index);
    const { id, phoneNumbers } = (typeof raw === "object" && raw !== null ? raw : {}) as { id?: unknown; phoneNumbers?: unknown };
    if (typeof id === "string" && id !== "") {
      const sameId = idOwner.get(id);
      if (sameId !== undefined) problems.push(`${label} id: "${id}" is already used by businesses[${sameId}]`);
      else idOwner.set(id, index);
    }
    if (Array.isArray(phoneNumbers)) {
      phoneNumbers.forEach((number: unknown, n) => {
        if (typeof number !== "string" || !E164_PATTERN.test(number)) return;
        const owner = numberOwner.get(number);
        if (owner === undefined) numberOwner.set(number, index);
        else if (owner !== index) problems.push(`${label} phoneNumbers[${n}]: ${number} is already claimed by ${businessLabel(list[owner], owner)}`);
      });
    }
  });
  if (problems.length > 0) throw new BusinessFileError(source, problems);
  return businesses;
}

/**
 * Validates one business (as an HTTP directory returns it). Throws a BusinessFileError naming
 * `source` and every bad field.
 *
 * @example
 * ```ts
 * parseBusiness({ id: "a", name: "A", phoneNumbers: ["+15550001111"] }, "GET /businesses/by-number/…").timezone // "UTC"
 * ```
 */
export function parseBusiness(json: unknown, source: string): Business {
  const { business, problems } = issuesOf(json, null);
  if (business === null) throw new BusinessFileError(source, problems);
  return business;
}
