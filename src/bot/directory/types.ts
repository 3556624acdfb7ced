import type { Business } from "../business.ts";

/**
 * Where the bot learns which business owns a dialled number. Implementations do no caching of
 * their own: the bot reads them through the cache.
 *
 * @example
 * ```ts
 * const directory: BusinessDirectory = await loadFileDirectory("businesses.json");
 * (await directory.byNumber("+15550001111"))?.name // "Bella Pizza"
 * ```
 */
export interface BusinessDirectory {
  /**
   * The business that owns `e164`, or null when none does (or the number is not a phone number).
   * Throws when the directory cannot answer (an HTTP directory that timed out or failed).
   */
  byNumber(e164: string, signal?: AbortSignal): Promise<Business | null>;
  /** Every business: for warming the cache and for admin views. */
  all(): Promise<Business[]>;
}
