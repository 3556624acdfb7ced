/** Log levels in order; a logger prints its level and above. */
export type LogLevel = "debug" | "info" | "warn" | "error";
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type Log = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

/**
 * A one-line JSON logger to stdout/stderr. Callers pass only safe fields: never tokens, phone
 * numbers or what callers said.
 *
 * @example
 * ```ts
 * const log = createLog("info");
 * log("warn", "L2 unreachable at start-up", { l2: "redis" });
 * ```
 */
export function createLog(min: LogLevel, write: (line: string, level: LogLevel) => void = defaultWrite): Log {
  const threshold = ORDER[min];
  return (level, message, fields) => {
    if (ORDER[level] < threshold) return;
    write(JSON.stringify({ time: new Date().toISOString(), level, message, ...fields }), level);
  };
}

function defaultWrite(line: string, level: LogLevel): void {
  if (level === "error" || level === "warn") console.error(line);
  else console.log(line);
}
