/**
 * Markdown output for the benchmarks: the machine line, tables, durations and target verdicts.
 */
import { readFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";

/**
 * One line naming the machine the figures come from.
 *
 * @example
 * ```ts
 * machineLine(); // "AMD EPYC, 2 cores, Bun 1.4.5, 2026-11-26T05:40:00Z, load average 0.4"
 * ```
 */
export function machineLine(now = new Date()): string {
  let model: string | undefined;
  try {
    model = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1]?.trim();
  } catch {
    // Not Linux: fall back to what node:os reports.
  }
  model ??= cpus()[0]?.model ?? "unknown CPU";
  // The load average tells a reader how much else was competing for the cores during the run.
  const load = loadavg()[0] ?? 0;
  return `${model}, ${availableParallelism()} cores, Bun ${Bun.version}, ${now.toISOString().replace(/\.\d+Z$/, "Z")}, load average ${load.toFixed(1)}`;
}

/**
 * A GitHub-flavoured markdown table: the first `textColumns` columns are left-aligned, the rest
 * (figures) right-aligned.
 *
 * @example
 * ```ts
 * markdownTable(["library", "ns/op"], [["voxedge", "101"]]);
 * ```
 */
export function markdownTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>, textColumns = 1): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(" | ")} |`;
  const rule = headers.map((_, i) => (i < textColumns ? "---" : "---:"));
  return [line(headers), line(rule), ...rows.map(line)].join("\n");
}

/**
 * A duration given in nanoseconds, in the unit that keeps three significant digits readable.
 *
 * @example
 * ```ts
 * formatNs(96.4); // "96.4 ns"
 * formatNs(31_250); // "31.3 µs"
 * ```
 */
export function formatNs(ns: number): string {
  if (!Number.isFinite(ns)) return "–";
  if (ns < 10) return `${ns.toFixed(2)} ns`;
  if (ns < 1_000) return `${ns.toFixed(1)} ns`;
  if (ns < 1_000_000) return `${(ns / 1_000).toFixed(ns < 10_000 ? 2 : 1)} µs`;
  return `${(ns / 1_000_000).toFixed(ns < 10_000_000 ? 2 : 1)} ms`;
}

/** A ratio such as "1.07×". */
export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return "–";
  return `${ratio < 10 ? ratio.toFixed(2) : ratio.toFixed(1)}×`;
}

/** Bytes as MiB with one decimal. */
export function formatMiB(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * A verdict line printed under a table.
 *
 * @example
 * ```ts
 * verdict(1.12 <= 1.5, "voxedge getOrSet within 1.5× of the await floor", "1.12×");
 * // "- target met: voxedge getOrSet within 1.5× of the await floor (1.12×)"
 * ```
 */
export function verdict(met: boolean, target: string, measured: string): string {
  return `- target ${met ? "met" : "not met"}: ${target} (${measured})`;
}
