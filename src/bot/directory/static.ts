import type { Business } from "../business.ts";
import { normalizeE164 } from "../business.ts";
import type { BusinessDirectory } from "./types.ts";

/**
 * A directory over a fixed, already validated list of businesses, indexed by phone number once.
 * The file and sample directories are built on it.
 *
 * @example
 * ```ts
 * const directory = staticDirectory(sampleBusinesses());
 * await directory.byNumber("+1 (555) 000-1111") // Bella Pizza
 * ```
 */
export function staticDirectory(businesses: readonly Business[]): BusinessDirectory {
  const byNumber = new Map<string, Business>();
  for (const business of businesses) {
    for (const number of business.phoneNumbers) byNumber.set(number, business);
  }
  const list = [...businesses];
  return {
    byNumber(e164: string): Promise<Business | null> {
      const number = normalizeE164(e164);
      return Promise.resolve(number === null ? null : (byNumber.get(number) ?? null));
    },
    all(): Promise<Business[]> {
      return Promise.resolve([...list]);
    },
  };
}
