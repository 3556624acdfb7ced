import { CacheConfigError } from "./errors.ts";

/**
 * How one namespace caches. Every duration is in milliseconds. Options are resolved once, when the
 * cache is created, into a frozen {@link NamespacePolicy}; nothing on the read path looks at
 * options again.
 *
 * @example
 * ```ts
 * const options: NamespaceOptions = { ttl: 3_600_000, l1Ttl: 60_000, jitter: 0.1, grace: 86_400_000 };
 * ```
 */
export interface NamespaceOptions {
  /** Logical lifetime of a value. Required. */
  ttl: number;
  /**
   * How long L1 may answer before checking L2 again; at most `ttl`. Default: `ttl`. `0`: every
   * read checks L2 (data another instance may have just written, like call sessions); the L1 copy
   * then only answers while L2 is out.
   */
  l1Ttl?: number;
  /**
   * How long L1 may answer, instead of `l1Ttl`, for an entry filled while the invalidation bus is
   * up, for as long as the bus stays up (a drop makes every such entry check L2 at its next use).
   * While the bus is up every explicit write, delete, expire, tag invalidation and clear made on any
   * instance reaches this instance's L1 as a message, so re-reading L2 every `l1Ttl` would learn
   * nothing those messages do not say; `l1Ttl` stays the bound whenever the bus is not up (down,
   * connecting, or off: no L2, no pub/sub, a publish-only runtime). What such an entry no longer
   * learns early is a value another instance's loader stored without announcing it: the entry then
   * changes at its own refresh (`eagerRefresh`) or expiry, which suits data every instance's loader
   * reads from the same source (a business directory). At least `l1Ttl`, at most `ttl`. Default:
   * `l1Ttl`. Not with `broadcast: false`, whose writes no message announces.
   */
  l1TtlWhileBusUp?: number;
  /** Random extra TTL, as a fraction of `ttl` (0–1), so that entries filled together do not expire together. Default 0. */
  jitter?: number;
  /** How long after `ttl` a stale value may still be served when the loader or L2 fails. Default 0. */
  grace?: number;
  /** After a failed refresh served stale, how long before the loader is tried again. Default 5 000. */
  failSafeBackoff?: number;
  /** With a stale value at hand, answer with it once the loader has run this long (the loader keeps going). Default: none. */
  softTimeout?: number;
  /** Abandon the loader after this long (its `signal` aborts). Default: none. */
  hardTimeout?: number;
  /** Fraction of `ttl` (0–1) after which a hit starts one background refresh. Default: none. */
  eagerRefresh?: number;
  /** Tags added to every entry of the namespace. */
  tags?: readonly string[];
  /** Maximum L1 entries of this namespace. Default: the cache's `l1.maxEntries`. */
  l1MaxEntries?: number;
  /**
   * `false`: writes and deletes are not announced on the invalidation bus. For namespaces whose L1
   * copies live only a moment (call sessions read from L2 on every webhook), the messages would
   * cost every instance work and protect nothing. Default true.
   */
  broadcast?: boolean;
  /** `false` keeps this namespace in L1 only (call sessions need L2; a per-process memo does not). Default true. */
  l2?: boolean;
  /**
   * Distributed single flight: on a miss, an instance takes a short lock in L2 before running the
   * loader, so that N instances missing one key together run it once. The others poll L2 for the
   * value for at most `wait` ms and then run the loader themselves. `ttl` bounds how long a lock
   * whose holder died keeps others waiting. Worth it for expensive loaders; every miss costs one
   * more L2 round trip. `true` takes the defaults (ttl 5 000, wait 1 000). Default: off.
   */
  distributedLock?: boolean | { ttl?: number; wait?: number };
}

/** Per-call overrides for writes and loaders. */
export interface WriteOptions {
  ttl?: number;
  grace?: number;
  tags?: readonly string[];
}

/** A namespace's options, checked and resolved once. */
export interface NamespacePolicy {
  readonly name: string;
  readonly ttl: number;
  readonly l1Ttl: number;
  /** See {@link NamespaceOptions.l1TtlWhileBusUp}; equal to `l1Ttl` when not set. */
  readonly l1TtlWhileBusUp: number;
  readonly jitter: number;
  readonly grace: number;
  readonly failSafeBackoff: number;
  readonly softTimeout: number;
  readonly hardTimeout: number;
  /** Fraction of the TTL after which a hit refreshes, or `Infinity` for never. */
  readonly eagerRefresh: number;
  readonly tags: readonly string[] | undefined;
  readonly l1MaxEntries: number;
  readonly useL2: boolean;
  readonly broadcast: boolean;
  /** Lock lifetime and longest wait for another instance's loader, or `undefined` when off (or L1 only). */
  readonly distributedLock: { readonly ttl: number; readonly wait: number } | undefined;
  /** `prefix:namespace:` — every L2 key of the namespace starts with it. */
  readonly keyPrefix: string;
}

