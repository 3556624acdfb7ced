/**
 * The cache's defaults, written once: the cache, its guard and the adapters read them here, and
 * the product's configuration (`src/config.ts`) uses them as the defaults of its variables.
 *
 * @example
 * ```ts
 * createCache({ namespaces, l2TimeoutMs: CACHE_DEFAULTS.l2TimeoutMs * 2 });
 * ```
 */
export const CACHE_DEFAULTS = Object.freeze({
  /** First part of every L2 key and of the bus channel. */
  prefix: "voxedge",
  /** Entries L1 holds per namespace unless the namespace says otherwise. */
  l1MaxEntries: 10_000,
  /** Bound of every L2 call (guard) and of each adapter's own command or request timeout. */
  l2TimeoutMs: 250,
  /** Failures within the breaker's window that open it. */
  breakerFailureThreshold: 5,
  /** How long an open breaker skips L2 before one probe. */
  breakerOpenMs: 5_000,
  /** Envelopes longer than this many characters are compressed. */
  compressAbove: 2_048,
  /** How long a tag or clear time read from L2 is trusted while the bus is up (bus messages update it at once). */
  tagTimesTtl: 5_000,
  /** Tag and clear times are kept in L2 at least this long (longer when a namespace's entries live longer). */
  tagRetentionMs: 86_400_000,
});
