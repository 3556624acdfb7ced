/**
 * Process helpers for the `redis-server` launcher: finding binaries on PATH, telling whether a pid
 * is alive (zombies count as gone), signalling a pid that may already have exited, and reading the
 * tail of a log for error messages. Nothing here runs at import time.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { delimiter, join } from "node:path";

/**
 * Whether a process with this pid exists and has not exited. A zombie counts as exited: an
 * orphaned server that nobody reaps stays in the process table after it is gone.
 *
 * @example if (!isProcessAlive(server.pid)) console.log("stopped");
 */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  try {
    // "pid (comm) S ...": the state letter follows the last ")" (comm may contain spaces or parens).
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    // No /proc (macOS), or the process ended in between: trust the signal check.
    return true;
  }
}

/**
 * Whether `pid` is a running `redis-server`: a pid recorded earlier may have been recycled for
 * something else, and must never be signalled then.
 *
 * @example if (isRedisServerPid(state.pid)) sendSignal(state.pid, "SIGTERM");
 */
export function isRedisServerPid(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("redis-server");
  } catch {
    // No /proc (macOS): ask ps. A pid that is gone gives empty output.
    const ps = spawnSync("ps", ["-o", "comm=", "-p", String(pid)], { encoding: "utf8", timeout: 2_000 });
    return (ps.stdout ?? "").includes("redis-server");
  }
}

/**
 * Sends `signal` to `pid`; a pid that is already gone (ESRCH) is not an error.
 *
 * @example sendSignal(server.pid, "SIGTERM");
 */
export function sendSignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

/**
 * Finds an executable on PATH, read at call time.
 *
 * @example findExecutable("redis-cli") // "/usr/bin/redis-cli" or undefined
 */
export function findExecutable(name: string): string | undefined {
  for (const entry of (process.env.PATH ?? "").split(delimiter)) {
    if (!entry) continue;
    const candidate = join(entry, name);
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not in this PATH entry
    }
  }
  return undefined;
}

/**
 * Returns the path of a Redis binary or throws an error that says how to install it.
 *
 * @example const cli = requireRedisBinary("redis-cli");
 */
export function requireRedisBinary(name: "redis-server" | "redis-cli"): string {
  const path = findExecutable(name);
  if (path) return path;
  throw new Error(
    `${name} was not found on PATH. Install Redis 7 first: on Debian/Ubuntu ` +
      "`apt-get install redis-server` (it also brings redis-cli), on macOS `brew install redis`.",
  );
}

/**
 * Runs a short diagnostic command and returns its stdout; empty when it fails or is missing.
 *
 * @example runQuietly("/usr/bin/ss", ["-Hltnp"])
 */
export function runQuietly(binary: string, args: string[]): string {
  try {
    const result = spawnSync(binary, args, { encoding: "utf8", timeout: 2_000, stdio: ["ignore", "pipe", "ignore"] });
    return result.stdout ?? "";
  } catch {
    return "";
  }
}

/**
 * Last `lines` lines of a log file, for error messages.
 *
 * @example throw new Error(`redis-server exited. Log tail:\n${tailOfFile(logFile)}`);
 */
export function tailOfFile(path: string, lines = 20): string {
  try {
    const text = readFileSync(path, "utf8").trimEnd();
    return text.split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log written)";
  }
}
