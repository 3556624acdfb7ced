import type { BreakerState } from "./breaker.ts";
import type { L2Kind } from "./l2/types.ts";

/**
 * What the cache tells the app about its own state, once per transition: the L2 breaker opening,
 * probing or closing, and the invalidation bus going down or up. Events carry the L2 kind only,
 * never an address, key or credential, so an app can log them as they are.
 *
 * @example
 * ```ts
 * createCache({ l2, namespaces, onEvent: (e) => log(e.state === "open" || e.state === "down" ? "warn" : "info", `cache ${e.type} ${e.state}`, { l2: e.l2 }) });
 * ```
 */
export type CacheEvent =
  | { type: "breaker"; state: BreakerState; l2: L2Kind }
  | { type: "bus"; state: "up" | "down"; l2: L2Kind };

/** Receives {@link CacheEvent}s; it must not throw (a throw is swallowed) and should return quickly. */
export type CacheEventHandler = (event: CacheEvent) => void;

/** Calls `handler` safely: an app's logging failure never reaches the cache's read path. */
export function emitter(handler: CacheEventHandler | undefined): (event: CacheEvent) => void {
  if (handler === undefined) return () => {};
  return (event) => {
    try {
      handler(event);
    } catch {
      // The hook is the app's; nothing the cache does depends on it.
    }
  };
}
