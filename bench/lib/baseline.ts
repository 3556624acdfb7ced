/**
 * The regression guard: a benchmark's ratios are kept in a committed baseline file
 * (`bench/baseline.json`, one section per benchmark, written with `--save-baseline`), and every
 * run prints each figure's change against it, flagging a drop of more than 15%. Ratios, not
 * absolute times, so that a run on another (or a busier) machine still compares.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { markdownTable } from "./server-report.ts";

/** Where the baselines live. */
export const BASELINE_FILE = resolve(import.meta.dir, "../baseline.json");
/** A figure this much worse than its baseline is flagged. */
export const MAX_DROP = 0.15;

/** One figure of a run: its value and which way is better. */
export interface Figure {
  name: string;
  value: number;
  better: "higher" | "lower";
  /**
   * For a figure near 0 (L2 commands per turn), a change is judged in absolute terms: it is
   * flagged when it is worse by more than this, whatever the percentage.
   */
  absoluteTolerance?: number;
}

interface BaselineSection {
  /** The machine line of the run the baseline came from. */
  machine: string;
  savedAt: string;
  figures: Record<string, { value: number; better: "higher" | "lower" }>;
}

/**
 * The figures against the saved baseline of `section`, as a markdown table with one row per
 * figure (value, baseline, change, verdict) and whether any dropped by more than {@link MAX_DROP}.
 *
 * @example
 * ```ts
 * const { markdown, dropped } = compareWithBaseline("server", [{ name: "memory: ratio to bare", value: 0.52, better: "higher" }]);
 * ```
 */
export function compareWithBaseline(section: string, figures: readonly Figure[], file = BASELINE_FILE): { markdown: string; dropped: string[] } {
  const saved = readSections(file)[section];
  if (saved === undefined) return { markdown: `No baseline for \`${section}\` in ${file} yet: run with \`--save-baseline\` to record this run as one.`, dropped: [] };
  const dropped: string[] = [];
  const rows = figures.map((figure) => {
    const base = saved.figures[figure.name];
    if (base === undefined) return [figure.name, format(figure.value), "–", "–", "new figure"];
    const change = base.value === 0 ? (figure.value === 0 ? 0 : Number.POSITIVE_INFINITY) : figure.value / base.value - 1;
    const worse = figure.better === "higher" ? -change : change;
    const drop =
      figure.absoluteTolerance !== undefined
        ? (figure.better === "higher" ? base.value - figure.value : figure.value - base.value) > figure.absoluteTolerance
        : worse > MAX_DROP;
    if (drop) dropped.push(figure.name);
    const shown = Number.isFinite(change) ? `${change >= 0 ? "+" : ""}${(change * 100).toFixed(1)}%` : `from 0 to ${format(figure.value)}`;
    const limit = figure.absoluteTolerance === undefined ? `${MAX_DROP * 100}%` : `${figure.absoluteTolerance}`;
    return [figure.name, format(figure.value), format(base.value), shown, drop ? `DROP > ${limit}` : "ok"];
  });
  const markdown = [
    `Against the baseline of ${saved.savedAt} (${saved.machine}):`,
    "",
    markdownTable(["figure", "this run", "baseline", "change", "verdict"], rows),
  ].join("\n");
  return { markdown, dropped };
}

/**
 * Records the figures as the baseline of `section`, keeping the other sections of the file.
 *
 * @example
 * ```ts
 * saveBaseline("server", figures, machineLine());
 * ```
 */
export function saveBaseline(section: string, figures: readonly Figure[], machine: string, file = BASELINE_FILE): void {
  const sections = readSections(file);
  const saved: BaselineSection = { machine, savedAt: new Date().toISOString().replace(/\.\d+Z$/, "Z"), figures: {} };
  for (const figure of figures) saved.figures[figure.name] = { value: round(figure.value), better: figure.better };
  sections[section] = saved;
  writeFileSync(file, `${JSON.stringify(sections, null, 2)}\n`);
}

function readSections(file: string): Record<string, BaselineSection> {
  if (!existsSync(file)) return {};
  const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error(`${file}: expected an object of benchmark sections`);
  return parsed as Record<string, BaselineSection>;
}

function round(value: number): number {
  return Number.isFinite(value) ? Number(value.toPrecision(4)) : value;
}

function format(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3);
}
