import { keyOf, normalizeQuestion } from "./keys.ts";
import type { NamespaceHandle } from "./namespace.ts";
import type { WriteOptions } from "./policy.ts";

export interface CachedOptions<A extends unknown[]> extends WriteOptions {
  /** Builds the key within the namespace from the call's arguments. */
  key: (...args: A) => string;
}

/**
 * Turns an async function into a cached one: calls with the same key share one cached value and
 * concurrent misses run the function once.
 *
 * @example
 * ```ts
 * const lookup = cached(cache.namespace("business"), (number: string) => directory.byNumber(number), { key: (n) => n });
 * await lookup("+15550001111");
 * ```
 */
export function cached<A extends unknown[], V>(
  handle: NamespaceHandle<V>,
  fn: (...args: A) => Promise<V> | V,
  options: CachedOptions<A>,
): (...args: A) => Promise<V> {
  const { key, ...write } = options;
  const writeOptions = Object.keys(write).length > 0 ? write : undefined;
  return (...args: A) => handle.getOrSet(key(...args), () => fn(...args), writeOptions);
}

type HandleSource<This, V> = NamespaceHandle<V> | ((self: This) => NamespaceHandle<V>);

/**
 * A method decorator (standard decorators, as Bun and TypeScript 5+ run them) that caches the
 * method's result in a namespace, keyed from its arguments. The handle may be given directly or
 * read from the instance, so a class can receive its cache by injection.
 *
 * @example
 * ```ts
 * class Directory {
 *   constructor(readonly cache: Cache<"business">) {}
 *   @cachedMethod((self: Directory) => self.cache.namespace("business"), { key: (n: string) => n })
 *   async byNumber(number: string) { ... }
 * }
 * ```
 */
export function cachedMethod<This, A extends unknown[], V>(source: HandleSource<This, V>, options: CachedOptions<A>) {
  const { key, ...write } = options;
  const writeOptions = Object.keys(write).length > 0 ? write : undefined;
  return function decorate(
    target: (this: This, ...args: A) => Promise<V>,
    _context: ClassMethodDecoratorContext<This, (this: This, ...args: A) => Promise<V>>,
  ): (this: This, ...args: A) => Promise<V> {
    return function (this: This, ...args: A): Promise<V> {
      const handle = typeof source === "function" ? source(this) : source;
      return handle.getOrSet(key(...args), () => target.apply(this, args), writeOptions);
    };
  };
}

/** The key of a business lookup: the dialled number with formatting removed (`+1 (555) 000-1111` → `+15550001111`). */
export function businessKey(number: string): string {
  return keyOf(number.replace(/[^\d+]/g, ""));
}

/** The key of a knowledge query: the business and the normalised question, so rephrased spacing and case hit. */
export function knowledgeKey(businessId: string, question: string): string {
  return keyOf(businessId, normalizeQuestion(question));
}

/**
 * Decorates a `(number) => Promise<Business | null>` method as a cached business lookup.
 *
 * @example
 * ```ts
 * class Directory { @businessLookup((self: Directory) => self.businessCache) async byNumber(number: string) { ... } }
 * ```
 */
export function businessLookup<This, V>(source: HandleSource<This, V>, options: WriteOptions = {}) {
  return cachedMethod<This, [number: string, ...rest: unknown[]], V>(source, { ...options, key: (number) => businessKey(number) });
}

/**
 * Decorates a `(businessId, question) => Promise<Answer | null>` method as a cached knowledge query.
 *
 * @example
 * ```ts
 * class Knowledge { @knowledgeQuery((self: Knowledge) => self.knowledgeCache) async answer(businessId: string, question: string) { ... } }
 * ```
 */
export function knowledgeQuery<This, V>(source: HandleSource<This, V>, options: WriteOptions = {}) {
  return cachedMethod<This, [businessId: string, question: string, ...rest: unknown[]], V>(source, {
    ...options,
    key: (businessId, question) => knowledgeKey(businessId, question),
  });
}
