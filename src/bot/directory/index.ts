/** Business directories: where the bot learns which business owns a dialled number. */
export type { BusinessDirectory } from "./types.ts";
export { staticDirectory } from "./static.ts";
export { loadFileDirectory } from "./file.ts";
export { httpDirectory, type HttpDirectoryOptions } from "./http.ts";
export { sampleDirectory } from "./sample.ts";
export {
  DirectoryError,
  DirectoryInvalidAnswerError,
  DirectoryTimeoutError,
  DirectoryUnavailableError,
  type BotErrorCode,
} from "../errors.ts";
