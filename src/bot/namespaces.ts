import type { NamespaceOptions } from "../cache/index.ts";
import type { BotNamespace } from "./lookups.ts";

/** How long a model answer is cached (before jitter). */
export const ANSWER_TTL_MS = 6 * 3_600_000;

/**
 * How the bot caches each kind of data.
 * - business: changes rarely; an hour in L2, a day of grace so a directory outage never drops a
 *   call, and a soft timeout so a slow directory is not heard. In L1 until its refresh (at 80% of
 *   the hour, from the directory) while the invalidation bus is up, since an edit announced by any
 *   instance (the admin API's invalidation, a cache write) reaches every instance's L1 as a bus
 *   message, not by re-reading L2; a minute whenever the bus is not up (and a second while it is
 *   down), when re-reading L2 is how an edit arrives. A warm turn then never waits on L2.
 * - knowledge: answers to normalised questions; tagged per business so a FAQ edit drops them all
 *   (by bus message while it is up, so L1 keeps them for their lifetime; five minutes when not).
 * - session: a call's shared record, written when the call starts and when it ends (a gather turn's
 *   state travels in its webhook URL instead); a status callback must read it from L2 (another
 *   instance may have written it), so L1 never answers for it on its own (its copy serves only while L2 is out) — unless no L2 is shared between instances (none, or the
 *   in-process store), where L1 is all that is needed. Either way no other instance holds a copy
 *   worth invalidating, so session writes are not announced on the bus.
 * - questions: what callers asked, kept only when the operator asks for it (`questionRetentionMs`
 *   above 0): written once per question under the same hashed key as its answer, L2 only, for
 *   exactly the retention; no other instance reads it back, so nothing goes on the bus.
 * - answers: the model's checked answers (and its "not in the facts"), keyed by a hash of business,
 *   facts version, model, prompt version and question; six hours (an answer to a time-sensitive
 *   question is cut to the minute by its loader), a day of grace so a model outage still speaks an
 *   answer it gave before, and the distributed lock so the fleet calls the model once per question:
 *   the lock outlives the model's hard timeout and waiters wait that long, since a model call is the
 *   most expensive loader there is.
 * - embeddings: question vectors by normalised text (a week: a text's vector never changes under
 *   one model); semantic: each business's answered questions' vectors, as long as the answers.
 *
 * @example
 * ```ts
 * createCache({ namespaces: botNamespaces({ sessionTtlMs: 4 * 3_600_000, hasL2: true }) });
 * ```
 */
export function botNamespaces(options: {
  sessionTtlMs: number;
  /** An L2 shared between instances. */
  hasL2: boolean;
  /** How long callers' questions are kept; 0 or absent keeps none. */
  questionRetentionMs?: number;
  /** LLM_HARD_TIMEOUT_MS: how long a model call may hold the answer lock. Default 6 000. */
  modelHardTimeoutMs?: number;
}): Record<BotNamespace, NamespaceOptions> {
  const modelMs = options.modelHardTimeoutMs ?? 6_000;
  return {
    business: { ttl: 3_600_000, l1Ttl: 60_000, l1TtlWhileBusUp: 3_600_000, jitter: 0.1, grace: 86_400_000, softTimeout: 300, eagerRefresh: 0.8 },
    knowledge: { ttl: 900_000, l1Ttl: 300_000, l1TtlWhileBusUp: 900_000, jitter: 0.1, grace: 3_600_000 },
    session: options.hasL2
      ? { ttl: options.sessionTtlMs, l1Ttl: 0, broadcast: false }
      : { ttl: options.sessionTtlMs, l2: false, broadcast: false },
    questions: { ttl: Math.max(1, options.questionRetentionMs ?? 0), l1Ttl: 0, broadcast: false },
    embeddings: { ttl: 7 * 86_400_000, l1Ttl: 3_600_000, jitter: 0.1 },
    semantic: { ttl: ANSWER_TTL_MS, l1Ttl: 60_000 },
    answers: { ttl: ANSWER_TTL_MS, l1Ttl: 600_000, jitter: 0.1, grace: 86_400_000, distributedLock: { ttl: modelMs + 2_000, wait: modelMs + 1_000 } },
  };
}
