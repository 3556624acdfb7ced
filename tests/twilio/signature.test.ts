import { describe, expect, test } from "bun:test";
import { parse as parseQuery, stringify as stringifyQuery } from "node:querystring";
import { createSignatureValidator, createWebCryptoSignatureValidator } from "../../src/twilio/signature.ts";
import { parseTwilioForm } from "../../src/twilio/form.ts";
import { prng } from "../support/prng.ts";
import { expectedSignature, peerValidate, signedJsonRequest, toLibraryParams } from "../support/twilio-peer.ts";

// The published example: token, URL and fields as Twilio documents them.
const TOKEN = "12345";
const URL_PLAIN = "https://mycompany.com/myapp.php?foo=1&bar=2";
const URL_WITH_PORT = "https://mycompany.com:443/myapp.php?foo=1&bar=2";
const FIELDS = {
  CallSid: "CA1234567890ABCDE",
  Caller: "+14158675309",
  Digits: "1234",
  From: "+14158675309",
  To: "+18005551212",
};
const SIGNATURE_PLAIN = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";
const SIGNATURE_WITH_PORT = "kvajT1Ptam85bY51eRf/AJRuM3w=";

const validator = createSignatureValidator(TOKEN);

describe("known vectors", () => {
  test("sign reproduces the published signatures", () => {
    expect(validator.sign(URL_PLAIN, FIELDS)).toBe(SIGNATURE_PLAIN);
    expect(validator.sign(URL_WITH_PORT, FIELDS)).toBe(SIGNATURE_WITH_PORT);
    expect(expectedSignature(TOKEN, URL_PLAIN, FIELDS)).toBe(SIGNATURE_PLAIN);
  });

  test("either signature is accepted for either form of the URL, as the library does", () => {
    for (const url of [URL_PLAIN, URL_WITH_PORT]) {
      for (const signature of [SIGNATURE_PLAIN, SIGNATURE_WITH_PORT]) {
        expect(validator.validate(url, FIELDS, signature)).toBe(true);
        expect(peerValidate(TOKEN, signature, url, FIELDS)).toBe(true);
      }
    }
  });

  test("all parameter shapes sign the same", () => {
    const pairs = Object.entries(FIELDS) as Array<[string, string]>;
    expect(validator.sign(URL_PLAIN, pairs.reverse())).toBe(SIGNATURE_PLAIN);
    expect(validator.sign(URL_PLAIN, new URLSearchParams(FIELDS))).toBe(SIGNATURE_PLAIN);
  });

  test("Web Crypto gives the same answers", async () => {
    const webCrypto = createWebCryptoSignatureValidator(TOKEN);
    expect(await webCrypto.sign(URL_PLAIN, FIELDS)).toBe(SIGNATURE_PLAIN);
    expect(await webCrypto.validate(URL_PLAIN, FIELDS, SIGNATURE_WITH_PORT)).toBe(true);
    expect(await webCrypto.validate(URL_PLAIN, { ...FIELDS, Digits: "1235" }, SIGNATURE_PLAIN)).toBe(false);
  });
});

