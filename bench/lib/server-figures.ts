/**
 * The server benchmark's figures against the bare route: per target, ratios measured in the same
 * run (throughput, p99, server CPU per request) and L2 commands per turn — what the report shows
 * and what the baseline keeps.
 */
import type { Figure } from "./baseline.ts";
import { median } from "./server-report.ts";

/** What one measured run of a target contributes to its figures. */
export interface RunFigures {
  requests: number;
  reqPerSec: number;
  p99Ms: number;
  serverCpuUsPerReq: number;
  /** L2 commands during the run (NaN without a counter). */
  l2Commands: number;
}

/** A target's runs, one per round, in the same order as the bare route's. */
export interface TargetRuns {
  name: string;
  /** The bare route, which the others are compared with. */
  baseline: boolean;
  results: readonly RunFigures[];
}

/**
 * The figures the baseline keeps: per target, ratios to the bare route measured in the same run, and L2 commands per turn.
 *
 * @example
 * ```ts
 * saveBaseline("server", baselineFigures(targets), machineLine());
 * ```
 */
export function baselineFigures(targets: readonly TargetRuns[]): Figure[] {
  const bare = targets.find((t) => t.baseline);
  if (bare === undefined) return [];
  const figures: Figure[] = [];
  for (const target of targets.filter((t) => !t.baseline)) {
    const name = target.name.replace(/^gather, /, "");
    const m = summary(target, bare);
    figures.push({ name: `${name}: throughput ratio to bare`, value: m.ratio, better: "higher" });
    figures.push({ name: `${name}: p99 × bare`, value: m.p99TimesBare, better: "lower" });
    figures.push({ name: `${name}: server CPU/req × bare`, value: m.cpuTimesBare, better: "lower" });
    // Near 0 by design: judged in absolute terms, one command more per 200 turns is a regression.
    if (!Number.isNaN(m.l2PerTurn)) figures.push({ name: `${name}: L2 commands per turn`, value: m.l2PerTurn, better: "lower", absoluteTolerance: 0.005 });
  }
  return figures;
}

/**
 * A target's medians against the bare route, each round compared with the same round of the bare route.
 *
 * @example
 * ```ts
 * summary(memoryTarget, bareTarget).ratio // 0.52
 * ```
 */
export function summary(target: TargetRuns, bare: TargetRuns): { ratio: number; p99TimesBare: number; cpuTimesBare: number; l2PerTurn: number } {
  const perRound = (pick: (r: RunFigures) => number) => median(target.results.map((r, i) => pick(r) / pick(bare.results[i]!)));
  const commands = target.results.reduce((sum, r) => sum + r.l2Commands, 0);
  const turns = target.results.reduce((sum, r) => sum + r.requests, 0);
  return {
    ratio: perRound((r) => r.reqPerSec),
    p99TimesBare: perRound((r) => r.p99Ms),
    cpuTimesBare: perRound((r) => r.serverCpuUsPerReq),
    l2PerTurn: commands / turns,
  };
}
