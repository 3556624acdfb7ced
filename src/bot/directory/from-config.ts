import type { Config } from "../../config.ts";
import { httpDirectory } from "./http.ts";
import { directoryFromJson, loadFileDirectory } from "./file.ts";
import { sampleDirectory } from "./sample.ts";
import type { BusinessDirectory } from "./types.ts";

/**
 * The directory the configuration asks for: a business file, a business file's content
 * (`BUSINESSES_JSON`, for runtimes that cannot read files), an HTTP directory, or the sample
 * businesses shipped with the product. A bad business file throws, naming the file, the business
 * and the field, so start-up stops.
 *
 * @example
 * ```ts
 * const directory = await loadDirectory(loadConfig(process.env));
 * directory.kind; // "sample"
 * ```
 */
export async function loadDirectory(config: Pick<Config, "BUSINESSES_FILE" | "BUSINESSES_JSON" | "BUSINESS_API_URL" | "BUSINESS_API_TIMEOUT_MS">): Promise<
  BusinessDirectory & { kind: "file" | "json" | "http" | "sample" }
> {
  if (config.BUSINESSES_FILE) return Object.assign(await loadFileDirectory(config.BUSINESSES_FILE), { kind: "file" as const });
  if (config.BUSINESSES_JSON) return Object.assign(directoryFromJson(config.BUSINESSES_JSON, "BUSINESSES_JSON"), { kind: "json" as const });
  if (config.BUSINESS_API_URL) {
    return Object.assign(httpDirectory({ url: config.BUSINESS_API_URL, timeoutMs: config.BUSINESS_API_TIMEOUT_MS }), { kind: "http" as const });
  }
  return Object.assign(sampleDirectory(), { kind: "sample" as const });
}
