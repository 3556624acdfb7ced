import { normalizeE164, parseBusiness, parseBusinessFile, type Business } from "../business.ts";
import { DirectoryInvalidAnswerError, DirectoryTimeoutError, DirectoryUnavailableError } from "../errors.ts";
import type { BusinessDirectory } from "./types.ts";

export interface HttpDirectoryOptions {
  /** Base URL of the business API, e.g. "https://api.example.com/v1" (BUSINESS_API_URL). */
  readonly url: string;
  /** Budget for one request, body included; past it the call throws a DirectoryTimeoutError. */
  readonly timeoutMs: number;
  /** Extra request headers, e.g. an authorization header. */
  readonly headers?: Readonly<Record<string, string>>;
  /** For tests and special runtimes; defaults to the global fetch. */
  readonly fetch?: typeof fetch;
}

/** How messages show the by-number path: the dialled number is caller data and stays out of them. */
const NUMBER_PLACEHOLDER = "{number}";

/**
 * A directory backed by an HTTP business API:
 * - `GET {url}/businesses/by-number/{e164, URL-encoded}` → 200 with one business, or 404 (none);
 * - `GET {url}/businesses` → 200 with `{ "businesses": [ … ] }`.
 * Answers are validated like a business file. A timeout throws a DirectoryTimeoutError, a network
 * failure or a status other than 200/404 a DirectoryUnavailableError, invalid data a
 * DirectoryInvalidAnswerError (all DirectoryErrors, see errors.ts); an aborted `signal` rethrows
 * its reason. No message names the dialled number or the URL's credentials.
 *
 * @example
 * ```ts
 * const directory = httpDirectory({ url: process.env.BUSINESS_API_URL!, timeoutMs: 300 });
 * await directory.byNumber("+15550001111"); // Business | null
 * ```
 */
export function httpDirectory(options: HttpDirectoryOptions): BusinessDirectory {
  const base = options.url.replace(/\/+$/, "");
  const shownBase = withoutCredentials(base);
  const doFetch = options.fetch ?? fetch;
  const headers = { accept: "application/json", ...options.headers };

  /** `shownPath` is `path` as messages may show it; `scrub` cleans text that came from elsewhere. */
  async function getJson(
    path: string,
    shownPath: string,
    scrub: (text: string) => string,
    signal: AbortSignal | undefined,
    allowNotFound: boolean,
  ): Promise<unknown | null> {
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const where = `GET ${shownBase}${shownPath}`;
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, { headers, signal: combined });
    } catch (error) {
      throw failure(error);
    }
    if (allowNotFound && response.status === 404) {
      await response.body?.cancel();
      return null;
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new DirectoryUnavailableError(`Business directory answered ${response.status} to ${where}`, response.status);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw failure(error);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new DirectoryInvalidAnswerError(`Business directory sent invalid JSON to ${where}`);
    }

    // The fetch error itself is not attached: it names the request URL, number and credentials included.
    function failure(error: unknown): unknown {
      if (signal?.aborted) return signal.reason;
      if (timeout.aborted) return new DirectoryTimeoutError(`Business directory did not answer ${where} within ${options.timeoutMs} ms`, options.timeoutMs);
      return new DirectoryUnavailableError(`Business directory could not be reached for ${where}: ${scrub((error as Error).message)}`);
    }
  }

  /** `scrub` also cleans the problems: a bad field's value is quoted in them. */
  function validated<T>(parse: () => T, where: string, scrub: (text: string) => string): T {
    try {
      return parse();
    } catch (error) {
      throw new DirectoryInvalidAnswerError(`Business directory sent invalid data to GET ${where}: ${scrub((error as Error).message)}`);
    }
  }

  const keepText = (text: string) => text.replaceAll(base, shownBase);

  return {
    async byNumber(e164: string, signal?: AbortSignal): Promise<Business | null> {
      const number = normalizeE164(e164);
      if (number === null) return null;
      const encoded = encodeURIComponent(number);
      const path = `/businesses/by-number/${encoded}`;
      const shownPath = `/businesses/by-number/${NUMBER_PLACEHOLDER}`;
      const scrub = (text: string) => keepText(text).replaceAll(encoded, NUMBER_PLACEHOLDER).replaceAll(number, NUMBER_PLACEHOLDER);
      const json = await getJson(path, shownPath, scrub, signal, true);
      if (json === null) return null;
      const where = `${shownBase}${shownPath}`;
      const business = validated(() => parseBusiness(json, where), where, scrub);
      // Speaking as the wrong business is worse than not answering.
      if (!business.phoneNumbers.includes(number)) {
        throw new DirectoryInvalidAnswerError(`Business directory answered GET ${where} with "${business.id}", which does not own the number asked for`);
      }
      return business;
    },
    async all(): Promise<Business[]> {
      const json = await getJson("/businesses", "/businesses", keepText, undefined, false);
      return validated(() => parseBusinessFile(json, `${shownBase}/businesses`), `${shownBase}/businesses`, keepText);
    },
  };
}

/** The URL without user:password, so error messages and logs never carry them. */
function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === "" && parsed.password === "") return url;
    parsed.username = "";
    parsed.password = "";
    return parsed.toString().replace(/\/+$/, "");
  } catch {
    return url;
  }
}
