import { readFile } from "node:fs/promises";
import { parseBusinessFile } from "../business.ts";
import { staticDirectory } from "./static.ts";
import type { BusinessDirectory } from "./types.ts";

/**
 * Reads and validates a business file (DESIGN.md §4) and returns a directory over it. Every
 * problem with the file surfaces here, at start-up, as one Error naming the file: a missing file,
 * broken JSON, or each invalid field of each business (see parseBusinessFile).
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
    throw new Error(`Cannot read business file ${path}: ${(error as Error).message}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`Business file ${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  return staticDirectory(parseBusinessFile(json, path));
}
