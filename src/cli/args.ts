/**
 * Command-line parsing for the `bun run …` tools: strict flags through `node:util` parseArgs, and
 * usage mistakes as their own error type so that a tool can exit with code 2 for them.
 */
import { parseArgs } from "node:util";

/**
 * A mistake in how the tool was called (unknown command or flag, bad value): exit code 2.
 *
 * @example throw new UsageError("--masters must be at least 3");
 */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** The flags a tool accepts: name → kind. */
export type FlagKinds = Record<string, "string" | "boolean">;

/** Positionals in order, and each flag given (a string, or `true` for a boolean flag). */
export interface ParsedCommandLine {
  positionals: string[];
  flags: Record<string, string | boolean | undefined>;
}

/**
 * Parses `--name value`, `--name=value` and boolean `--name`; anything not in `kinds` is a
 * `UsageError`. `-h` is taken as `--help` when `help` is a known boolean flag.
 *
 * @example
 * const { positionals, flags } = parseCommandLine(["start", "--base-port", "7000"], { "base-port": "string" });
 * // positionals: ["start"], flags: { "base-port": "7000" }
 */
export function parseCommandLine(argv: readonly string[], kinds: FlagKinds): ParsedCommandLine {
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {};
  for (const [name, type] of Object.entries(kinds)) {
    options[name] = name === "help" && type === "boolean" ? { type, short: "h" } : { type };
  }
  try {
    const parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
    return { positionals: parsed.positionals, flags: parsed.values as ParsedCommandLine["flags"] };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/**
 * An integer flag within `[min, max]`, or `fallback` when absent; anything else is a `UsageError`.
 *
 * @example intFlag(flags, "masters", 3, { min: 3, max: 50 }) // 3 unless --masters was given
 */
export function intFlag(
  flags: ParsedCommandLine["flags"],
  name: string,
  fallback: number,
  range: { min: number; max: number },
): number {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  const value = typeof raw === "string" && /^\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < range.min || value > range.max) {
    throw new UsageError(`--${name} must be a whole number from ${range.min} to ${range.max} (got ${JSON.stringify(raw)})`);
  }
  return value;
}
