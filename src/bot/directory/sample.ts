import { sampleBusinesses } from "../sample-businesses.ts";
import { staticDirectory } from "./static.ts";
import type { BusinessDirectory } from "./types.ts";

/**
 * A directory of the shipped sample businesses: what the server runs on without BUSINESSES_FILE.
 *
 * @example
 * ```ts
 * (await sampleDirectory().byNumber("+15550003333"))?.id // "riverside-auto"
 * ```
 */
export function sampleDirectory(): BusinessDirectory {
  return staticDirectory(sampleBusinesses());
}
