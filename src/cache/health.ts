import type { BreakerSnapshot } from "./breaker.ts";
import type { Bus, BusState } from "./bus.ts";
import { L2TimeoutError } from "./errors.ts";
import type { L2Guard } from "./l2-guard.ts";
import type { L2Description } from "./l2/types.ts";
import type { L2ErrorKind } from "./stats.ts";

export interface CacheHealth {
  /** `ok`: every tier answers; `degraded`: L2 or the bus is out, and L1 and loaders carry the load. */
  status: "ok" | "degraded";
  l2:
    | (L2Description & { reachable: boolean; latencyMs?: number; error?: string; lastError?: { kind: L2ErrorKind; message: string; at: number } })
    | undefined;
  breaker: BreakerSnapshot | undefined;
  bus: BusState;
}

/**
 * Pings L2 (bounded by the L2 timeout, past the breaker so that an open breaker's L2 is still
 * probed) and reports it with the breaker and the bus.
 *
 * @example
 * ```ts
 * const health = await checkHealth(guard, bus); // { status: "ok", l2: { kind: "redis", reachable: true, latencyMs: 0.4, … }, … }
 * ```
 */
export async function checkHealth(guard: L2Guard | undefined, bus: Bus): Promise<CacheHealth> {
  let l2: CacheHealth["l2"];
  if (guard !== undefined) {
    const started = performance.now();
    let reachable = false;
    let error: string | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        guard.adapter.ping(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new L2TimeoutError(guard.timeoutMs)), guard.timeoutMs);
        }),
      ]);
      reachable = true;
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    } finally {
      clearTimeout(timer);
    }
    l2 = {
      ...guard.adapter.describe(),
      reachable,
      ...(reachable ? { latencyMs: Math.round((performance.now() - started) * 100) / 100 } : { error }),
      ...(guard.lastError ? { lastError: guard.lastError } : {}),
    };
  }
  const breaker = guard?.breaker.snapshot();
  const busState = bus.state;
  const degraded = (l2 !== undefined && !l2.reachable) || (breaker !== undefined && breaker.state !== "closed") || busState === "down";
  return { status: degraded ? "degraded" : "ok", l2, breaker, bus: busState };
}
