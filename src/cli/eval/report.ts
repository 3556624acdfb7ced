/**
 * The eval's figures: per business and overall tallies, turn-time percentiles and the misses, as
 * plain data (for `--json`) and as the lines a person reads.
 */
import { isRight } from "./classify.ts";
import type { TurnResult } from "./run.ts";
import type { Expectation } from "./utterances.ts";

/** `right` of `total`. */
export interface Tally {
  right: number;
  total: number;
}

/** The figures of one business, or of all of them. */
export interface Scores {
  readonly name: string;
  /** In-scope questions answered with the marked answer. */
  readonly answers: Tally;
  /** In-scope questions answered with another FAQ's answer. */
  wrongFaq: number;
  /** In-scope questions the bot answered with "Do you mean A or B?". */
  clarifying: number;
  /** In-scope questions answered right after the bot checked "Are you asking about X?" and the caller said yes. */
  confirmed: number;
  /** Out-of-scope questions declined (no FAQ answer given). */
  readonly unknown: Tally;
  /** Out-of-scope questions given an FAQ answer anyway. */
  falseAnswers: number;
  readonly person: Tally;
  readonly goodbye: Tally;
  readonly hours: Tally;
  /** person + goodbye + hours. */
  readonly intents: Tally;
}

export interface Percentiles {
  readonly p50: number | undefined;
  readonly p99: number | undefined;
}

/** A question the bot did not get right; `explanation` only with `--explain` (see explain.ts). */
export type Miss = Pick<TurnResult, "business" | "number" | "kind" | "utterance" | "expected" | "said" | "verdict"> & { readonly explanation?: string };

export interface EvalReport {
  readonly target: string;
  readonly utterances: number;
  readonly businesses: Scores[];
  readonly overall: Scores;
  /** Server-side time of the gather turn (`Server-Timing: total`), and of its knowledge query (`kb`). */
  readonly turnMs: Percentiles;
  readonly knowledgeMs: Percentiles;
  readonly misses: ReadonlyArray<Miss>;
}

function emptyScores(name: string): Scores {
  const tally = (): Tally => ({ right: 0, total: 0 });
  return { name, answers: tally(), wrongFaq: 0, clarifying: 0, confirmed: 0, unknown: tally(), falseAnswers: 0, person: tally(), goodbye: tally(), hours: tally(), intents: tally() };
}

function count(scores: Scores, result: TurnResult): void {
  const right = isRight(result.verdict) ? 1 : 0;
  const tally = scores[result.kind];
  tally.total++;
  tally.right += right;
  if (result.kind === "person" || result.kind === "goodbye" || result.kind === "hours") {
    scores.intents.total++;
    scores.intents.right += right;
  }
  if (result.verdict === "wrong-faq") scores.wrongFaq++;
  if (result.verdict === "clarify") scores.clarifying++;
  if (result.verdict === "confirmed") scores.confirmed++;
  if (result.verdict === "false-answer") scores.falseAnswers++;
}

/** The value below which `share` of the sorted values lie (nearest rank); undefined for none. */
export function percentile(sorted: readonly number[], share: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(share * sorted.length)));
  return sorted[rank - 1];
}

function percentiles(values: readonly (number | undefined)[]): Percentiles {
  const sorted = values.filter((v): v is number => v !== undefined && Number.isFinite(v)).sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
}

/**
 * Tallies the results, per business in the order first played and overall.
 *
 * @example
 * ```ts
 * const report = summarize(results, "in process");
 * report.overall.answers // { right: 60, total: 210 }
 * ```
 */
export function summarize(results: readonly TurnResult[], target: string): EvalReport {
  const byBusiness = new Map<string, Scores>();
  const overall = emptyScores("all");
  for (const result of results) {
    let scores = byBusiness.get(result.number);
    if (scores === undefined) {
      scores = emptyScores(result.business);
      byBusiness.set(result.number, scores);
    }
    count(scores, result);
    count(overall, result);
  }
  return {
    target,
    utterances: results.length,
    businesses: [...byBusiness.values()],
    overall,
    turnMs: percentiles(results.map((r) => r.serverMs)),
    knowledgeMs: percentiles(results.map((r) => r.knowledgeMs)),
    misses: results
      .filter((r) => !isRight(r.verdict))
      .map(({ business, number, kind, utterance, expected, said, verdict }) => ({ business, number, kind, utterance, expected, said, verdict })),
  };
}

// ---------------------------------------------------------------------------------------------
// Text
// ---------------------------------------------------------------------------------------------

const ratio = (t: Tally): number => (t.total === 0 ? 1 : t.right / t.total);
const percent = (value: number): string => `${(value * 100).toFixed(1)}%`;
const fraction = (t: Tally): string => `${t.right}/${t.total}`;
const withPercent = (t: Tally): string => `${fraction(t)} (${percent(ratio(t))})`;
const ms = (value: number | undefined): string => (value === undefined ? "n/a" : `${value.toFixed(3)} ms`);

/** Shortens `text` to about `max` characters on a word boundary. */
export function shorten(text: string, max = 90): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const space = cut.lastIndexOf(" ");
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** The one-line summary of a business or of all: what the targets are read from. */
export function scoreLine(s: Scores): string {
  const wrongShare = s.answers.total === 0 ? 0 : s.wrongFaq / s.answers.total;
  return (
    `${s.name}: right answers ${withPercent(s.answers)} · wrong FAQ ${s.wrongFaq} (${percent(wrongShare)}) · asked which FAQ ${s.clarifying} · right once confirmed ${s.confirmed} · ` +
    `out-of-scope declined ${fraction(s.unknown)} (false answers ${s.falseAnswers}) · ` +
    `person ${fraction(s.person)} · goodbye ${fraction(s.goodbye)} · hours ${fraction(s.hours)} · intents ${fraction(s.intents)}`
  );
}

const KIND_LABEL: Readonly<Record<Expectation, string>> = { answers: "answer", unknown: "out of scope", person: "person", goodbye: "goodbye", hours: "hours" };

/**
 * The report as printed: a line per business, the overall line, turn times, then every miss.
 *
 * @example
 * ```ts
 * for (const line of formatReport(report)) console.log(line);
 * ```
 */
export function formatReport(report: EvalReport): string[] {
  const lines = [`voxedge eval · ${report.utterances} utterances · ${report.businesses.length} businesses · ${report.target}`, ""];
  for (const business of report.businesses) lines.push(scoreLine(business));
  lines.push("", scoreLine(report.overall));
  lines.push(
    `understanding time per turn (server): p50 ${ms(report.turnMs.p50)} · p99 ${ms(report.turnMs.p99)} · ` +
      `knowledge query p50 ${ms(report.knowledgeMs.p50)} · p99 ${ms(report.knowledgeMs.p99)}`,
  );
  lines.push("", report.misses.length === 0 ? "no misses" : `misses (${report.misses.length}):`);
  for (const miss of report.misses) {
    lines.push(
      `  ${miss.business} · ${KIND_LABEL[miss.kind]} · "${shorten(miss.utterance, 80)}" · expected ${JSON.stringify(miss.expected)} · ` +
        `${miss.verdict} · said "${shorten(miss.said)}"`,
    );
    if (miss.explanation !== undefined) lines.push(`      ${miss.explanation}`);
  }
  return lines;
}
