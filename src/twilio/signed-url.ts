/**
 * The URLs a Twilio signature may have been computed over. Twilio signs the URL it requested; the
 * official library also accepts it with and without the default port (`:443`, `:80`) and with its
 * query re-encoded the legacy way, so a validator tries those variants too — the URL exactly as
 * configured first, so nearly every real webhook costs one HMAC. Also the `bodySHA256` parameter
 * of JSON webhooks, and a loader for built-in `node:` modules that runtimes without them survive.
 */
type NodeQuerystring = typeof import("node:querystring");

/**
 * Tries the URL variants the library accepts and stops at the first match. Which one matches does
 * not change the answer, so the URL exactly as given goes first: it is one of the two port variants
 * (without a port it is the one without; with any port, the one with), and every real webhook
 * matches it, so a check costs one HMAC and builds no other URL. The other port variant and the
 * normalised ones (which parse the URL) are built only when it fails.
 */
export function someUrlVariant<Payload>(url: string, payload: Payload, matches: (candidateUrl: string, payload: Payload) => boolean): boolean {
  if (matches(url, payload)) return true;
  const withoutPort = removePort(url);
  const withPort = addDefaultPort(url);
  const second = url === withPort ? withoutPort : withPort;
  if (second !== url && matches(second, payload)) return true;
  const normalised = normalisedVariants(url);
  for (let i = 0; i < normalised.length; i++) {
    const candidate = normalised[i]!;
    if (candidate === withoutPort || candidate === withPort || normalised.indexOf(candidate) < i) continue;
    if (matches(candidate, payload)) return true;
  }
  return false;
}

/** Every accepted variant of `url`, in the order tried (may repeat; callers skip repeats). */
export function* urlVariants(url: string): Generator<string> {
  yield removePort(url);
  yield addDefaultPort(url);
  yield* normalisedVariants(url);
}

/**
 * The URL as `new URL()` prints it, with and without the default port, each also with its query
 * re-encoded the legacy way. Empty when the URL does not parse (such a URL cannot be valid).
 */
function normalisedVariants(url: string): string[] {
  let normalised: string;
  try {
    normalised = new URL(url).href;
  } catch {
    return [];
  }
  const withoutPort = removePort(normalised);
  const withPort = addDefaultPort(normalised);
  return [withoutPort, withPort, legacyQuery(withoutPort), legacyQuery(withPort)];
}

/** Index just past `scheme://`, or -1 when the URL does not start with one. */
function authorityStart(url: string): number {
  if (!isAsciiLetter(url.charCodeAt(0))) return -1;
  let i = 1;
  while (i < url.length && isSchemeChar(url.charCodeAt(i))) i++;
  return url.startsWith("://", i) ? i + 3 : -1;
}

/** Index of the first `/`, `?` or `#` at or after `from`, or the URL's length. */
function authorityEnd(url: string, from: number): number {
  let i = from;
  while (i < url.length) {
    const code = url.charCodeAt(i);
    if (code === 0x2f || code === 0x3f || code === 0x23) break;
    i++;
  }
  return i;
}

/** Index of the `:` that starts the port (after any user info and IPv6 brackets), or -1. */
function portColon(url: string, start: number, end: number): number {
  let hostStart = start;
  for (let i = end - 1; i >= start; i--) {
    if (url.charCodeAt(i) === 0x40) {
      hostStart = i + 1;
      break;
    }
  }
  let searchFrom = hostStart;
  for (let i = end - 1; i >= hostStart; i--) {
    if (url.charCodeAt(i) === 0x5d) {
      searchFrom = i + 1;
      break;
    }
  }
  const colon = url.indexOf(":", searchFrom);
  return colon !== -1 && colon < end ? colon : -1;
}

function removePort(url: string): string {
  const start = authorityStart(url);
  if (start === -1) return url;
  const end = authorityEnd(url, start);
  const colon = portColon(url, start, end);
  return colon === -1 ? url : url.slice(0, colon) + url.slice(end);
}

function addDefaultPort(url: string): string {
  const start = authorityStart(url);
  if (start === -1) return url;
  const end = authorityEnd(url, start);
  if (portColon(url, start, end) !== -1) return url;
  const scheme = url.slice(0, start).toLowerCase();
  const port = scheme === "https://" || scheme === "wss://" ? ":443" : ":80";
  return url.slice(0, end) + port + url.slice(end);
}

/** The query re-encoded by Node's legacy `querystring` (parse then stringify), as the library does. */
function legacyQuery(url: string): string {
  const queryStart = url.indexOf("?");
  if (queryStart === -1 || queryStart === url.length - 1) return url;
  const querystring = builtinModule<NodeQuerystring>("node:querystring");
  // Without node:querystring this variant cannot be reproduced; the other variants still apply.
  if (!querystring) return url;
  try {
    return url.slice(0, queryStart + 1) + querystring.stringify(querystring.parse(url.slice(queryStart + 1)));
  } catch {
    return url;
  }
}

/** The decoded `bodySHA256` query value ("" when absent), or undefined when the URL does not parse. */
export function bodyHashParam(url: string): string | undefined {
  try {
    return new URL(url).searchParams.get("bodySHA256") ?? "";
  } catch {
    return undefined;
  }
}


function isAsciiLetter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

function isSchemeChar(code: number): boolean {
  return isAsciiLetter(code) || (code >= 0x30 && code <= 0x39) || code === 0x2b || code === 0x2e || code === 0x2d;
}

/** A built-in `node:` module without a static import, so runtimes lacking it can still load this file. */
export function builtinModule<T>(id: string): T | undefined {
  const host = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    return host?.getBuiltinModule?.(id) as T | undefined;
  } catch {
    return undefined;
  }
}
