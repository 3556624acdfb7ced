/** Business directories: where the bot learns which business owns a dialled number. */
export type { BusinessDirectory } from "./types.ts";
export { staticDirectory } from "./static.ts";
export { loadFileDirectory } from "./file.ts";
export { httpDirectory, DirectoryError, type HttpDirectoryOptions } from "./http.ts";
export { sampleDirectory } from "./sample.ts";