describe("rejections", () => {
  test("a signature over another URL", () => {
    const other = expectedSignature(TOKEN, "https://mycompany.com/other.php?foo=1&bar=2", FIELDS);
    expect(validator.validate(URL_PLAIN, FIELDS, other)).toBe(false);
    expect(validator.validate("http://mycompany.com/myapp.php?foo=1&bar=2", FIELDS, SIGNATURE_PLAIN)).toBe(false);
    expect(validator.validate("https://mycompany.com/myapp.php?foo=1&bar=3", FIELDS, SIGNATURE_PLAIN)).toBe(false);
  });

  test("a tampered, added or removed field", () => {
    expect(validator.validate(URL_PLAIN, { ...FIELDS, To: "+18005551213" }, SIGNATURE_PLAIN)).toBe(false);
    expect(validator.validate(URL_PLAIN, { ...FIELDS, Extra: "" }, SIGNATURE_PLAIN)).toBe(false);
    const { Digits: _digits, ...withoutDigits } = FIELDS;
    expect(validator.validate(URL_PLAIN, withoutDigits, SIGNATURE_PLAIN)).toBe(false);
    // Moving text between a name and its value changes nothing in the concatenation, which is how
    // Twilio defines it; the library agrees, so this is accepted by both.
    const shifted = { ...withoutDigits, Digits1: "234" };
    expect(validator.validate(URL_PLAIN, shifted, SIGNATURE_PLAIN)).toBe(peerValidate(TOKEN, SIGNATURE_PLAIN, URL_PLAIN, shifted));
  });

  test("a missing, empty or malformed signature, without throwing", () => {
    for (const signature of [null, undefined, "", " ", SIGNATURE_PLAIN.slice(0, 27), SIGNATURE_PLAIN + "=", SIGNATURE_PLAIN.toLowerCase(), "é".repeat(28), "\ud800".repeat(28)]) {
      expect(validator.validate(URL_PLAIN, FIELDS, signature)).toBe(false);
    }
    // Same length, one character off.
    expect(validator.validate(URL_PLAIN, FIELDS, "S" + SIGNATURE_PLAIN.slice(1))).toBe(false);
  });

  test("a URL that cannot be parsed is rejected, not thrown", () => {
    for (const url of ["", "mycompany.com/myapp.php", "https://[bad/x", "http://exa mple.com/"]) {
      const signature = validator.sign(url, FIELDS);
      // Signed over exactly that text, the first variant still matches; the broken one must not throw.
      expect(validator.validate(url, FIELDS, signature)).toBe(true);
      expect(validator.validate(url, FIELDS, SIGNATURE_PLAIN)).toBe(false);
    }
  });

  test("tokens of any length, non-ASCII fields and bodies of many kilobytes check out as the library says", () => {
    const long = "k".repeat(65) + "é";
    const fields = { CallSid: "CA1", SpeechResult: "¿dónde está el café? 🍕 ".repeat(400), To: "+15550001111" };
    for (const token of [TOKEN, "x".repeat(64), long]) {
      const ours = createSignatureValidator(token);
      const signature = expectedSignature(token, URL_PLAIN, fields);
      expect(peerValidate(token, signature, URL_PLAIN, fields)).toBe(true);
      expect(ours.sign(URL_PLAIN, fields)).toBe(signature);
      expect(ours.validate(URL_PLAIN, fields, signature)).toBe(true);
      // After a big body, a small one still checks out (the scratch space grew, nothing stale remains).
      expect(ours.validate(URL_PLAIN, FIELDS, expectedSignature(token, URL_PLAIN, FIELDS))).toBe(true);
      expect(ours.validate(URL_PLAIN, { ...fields, To: "+15550001112" }, signature)).toBe(false);
    }
  });

  test("an empty auth token is refused at creation", () => {
    expect(() => createSignatureValidator("")).toThrow();
    expect(() => createWebCryptoSignatureValidator("")).toThrow();
  });
});

describe("URL variants the library accepts", () => {
  const cases: Array<{ what: string; requested: string; signed: string }> = [
    { what: "default port added", requested: "https://bot.example.com/twilio/voice", signed: "https://bot.example.com:443/twilio/voice" },
    { what: "default port removed", requested: "http://bot.example.com:80/twilio/voice", signed: "http://bot.example.com/twilio/voice" },
    { what: "non-default port removed", requested: "https://bot.example.com:8443/twilio/voice", signed: "https://bot.example.com/twilio/voice" },
    { what: "normalised query (apostrophe)", requested: "https://bot.example.com/hook?name=O'Brien", signed: "https://bot.example.com/hook?name=O%27Brien" },
    { what: "legacy querystring encoding", requested: "https://bot.example.com/hook?at=a:b,c", signed: "https://bot.example.com/hook?at=a%3Ab%2Cc" },
    { what: "normalised host case and empty path", requested: "https://BOT.Example.com", signed: "https://bot.example.com/" },
  ];
  for (const { what, requested, signed } of cases) {
    test(what, () => {
      const signature = expectedSignature(TOKEN, signed, FIELDS);
      expect(peerValidate(TOKEN, signature, requested, FIELDS)).toBe(true);
      expect(validator.validate(requested, FIELDS, signature)).toBe(true);
    });
  }

  test("wss handshakes: the URL as given and with :443 (where the library would add :80)", () => {
    const requested = "wss://bot.example.com/relay?business=bella";
    expect(validator.validate(requested, {}, expectedSignature(TOKEN, requested, {}))).toBe(true);
    expect(validator.validate(requested, {}, expectedSignature(TOKEN, "wss://bot.example.com:443/relay?business=bella", {}))).toBe(true);
    expect(validator.validate(requested, {}, expectedSignature(TOKEN, "wss://bot.example.com:80/relay?business=bella", {}))).toBe(false);
  });
});

describe("several values for one name", () => {
  const url = "https://bot.example.com/twilio/status";
  const pairs: Array<[string, string]> = [
    ["CallSid", "CA1"],
    ["Tag", "b"],
    ["Tag", "a"],
    ["Tag", "b"],
  ];

  test("each distinct value once, in code-unit order, like the library", () => {
    const signature = expectedSignature(TOKEN, url, pairs);
    expect(validator.sign(url, pairs)).toBe(signature);
    expect(validator.sign(url, { CallSid: "CA1", Tag: ["b", "a", "b"] })).toBe(signature);
    const search = new URLSearchParams();
    for (const [name, value] of pairs) search.append(name, value);
    expect(validator.validate(url, search, signature)).toBe(true);
    expect(validator.validate(url, pairs.slice(0, 2), signature)).toBe(false);
  });
});

