/**
 * Markdown for the server benchmark: a header naming the machine, and tables of medians.
 */
import { cpus, loadavg } from "node:os";

/**
 * One line naming the machine the figures come from: CPU model, cores, Bun version, date, and the
 * load average when the run started (a busy machine explains a bad run).
 *
 * @example
 * ```ts
 * machineLine(); // "Machine: AMD EPYC, 2 cores, Bun 1.4.5, 2026-11-26T05:50:00Z, load average 0.4"
 * ```
 */
export function machineLine(now = new Date()): string {
  const cores = cpus();
  const model = cores[0]?.model.trim() || "unknown CPU";
  const date = now.toISOString().replace(/\.\d+Z$/, "Z");
  return `Machine: ${model}, ${cores.length} cores, Bun ${Bun.version}, ${date}, load average ${loadavg()[0]!.toFixed(2)} at start`;
}

/**
 * A markdown table; cells are printed as given, columns padded for reading in a terminal.
 *
 * @example
 * ```ts
 * markdownTable(["target", "req/s"], [["bare", "80,000"]]);
 * ```
 */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => (row[i] ?? "").length), 3));
  const line = (cells: readonly string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/**
 * The median of a non-empty list (the mean of the middle two for an even count).
 *
 * @example
 * ```ts
 * median([3, 1, 2]); // 2
 * ```
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Formats requests per second with thousands separators.
 *
 * @example
 * ```ts
 * formatRate(81234.5); // "81,235"
 * ```
 */
export function formatRate(perSecond: number): string {
  return Math.round(perSecond).toLocaleString("en-US");
}

/**
 * Formats milliseconds with precision that suits their size.
 *
 * @example
 * ```ts
 * formatMs(0.4321); // "0.43"
 * formatMs(212.7); // "213"
 * ```
 */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return "n/a";
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  return ms.toFixed(2);
}
