/**
 * The errors of the bot's business data: a business file that cannot be used, and a business
 * directory that cannot answer. Each class has a stable `code`, so callers tell them apart with
 * `instanceof` or by `code` (logs, metrics) without reading messages.
 *
 * Messages never carry a secret or caller data: directory URLs are shown without credentials,
 * the dialled number is written as `{number}`, and no fetch error is attached as `cause` (it
 * names the full request URL).
 *
 * @example
 * ```ts
 * try {
 *   await directory.byNumber(to);
 * } catch (error) {
 *   if (error instanceof DirectoryTimeoutError) log("warn", "directory slow", { code: error.code });
 * }
 * ```
 */

/** Every code a bot error can have. */
export type BotErrorCode = BusinessFileError["code"] | DirectoryError["code"];

/**
 * What every error of the bot's business data shares: a stable `code`.
 *
 * @example if (error instanceof BotError) log("error", "business data", { code: error.code });
 */
export abstract class BotError extends Error {
  abstract readonly code: string;
}

/**
 * A business file (or a directory answer) that cannot be used: the file is missing or
 * unreadable, is not JSON, or does not validate. `problems` lists every problem, `source` names
 * the file or the request.
 *
 * @example
 * ```ts
 * try { await loadFileDirectory("businesses.json"); }
 * catch (error) { if (error instanceof BusinessFileError) console.error(error.problems.join("\n")); }
 * ```
 */
export class BusinessFileError extends BotError {
  override readonly name = "BusinessFileError";
  readonly code = "E_BUSINESS_FILE";

  /** `message` replaces the default "Invalid business data in …" headline, e.g. for an unreadable file. */
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
    message?: string,
  ) {
    super(
      message ??
        `Invalid business data in ${source} (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n  ${problems.join("\n  ")}`,
    );
  }
}

/**
 * The business directory could not give an answer. `status` is the HTTP status when there was
 * one. The caller decides what to tell the person on the phone; the subclasses say why.
 *
 * @example if (error instanceof DirectoryError) return politeGoodbye();
 */
export abstract class DirectoryError extends BotError {
  abstract override readonly code: "E_DIRECTORY_UNAVAILABLE" | "E_DIRECTORY_TIMEOUT" | "E_DIRECTORY_INVALID_ANSWER";

  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/**
 * The directory could not be reached, or answered with an error status (`status`).
 *
 * @example new DirectoryUnavailableError("Business directory answered 503 to GET …", 503).code // "E_DIRECTORY_UNAVAILABLE"
 */
export class DirectoryUnavailableError extends DirectoryError {
  override readonly name = "DirectoryUnavailableError";
  readonly code = "E_DIRECTORY_UNAVAILABLE";
}

/**
 * The directory did not answer (body included) within `timeoutMs`.
 *
 * @example new DirectoryTimeoutError("Business directory did not answer … within 300 ms", 300).code // "E_DIRECTORY_TIMEOUT"
 */
export class DirectoryTimeoutError extends DirectoryError {
  override readonly name = "DirectoryTimeoutError";
  readonly code = "E_DIRECTORY_TIMEOUT";

  constructor(
    message: string,
    readonly timeoutMs: number,
  ) {
    super(message);
  }
}

/**
 * The directory answered 200 with something that is not valid business data: not JSON, a
 * business that does not validate, or one that does not own the number asked for.
 *
 * @example new DirectoryInvalidAnswerError("Business directory sent invalid JSON to GET …").status // 200
 */
export class DirectoryInvalidAnswerError extends DirectoryError {
  override readonly name = "DirectoryInvalidAnswerError";
  readonly code = "E_DIRECTORY_INVALID_ANSWER";

  constructor(message: string) {
    super(message, 200);
  }
}