/**
 * Checks options and resolves defaults. Throws one error listing every bad option of the namespace.
 *
 * @example
 * ```ts
 * compilePolicy("business", { ttl: 60_000 }, { prefix: "voxedge", l1MaxEntries: 50_000 }).l1Ttl // 60000
 * ```
 */
export function compilePolicy(
  name: string,
  options: NamespaceOptions,
  defaults: { prefix: string; l1MaxEntries: number },
): NamespacePolicy {
  const problems: string[] = [];
  const duration = (field: string, value: number | undefined, fallback: number, allowZero = true): number => {
    if (value === undefined) return fallback;
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
      problems.push(`${field} must be a ${allowZero ? "non-negative" : "positive"} number of milliseconds (got ${String(value)})`);
      return fallback;
    }
    return value;
  };
  const fraction = (field: string, value: number | undefined, fallback: number): number => {
    if (value === undefined) return fallback;
    if (typeof value !== "number" || !(value >= 0 && value <= 1)) {
      problems.push(`${field} must be a fraction between 0 and 1 (got ${String(value)})`);
      return fallback;
    }
    return value;
  };

  if (!/^[A-Za-z0-9_.-]+$/.test(name)) problems.push("the name may contain only letters, digits, '_', '.' and '-'");
  const ttl = duration("ttl", options.ttl, 60_000, false);
  if (options.ttl === undefined) problems.push("ttl is required");
  const l1Ttl = Math.min(duration("l1Ttl", options.l1Ttl, ttl), ttl);
  const l1TtlWhileBusUp = Math.max(l1Ttl, Math.min(duration("l1TtlWhileBusUp", options.l1TtlWhileBusUp, l1Ttl), ttl));
  if (options.l1TtlWhileBusUp !== undefined && options.broadcast === false) {
    problems.push("l1TtlWhileBusUp needs the bus: with broadcast false no instance hears of another's writes");
  }
  const eager = options.eagerRefresh === undefined ? Infinity : fraction("eagerRefresh", options.eagerRefresh, 1);
  const l1MaxEntries = options.l1MaxEntries ?? defaults.l1MaxEntries;
  if (!Number.isInteger(l1MaxEntries) || l1MaxEntries < 1) problems.push(`l1MaxEntries must be a positive integer (got ${l1MaxEntries})`);
  const lockOption = options.distributedLock;
  let distributedLock: NamespacePolicy["distributedLock"];
  if (lockOption !== undefined && lockOption !== false && options.l2 !== false) {
    const given = lockOption === true ? {} : lockOption;
    distributedLock = Object.freeze({
      ttl: duration("distributedLock.ttl", given.ttl, 5_000, false),
      wait: duration("distributedLock.wait", given.wait, 1_000),
    });
  }

  const policy: NamespacePolicy = Object.freeze({
    name,
    ttl,
    l1Ttl,
    l1TtlWhileBusUp,
    jitter: fraction("jitter", options.jitter, 0),
    grace: duration("grace", options.grace, 0),
    failSafeBackoff: duration("failSafeBackoff", options.failSafeBackoff, 5_000),
    softTimeout: duration("softTimeout", options.softTimeout, 0),
    hardTimeout: duration("hardTimeout", options.hardTimeout, 0),
    eagerRefresh: eager,
    tags: options.tags && options.tags.length > 0 ? Object.freeze([...options.tags]) : undefined,
    l1MaxEntries,
    useL2: options.l2 !== false,
    broadcast: options.broadcast !== false,
    distributedLock,
    keyPrefix: `${defaults.prefix}:${name}:`,
  });
  if (problems.length > 0) throw new CacheConfigError(`Cache namespace "${name}" has bad options: ${problems.join("; ")}`);
  return policy;
}

/** Merges a namespace's default tags with per-call tags, without duplicates. */
export function mergeTags(base: readonly string[] | undefined, extra: readonly string[] | undefined): readonly string[] | undefined {
  if (!extra || extra.length === 0) return base;
  if (!base) return extra;
  return [...new Set([...base, ...extra])];
}