describe("JSON bodies (bodySHA256)", () => {
  test("signature and body hash both checked", async () => {
    const request = signedJsonRequest("https://bot.example.com/events?kind=relay", { event: "setup", text: "é & <x>" }, TOKEN);
    const signature = request.headers.get("x-twilio-signature");
    const body = await request.text();
    expect(validator.validateJsonBody(request.url, body, signature)).toBe(true);
    expect(validator.validateJsonBody(request.url, new TextEncoder().encode(body), signature)).toBe(true);
    expect(validator.validateJsonBody(request.url, body + " ", signature)).toBe(false);
    expect(validator.validateJsonBody(request.url, body, SIGNATURE_PLAIN)).toBe(false);
    expect(validator.validateJsonBody(request.url.replace("kind=relay", "kind=other"), body, signature)).toBe(false);
    expect(validator.validateJsonBody("not a url", body, signature)).toBe(false);

    const webCrypto = createWebCryptoSignatureValidator(TOKEN);
    expect(await webCrypto.validateJsonBody(request.url, body, signature)).toBe(true);
    expect(await webCrypto.validateJsonBody(request.url, body + " ", signature)).toBe(false);
  });

  test("a URL without bodySHA256 is rejected", () => {
    const url = "https://bot.example.com/events";
    expect(validator.validateJsonBody(url, "{}", expectedSignature(TOKEN, url, {}))).toBe(false);
  });
});


const PIECES = ["a", "Z", "0", "9", "+", "&", "=", "%", "%20", "%zz", "%2B", " ", "'", "\"", ":", "@", ",", ";", "$", "!", "*", "(", ")", "~", "-", "_", ".", "/", "?", "é", "ß", "日本", "😀", "[", "]", "<", ">"];

interface UrlParts {
  scheme: "http" | "https";
  host: string;
  port: string;
  path: string;
  query: string;
  fragment: string;
}

function renderUrl(parts: UrlParts, port = parts.port): string {
  return `${parts.scheme}://${parts.host}${port}${parts.path}${parts.query}${parts.fragment}`;
}

function legacyQuery(url: string): string {
  const start = url.indexOf("?");
  return start === -1 || start === url.length - 1 ? url : url.slice(0, start + 1) + stringifyQuery(parseQuery(url.slice(start + 1)));
}

function randomCorpus(count: number, seed: number) {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const text = (max: number, pieces = PIECES) => {
    let out = "";
    const length = Math.floor(random() * (max + 1));
    for (let i = 0; i < length; i++) out += pick(pieces);
    return out;
  };
  const safe = PIECES.filter((piece) => !["/", "?", "&", "=", "[", "]"].includes(piece));
  const cases = [];
  for (let i = 0; i < count; i++) {
    const scheme = pick(["http", "https"] as const);
    const parts: UrlParts = {
      scheme,
      host: pick(["bot.example.com", "Bot.Example.COM", "127.0.0.1", "[::1]", "user:pw@bot.example.com"]),
      port: pick(["", "", ":443", ":80", ":8443"]),
      path: "/" + text(3, safe) + pick(["", "/twilio/voice", "/a/./b/../c"]),
      query: pick(["", "?", "?" + text(2, safe) + "=" + text(3, safe) + "&" + text(2, safe) + "=" + text(3, safe), "?x=" + text(6)]),
      fragment: random() < 0.1 ? "#" + text(2, safe) : "",
    };
    const requested = renderUrl(parts);
    const defaultPort = scheme === "https" ? ":443" : ":80";
    let normalised = requested;
    try {
      normalised = new URL(requested).href;
    } catch {
      // Kept as is; the case then checks that both sides reject the normalised variants alike.
    }
    const signedUrl = pick([
      requested,
      requested,
      renderUrl(parts, ""),
      renderUrl(parts, defaultPort),
      normalised,
      legacyQuery(normalised),
      legacyQuery(renderUrl(parts, defaultPort)),
      renderUrl({ ...parts, path: parts.path + "x" }),
    ]);
    const pairs: Array<[string, string]> = [];
    const fieldCount = Math.floor(random() * 8);
    for (let f = 0; f < fieldCount; f++) {
      const name = random() < 0.2 && pairs.length > 0 ? pick(pairs)[0] : pick(["CallSid", "To", "From", "SpeechResult", "Tag"]) + text(2);
      pairs.push([name || "N", random() < 0.15 ? "" : text(6)]);
    }
    cases.push({ requested, signedUrl, pairs });
  }
  return cases;
}

