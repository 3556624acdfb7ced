/**
 * The sample businesses shipped with voxedge: what the server answers for when no
 * BUSINESSES_FILE is set, and the fixtures of the bot's tests. The JSON is part of the module
 * (no file read at run time, so it also works where there is no file system); it is validated on
 * first use like any business file.
 */
import { parseBusinessFile, type Business } from "./business.ts";
import samples from "./sample-businesses.json" with { type: "json" };

let parsed: readonly Business[] | undefined;

/**
 * The validated sample businesses (Bella Pizza, Bright Smile Dental, Riverside Auto Repair).
 * Returns fresh copies, so a caller may change them freely.
 *
 * @example
 * ```ts
 * sampleBusinesses().map((b) => b.phoneNumbers[0]) // ["+15550001111", "+15550002222", "+15550003333"]
 * ```
 */
export function sampleBusinesses(): Business[] {
  parsed ??= parseBusinessFile(samples, "src/bot/sample-businesses.json");
  return structuredClone(parsed) as Business[];
}
