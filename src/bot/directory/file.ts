import { readFile } from "node:fs/promises";
import { parseBusinessFile } from "../business.ts";
import { BusinessFileError } from "../errors.ts";
import { staticDirectory } from "./static.ts";
import type { BusinessDirectory } from "./types.ts";

/**
 * Reads and validates a business file (DESIGN.md §4) and returns a directory over it. Every
 * problem with the file surfaces here, at start-up, as one BusinessFileError (code
 * `E_BUSINESS_FILE`) naming the file: a missing file, broken JSON, or each invalid field of each
 * business (see parseBusinessFile).
 *
 * @example
 * ```ts
 * const directory = await loadFileDirectory(process.env.BUSINESSES_FILE!); // throws → start-up stops
 * ```
 */
export async function loadFileDirectory(path: string): Promise<BusinessDirectory> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const reason = (error as Error).message;
    throw new BusinessFileError(path, [`cannot be read: ${reason}`], `Cannot read business file ${path}: ${reason}`);
  }
  return directoryFromJson(text, path);
}

/**
 * A directory over a business file's content given as text (`BUSINESSES_JSON` on runtimes that
 * cannot read files); `source` names it in errors. Throws one BusinessFileError for broken JSON or
 * every invalid field.
 *
 * @example
 * ```ts
 * const directory = directoryFromJson(env.BUSINESSES_JSON, "BUSINESSES_JSON");
 * ```
 */
export function directoryFromJson(text: string, source: string): BusinessDirectory {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const reason = (error as Error).message;
    throw new BusinessFileError(source, [`is not valid JSON: ${reason}`], `Business file ${source} is not valid JSON: ${reason}`);
  }
  return staticDirectory(parseBusinessFile(json, source));
}
