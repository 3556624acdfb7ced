import type { NamespaceHandle } from "./handle.ts";
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
