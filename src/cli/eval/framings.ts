/**
 * `bun run eval --framings`: the same questions wrapped in the talk callers put around them on a
 * phone call ("good morning …", "… by any chance", "my friend told me about you …"). A question
 * the bot answers plainly should still be answered, and an out-of-scope one still declined, however
 * it is framed; the figures show an owner how much of their score rests on callers being brief.
 */
import type { EvalReport } from "./report.ts";
import type { UtteranceSet } from "./utterances.ts";

/** Ways of framing a question; "{}" is the question. Greetings, openers, tags, pleasantries and the caller's situation told after the question. */
export const FRAMINGS: readonly string[] = [
  "good morning {}",
  "hiya sorry to bother you {}",
  "hi my name is sarah {}",
  "hi there i hope youre well {}",
  "i was hoping you could help me {}",
  "im calling because {}",
  "quick question {}",
  "i mean {}",
  "okay so basically {}",
  "alright so {}",
  "sorry can you hear me {}",
  "thanks for picking up {}",
  "my friend told me about you {}",
  "i saw on your website {}",
  "im new to the area {}",
  "do you happen to know {}",
  "just to check {}",
  "i have two questions first {}",
  "{} by any chance",
  "{} if that makes sense",
  "{} is that right",
  "{} cheers",
  "{} thank you so much",
  "{} that would be great",
  "{} my sister is visiting next week",
  "{} its for my daughter",
  "{} we have a wedding in town",
];

/** A framing applied to a question. */
export const frame = (framing: string, said: string): string => framing.replace("{}", said);

/**
 * The utterance sets with their answers and out-of-scope questions framed; intents are left out
 * (a framing may carry a goodbye or a thanks of its own).
 *
 * @example
 * ```ts
 * framedSets(sets, "good morning {}")[0]!.answers[0] // ["good morning do you deliver", "$4.99"]
 * ```
 */
export function framedSets(sets: readonly UtteranceSet[], framing: string): UtteranceSet[] {
  return sets.map((set) => ({
    number: set.number,
    answers: set.answers.map(([said, marker]) => [frame(framing, said), marker] as const),
    unknown: set.unknown.map((said) => frame(framing, said)),
    person: [],
    goodbye: [],
    hours: [],
  }));
}

/** Right answers and false answers under one framing, against the plain questions'. */
export interface FramingScore {
  readonly framing: string;
  readonly right: number;
  readonly falseAnswers: number;
}

export interface FramingsReport {
  readonly plain: { readonly right: number; readonly falseAnswers: number; readonly questions: number };
  readonly framings: readonly FramingScore[];
}

/** The framings' figures from each framed run's report. */
export function framingsReport(plain: EvalReport, framed: ReadonlyArray<readonly [string, EvalReport]>): FramingsReport {
  return {
    plain: { right: plain.overall.answers.right, falseAnswers: plain.overall.falseAnswers, questions: plain.overall.answers.total },
    framings: framed.map(([framing, report]) => ({ framing, right: report.overall.answers.right, falseAnswers: report.overall.falseAnswers })),
  };
}

/** The lines a person reads: one per framing, then the total against the plain questions'. */
export function formatFramings(report: FramingsReport): string[] {
  const { plain, framings } = report;
  const lines = [`\nframings: the ${plain.questions} questions wrapped in phone-call talk (plain: ${plain.right} right, ${plain.falseAnswers} false answers)`];
  for (const { framing, right, falseAnswers } of framings) {
    const change = right - plain.right;
    lines.push(`  ${framing.padEnd(36)} right ${right} (${change >= 0 ? "+" : ""}${change}) · false answers ${falseAnswers}`);
  }
  const right = framings.reduce((sum, f) => sum + f.right, 0);
  const kept = plain.right === 0 ? 1 : right / (plain.right * framings.length);
  lines.push(`  all framings: ${right} right of ${plain.right * framings.length} the plain questions get (${(100 * kept).toFixed(1)}%)`);
  return lines;
}
