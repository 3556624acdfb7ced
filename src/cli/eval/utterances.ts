/**
 * The utterance file of `bun run eval`: for each business number, what callers say and what the
 * bot should do about it (see tests/fixtures/conversations/README.md). Every problem with the file
 * is reported at once, each with where it is, so an owner fixes their file in one pass.
 */
import { z } from "zod";

/** What the bot should do with one utterance. */
export type Expectation = "answers" | "unknown" | "person" | "goodbye" | "hours";

/** One business's utterances, as read from the file (hours regexes compiled). */
export interface UtteranceSet {
  /** The business's phone number: the call's `To`. */
  readonly number: string;
  /** `[utterance, marker]`: the reply must contain the marker. */
  readonly answers: ReadonlyArray<readonly [string, string]>;
  /** Out of scope: the reply must give no FAQ answer. */
  readonly unknown: readonly string[];
  readonly person: readonly string[];
  readonly goodbye: readonly string[];
  /** `[utterance, pattern]`: the reply must match the pattern. */
  readonly hours: ReadonlyArray<readonly [string, RegExp]>;
}

const said = z.string().trim().min(1, "expected what the caller says, got an empty string");
const pair = (second: string) => z.tuple([said, z.string().min(1, `expected ${second}, got an empty string`)], `expected [utterance, ${second}]`);
const list = <T extends z.ZodType>(item: T) => z.array(item).default([]);

const regex = z.string().transform((source, ctx) => {
  try {
    return new RegExp(source);
  } catch (error) {
    ctx.issues.push({ code: "custom", message: `not a JavaScript regular expression: ${(error as Error).message}`, input: source });
    return z.NEVER;
  }
});

const fileSchema = z.object({
  businesses: z.array(
    z.object({
      number: z.string().regex(/^\+[1-9]\d{6,14}$/, "expected an E.164 phone number like +15550001111"),
      answers: list(pair("a marker phrase of the answer")),
      unknown: list(said),
      person: list(said),
      goodbye: list(said),
      hours: list(z.tuple([said, regex], "expected [utterance, regex]")),
    }),
    "expected a list of businesses",
  ),
});

/** The utterance file could not be used; the message lists every problem with its place. */
export class UtteranceFileError extends Error {
  override readonly name = "UtteranceFileError";
}

/**
 * Validates the JSON of an utterance file.
 *
 * @example
 * ```ts
 * const sets = parseUtterances(JSON.parse(text), "my-calls.json");
 * sets[0]?.answers[0] // ["do you deliver", "$4.99"]
 * ```
 * @throws UtteranceFileError naming every bad field.
 */
export function parseUtterances(json: unknown, source: string): UtteranceSet[] {
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.length > 0 ? issue.path.join(".") : "(file)"}: ${issue.message}`);
    throw new UtteranceFileError(`Invalid utterance file ${source} (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.join("\n")}`);
  }
  return parsed.data.businesses;
}

/** How many utterances a set holds, all kinds together. */
export function utteranceCount(set: UtteranceSet): number {
  return set.answers.length + set.unknown.length + set.person.length + set.goodbye.length + set.hours.length;
}
