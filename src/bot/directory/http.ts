import { normalizeE164, parseBusiness, parseBusinessFile, type Business } from "../business.ts";
import type { BusinessDirectory } from "./types.ts";

export interface HttpDirectoryOptions {
  /** Base URL of the business API, e.g. "https://api.example.com/v1" (BUSINESS_API_URL). */
  readonly url: string;
  /** Budget for one request, body included; past it the call throws a DirectoryError. */
  readonly timeoutMs: number;
  /** Extra request headers, e.g. an authorization header. */
  readonly headers?: Readonly<Record<string, string>>;
  /** For tests and special runtimes; defaults to the global fetch. */
  readonly fetch?: typeof fetch;
}

/**
 * The business API could not give an answer: it timed out, could not be reached, answered with an
 * error status, or sent something that is not valid business data. `status` is the HTTP status
 * when there was one. The caller decides what to tell the person on the phone.
 */
export class DirectoryError extends Error {
  override readonly name = "DirectoryError";
  constructor(
    message: string,
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * A directory backed by an HTTP business API:
 * - `GET {url}/businesses/by-number/{e164, URL-encoded}` → 200 with one business, or 404 (none);
 * - `GET {url}/businesses` → 200 with `{ "businesses": [ … ] }`.
 * Answers are validated like a business file. A timeout, a network failure, a status other than
 * 200/404 or invalid data throws a DirectoryError; an aborted `signal` rethrows its reason.
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

  async function getJson(path: string, signal: AbortSignal | undefined, allowNotFound: boolean): Promise<unknown | null> {
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const where = `GET ${shownBase}${path}`;
    try {
      const response = await doFetch(`${base}${path}`, { headers, signal: combined });
      if (allowNotFound && response.status === 404) {
        await response.body?.cancel();
        return null;
      }
      if (response.status !== 200) {
        await response.body?.cancel();
        throw new DirectoryError(`Business directory answered ${response.status} to ${where}`, response.status);
      }
      const text = await response.text();
      try {
        return JSON.parse(text) as unknown;
      } catch (error) {
        throw new DirectoryError(`Business directory sent invalid JSON to ${where}`, 200, { cause: error });
      }
    } catch (error) {
      if (error instanceof DirectoryError) throw error;
      if (signal?.aborted) throw signal.reason;
      if (timeout.aborted) throw new DirectoryError(`Business directory did not answer ${where} within ${options.timeoutMs} ms`, undefined, { cause: error });
      throw new DirectoryError(`Business directory could not be reached for ${where}: ${(error as Error).message}`, undefined, { cause: error });
    }
  }

  function validated<T>(parse: () => T, where: string): T {
    try {
      return parse();
    } catch (error) {
      throw new DirectoryError(`Business directory sent invalid data to GET ${where}: ${(error as Error).message}`, 200, { cause: error });
    }
  }

  return {
    async byNumber(e164: string, signal?: AbortSignal): Promise<Business | null> {
      const number = normalizeE164(e164);
      if (number === null) return null;
      const path = `/businesses/by-number/${encodeURIComponent(number)}`;
      const json = await getJson(path, signal, true);
      if (json === null) return null;
      const business = validated(() => parseBusiness(json, `${shownBase}${path}`), `${shownBase}${path}`);
      // Speaking as the wrong business is worse than not answering.
      if (!business.phoneNumbers.includes(number)) {
        throw new DirectoryError(`Business directory answered GET ${shownBase}${path} with "${business.id}", which does not own ${number}`, 200);
      }
      return business;
    },
    async all(): Promise<Business[]> {
      const json = await getJson("/businesses", undefined, false);
      return validated(() => parseBusinessFile(json, `${shownBase}/businesses`), `${shownBase}/businesses`);
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
