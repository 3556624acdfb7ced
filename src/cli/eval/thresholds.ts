/**
 * The eval's pass marks: `--min-answers 0.9`, `--min-business 0.85`, `--min-unknown 23/24`,
 * `--min-intents 35/36`, `--max-wrong 0.02`. Each is a ratio, given as a decimal, a percentage or
 * a fraction ("23/24" means the same share on a set of any size).
 */
import { UsageError } from "../args.ts";
import type { EvalReport, Tally } from "./report.ts";

export interface Thresholds {
  /** Overall share of in-scope questions answered right. */
  minAnswers?: number;
  /** The same share, for every business that has in-scope questions. */
  minBusiness?: number;
  /** Share of out-of-scope questions declined. */
  minUnknown?: number;
  /** Share of person, goodbye and hours utterances handled right. */
  minIntents?: number;
  /** Most wrong-FAQ answers, as a share of the in-scope questions. */
  maxWrong?: number;
}

/**
 * Reads a ratio flag: `0.9`, `90%` or `23/24`, within 0..1.
 *
 * @example
 * ```ts
 * parseRatio("23/24", "min-unknown") // 0.9583…
 * parseRatio("90%", "min-answers")   // 0.9
 * ```
 * @throws UsageError for anything else.
 */
export function parseRatio(raw: string, flag: string): number {
  const text = raw.trim();
  let value = Number.NaN;
  const parts = /^(\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)$/.exec(text);
  if (parts) value = Number(parts[2]) === 0 ? Number.NaN : Number(parts[1]) / Number(parts[2]);
  else if (/^\d+(\.\d+)?%$/.test(text)) value = Number(text.slice(0, -1)) / 100;
  else if (/^(\d+(\.\d*)?|\.\d+)$/.test(text)) value = Number(text);
  if (!(value >= 0 && value <= 1)) throw new UsageError(`--${flag} must be a share from 0 to 1, like 0.9, 90% or 23/24 (got ${JSON.stringify(raw)})`);
  return value;
}

// A share exactly at the mark passes, whatever the float rounding of 23/24 against 23/24.
const EPSILON = 1e-9;
const share = (t: Tally): number => (t.total === 0 ? 1 : t.right / t.total);
const shown = (value: number): string => `${(value * 100).toFixed(1)}%`;

/**
 * Every mark the report misses, one clear line each; empty when it passes them all.
 *
 * @example
 * ```ts
 * failedThresholds(report, { minAnswers: 0.9 }) // ["FAIL right answers 28.6% (60/210) < 90.0% (--min-answers)"]
 * ```
 */
export function failedThresholds(report: EvalReport, thresholds: Thresholds): string[] {
  const failures: string[] = [];
  const below = (what: string, tally: Tally, min: number | undefined, flag: string) => {
    if (min !== undefined && share(tally) < min - EPSILON) {
      failures.push(`FAIL ${what} ${shown(share(tally))} (${tally.right}/${tally.total}) < ${shown(min)} (--${flag})`);
    }
  };
  below("right answers", report.overall.answers, thresholds.minAnswers, "min-answers");
  for (const business of report.businesses) {
    if (business.answers.total > 0) below(`right answers for ${business.name}`, business.answers, thresholds.minBusiness, "min-business");
  }
  below("out-of-scope declined", report.overall.unknown, thresholds.minUnknown, "min-unknown");
  below("intents right", report.overall.intents, thresholds.minIntents, "min-intents");
  if (thresholds.maxWrong !== undefined) {
    const total = report.overall.answers.total;
    const wrong = total === 0 ? 0 : report.overall.wrongFaq / total;
    if (wrong > thresholds.maxWrong + EPSILON) {
      failures.push(`FAIL wrong-FAQ answers ${shown(wrong)} (${report.overall.wrongFaq}/${total}) > ${shown(thresholds.maxWrong)} (--max-wrong)`);
    }
  }
  return failures;
}
