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
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const reason = (error as Error).message;
    throw new BusinessFileError(path, [`is not valid JSON: ${reason}`], `Business file ${path} is not valid JSON: ${reason}`);
  }
  return staticDirectory(parseBusinessFile(json, path));
}