describe("agreement with the official library", () => {
  const corpus = randomCorpus(400, 20240611);

  test("validate agrees with validateRequest on 400 random requests", () => {
    let accepted = 0;
    for (const { requested, signedUrl, pairs } of corpus) {
      const signature = expectedSignature(TOKEN, signedUrl, pairs);
      const ours = validator.validate(requested, pairs, signature);
      const theirs = peerValidate(TOKEN, signature, requested, pairs);
      if (ours !== theirs) throw new Error(`disagree on ${JSON.stringify({ requested, signedUrl, pairs, ours, theirs })}`);
      if (signedUrl === requested) expect(ours).toBe(true);
      if (ours) accepted++;
      // Signed by someone else's token: never accepted.
      expect(validator.validate(requested, pairs, expectedSignature("67890", signedUrl, pairs))).toBe(false);
    }
    // The corpus must exercise both outcomes, or the agreement proves little.
    expect(accepted).toBeGreaterThan(200);
    expect(accepted).toBeLessThan(corpus.length);
  });

  test("record and URLSearchParams shapes agree with pairs", () => {
    for (const { requested, pairs } of corpus) {
      const signature = expectedSignature(TOKEN, requested, pairs);
      const search = new URLSearchParams();
      for (const [name, value] of pairs) search.append(name, value);
      expect(validator.validate(requested, search, signature)).toBe(true);
      const record = toLibraryParams(pairs);
      expect(validator.sign(requested, record)).toBe(signature);
    }
  });

  test("a form body round-trips through parseTwilioForm and still validates", () => {
    for (const { requested, pairs } of corpus) {
      const body = new URLSearchParams(pairs).toString();
      const form = parseTwilioForm(body);
      if (!form.ok) throw new Error(`form refused: ${body}`);
      expect(form.pairs).toEqual(pairs);
      expect(validator.validate(requested, form.pairs, expectedSignature(TOKEN, requested, pairs))).toBe(true);
    }
  });

  test("hashed from the raw body's bytes (ordered fields) or from the text (any order): the same verdicts as the library", () => {
    const random = prng(2014);
    const encoder = new TextEncoder();
    let accepted = 0;
    let checked = 0;
    for (const { requested, signedUrl, pairs } of corpus) {
      // The corpus's own order, sorted as Twilio posts, and with a field repeated.
      const sorted = [...pairs].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
      const repeated = sorted.length > 0 ? [...sorted, sorted[sorted.length - 1]!] : sorted;
      for (const fields of [pairs, sorted, repeated]) {
        // Escaped as URLSearchParams does, or with "%20" for spaces and every letter escaped now and then.
        let body = new URLSearchParams(fields).toString();
        if (random() < 0.3) body = body.replaceAll("+", "%20").replace(/[a-z]/g, (letter) => (random() < 0.2 ? `%${letter.charCodeAt(0).toString(16)}` : letter));
        const form = parseTwilioForm(body);
        if (!form.ok) throw new Error(`form refused: ${body}`);
        const bytes = random() < 0.1 ? encoder.encode(`\ufeff${body}`) : encoder.encode(body);
        const signature = expectedSignature(TOKEN, signedUrl, fields);
        const theirs = peerValidate(TOKEN, signature, requested, fields);
        expect({ body, ours: validator.validate(requested, form.pairs, signature, bytes) }).toEqual({ body, ours: theirs });
        expect(validator.validate(requested, form.pairs, expectedSignature("67890", signedUrl, fields), bytes)).toBe(false);
        checked++;
        if (theirs) accepted++;
      }
    }
    // Both verdicts, many times over, or the agreement proves little.
    expect(accepted).toBeGreaterThan(checked / 3);
    expect(accepted).toBeLessThan(checked);
    // A body that does not hold the fields it claims to is hashed as the body says: no signature over the claimed fields passes.
    const fields: Array<[string, string]> = [["CallSid", "CA1"], ["To", "+15550001111"]];
    expect(validator.validate(URL_PLAIN, fields, expectedSignature(TOKEN, URL_PLAIN, fields), encoder.encode("CallSid=CA2&To=%2B15550001111"))).toBe(false);
  });

  test("Web Crypto validator agrees with the node:crypto one", async () => {
    const webCrypto = createWebCryptoSignatureValidator(TOKEN);
    for (const { requested, signedUrl, pairs } of corpus.slice(0, 150)) {
      const signature = expectedSignature(TOKEN, signedUrl, pairs);
      expect(await webCrypto.validate(requested, pairs, signature)).toBe(validator.validate(requested, pairs, signature));
    }
  });

  test("lone surrogates are hashed as U+FFFD on both sides", () => {
    const pairs: Array<[string, string]> = [["SpeechResult", "a\ud800b"], ["To", "\udc00"]];
    const signature = expectedSignature(TOKEN, URL_PLAIN, pairs);
    expect(validator.sign(URL_PLAIN, pairs)).toBe(signature);
    expect(validator.validate(URL_PLAIN, pairs, signature)).toBe(true);
  });
});
