/**
 * Every error the cache library raises, each with a stable `code`, so callers tell them apart with
 * `instanceof` or by comparing `code` (which survives serialisation and duplicate module copies).
 * Messages name namespaces, operations and durations, never a key, a value or a credential: keys
 * can hold what a caller said, values can hold anything.
 *
 * @example
 * ```ts
 * try {
 *   await cache.namespace("knowledge").getOrSet(key, load);
 * } catch (error) {
 *   if (error instanceof CacheError && error.code === "E_LOADER_TIMEOUT") sayTryAgain();
 * }
 * ```
 */

/** The codes a {@link CacheError} can carry. */
export type CacheErrorCode = "E_LOADER_TIMEOUT" | "E_L2_TIMEOUT" | "E_L2_UNAVAILABLE" | "E_CONFIG" | "E_UNKNOWN_NAMESPACE" | "E_UNDEFINED_VALUE";

/** What every cache error shares. */
export abstract class CacheError extends Error {
  abstract readonly code: CacheErrorCode;
}

/** A loader outlived its namespace's hard timeout; its `signal` was aborted with this error. */
export class LoaderTimeoutError extends CacheError {
  readonly code = "E_LOADER_TIMEOUT";
  constructor(
    readonly namespace: string,
    readonly timeoutMs: number,
  ) {
    super(`A loader of namespace "${namespace}" gave up after the hard timeout of ${timeoutMs} ms`);
    this.name = "LoaderTimeoutError";
  }
}

/** An L2 call outlived the cache's L2 timeout. The cache's guard turns it into a miss; it reaches callers only through health and stats. */
export class L2TimeoutError extends CacheError {
  readonly code = "E_L2_TIMEOUT";
  constructor(readonly timeoutMs: number) {
    super(`L2 call timed out after ${timeoutMs} ms`);
    this.name = "L2TimeoutError";
  }
}

/** An L2 adapter could not do what it was asked (server down, refused, closed). The message is the client's reason with secrets cut out. */
export class L2UnavailableError extends CacheError {
  readonly code = "E_L2_UNAVAILABLE";
  constructor(message: string) {
    super(message);
    this.name = "L2UnavailableError";
  }
}

/** Options given to the cache or an adapter are invalid; the message lists every problem found. */
export class CacheConfigError extends CacheError {
  readonly code = "E_CONFIG";
  constructor(message: string) {
    super(message);
    this.name = "CacheConfigError";
  }
}

/** `cache.namespace(name)` was asked for a namespace the cache was not created with. */
export class UnknownNamespaceError extends CacheError {
  readonly code = "E_UNKNOWN_NAMESPACE";
  constructor(
    readonly namespace: string,
    known: readonly string[],
  ) {
    super(`Unknown cache namespace "${namespace}"; configured namespaces: ${known.join(", ") || "(none)"}`);
    this.name = "UnknownNamespaceError";
  }
}

/** A loader returned, or `set` was given, `undefined`; return `null` to cache an absence. */
export class UndefinedValueError extends CacheError {
  readonly code = "E_UNDEFINED_VALUE";
  constructor(readonly namespace: string) {
    super(`Cannot cache undefined in namespace "${namespace}"; return null to cache an absence`);
    this.name = "UndefinedValueError";
  }
}

/**
 * Throws {@link UndefinedValueError} for `undefined`: the cache uses it to mean "not cached".
 *
 * @example
 * ```ts
 * rejectUndefined(value, "business"); // passes for null
 * ```
 */
export function rejectUndefined(value: unknown, namespace: string): void {
  if (value === undefined) throw new UndefinedValueError(namespace);
}
