import type { NamespaceOptions } from "../cache/index.ts";
import type { BotNamespace } from "./lookups.ts";

/**
 * How the bot caches each kind of data.
 * - business: changes rarely; an hour in L2, a minute in L1 so edits spread quickly, a day of grace
 *   so a directory outage never drops a call, and a soft timeout so a slow directory is not heard.
 * - knowledge: answers to normalised questions; tagged per business so a FAQ edit drops them all.
 * - session: a call's shared record, written when the call starts and when it ends (a gather turn's
 *   state travels in its webhook URL instead); a status callback must read it from L2 (another
 *   instance may have written it), so L1 never answers for it on its own (its copy serves only while L2 is out) — unless no L2 is shared between instances (none, or the
 *   in-process store), where L1 is all that is needed. Either way no other instance holds a copy
 *   worth invalidating, so session writes are not announced on the bus.
 *
 * @example
 * ```ts
 * createCache({ namespaces: botNamespaces({ sessionTtlMs: 4 * 3_600_000, hasL2: true }) });
 * ```
 */
export function botNamespaces(options: { sessionTtlMs: number; /** An L2 shared between instances. */ hasL2: boolean }): Record<BotNamespace, NamespaceOptions> {
  return {
    business: { ttl: 3_600_000, l1Ttl: 60_000, jitter: 0.1, grace: 86_400_000, softTimeout: 300, eagerRefresh: 0.8 },
    knowledge: { ttl: 900_000, l1Ttl: 300_000, jitter: 0.1, grace: 3_600_000 },
    session: options.hasL2
      ? { ttl: options.sessionTtlMs, l1Ttl: 0, broadcast: false }
      : { ttl: options.sessionTtlMs, l2: false, broadcast: false },
  };
}
