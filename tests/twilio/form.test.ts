import { afterAll, describe, expect, test } from "bun:test";
import { MAX_FORM_FIELDS, parseTwilioForm, readBodyLimited, readBodyThen, requireFields } from "../../src/twilio/form.ts";
import { createSignatureValidator } from "../../src/twilio/signature.ts";
import { prng } from "../support/prng.ts";
import { signedFormRequest } from "../support/twilio-peer.ts";

const VOICE_BODY =
  "AccountSid=AC0123456789abcdef0123456789abcdef&ApiVersion=2010-04-01&CallSid=CA0123456789abcdef0123456789abcdef" +
  "&CallStatus=ringing&Called=%2B15550001111&Caller=%2B15551234567&CallerName=Ana+Mar%C3%ADa&Direction=inbound" +
  "&From=%2B15551234567&To=%2B15550001111";

describe("parseTwilioForm", () => {
  test("a real voice webhook", () => {
    const form = parseTwilioForm(VOICE_BODY);
    if (!form.ok) throw new Error(form.error);
    expect(form.params.To).toBe("+15550001111");
    expect(form.params.CallerName).toBe("Ana María");
    expect(form.pairs.length).toBe(10);
    expect(form.pairs[0]).toEqual(["AccountSid", "AC0123456789abcdef0123456789abcdef"]);
  });

  test("+ is a space, %2B a plus, = inside a value stays", () => {
    const form = parseTwilioForm("SpeechResult=what+time%3F+1%2B1%3D2&Expr=a=b=c");
    if (!form.ok) throw new Error(form.error);
    expect(form.params.SpeechResult).toBe("what time? 1+1=2");
    expect(form.params.Expr).toBe("a=b=c");
  });

  test("duplicates: params keep the first, pairs keep all", () => {
    const form = parseTwilioForm("Tag=a&CallSid=CA1&Tag=b&Tag=a");
    if (!form.ok) throw new Error(form.error);
    expect(form.params.Tag).toBe("a");
    expect(form.pairs).toEqual([["Tag", "a"], ["CallSid", "CA1"], ["Tag", "b"], ["Tag", "a"]]);
  });

  test("empty segments skipped, a bare name has an empty value, empty body is no fields", () => {
    const form = parseTwilioForm("&&Digits&Confidence=&To=%2B1&");
    if (!form.ok) throw new Error(form.error);
    expect(form.pairs).toEqual([["Digits", ""], ["Confidence", ""], ["To", "+1"]]);
    expect(parseTwilioForm("")).toEqual({ ok: true, params: expect.any(Object), pairs: [] });
  });

  test("field names from Object.prototype are plain fields and pollute nothing", () => {
    const form = parseTwilioForm("__proto__=x&constructor=y&toString=z&hasOwnProperty=w");
    if (!form.ok) throw new Error(form.error);
    expect(form.params["__proto__"]).toBe("x");
    expect(form.params["constructor"] as string).toBe("y");
    expect(Object.keys(form.params)).toEqual(["__proto__", "constructor", "toString", "hasOwnProperty"]);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(typeof Object.prototype.toString).toBe("function");
  });

  test("malformed escapes and non-UTF-8 bytes are a 400, never a throw", () => {
    for (const body of ["a=%", "a=%4", "a=%zz", "a=%G0", "%zz=1", "a=%E9", "a=%C3", "a=%ED%A0%80", "a=%C0%AF", "a=%F4%90%80%80"]) {
      const form = parseTwilioForm(body);
      expect(form).toEqual({ ok: false, status: 400, error: expect.any(String) });
    }
  });

  test("decoding agrees with URLSearchParams-style decoding (+ then decodeURIComponent) on any mix of escapes", () => {
    const random = prng(10);
    const pieces = ["a", "Z", "0", "+", "%", "%2B", "%20", "%7e", "%7F", "%00", "%C3%A9", "%E2%82%AC", "%C3", "%zz", "%4", "é", "€", "=", "&", "CallSid", "To"];
    const reference = (raw: string): string | undefined => {
      try {
        return decodeURIComponent(raw.replaceAll("+", " "));
      } catch {
        return undefined;
      }
    };
    for (let n = 0; n < 5_000; n++) {
      let body = "";
      const count = 1 + Math.floor(random() * 10);
      for (let i = 0; i < count; i++) body += pieces[Math.floor(random() * pieces.length)];
      const form = parseTwilioForm(body);
      const expected: Array<[string, string]> = [];
      let refused = false;
      for (const segment of body.split("&")) {
        if (segment === "") continue;
        const equals = segment.indexOf("=");
        const name = reference(equals === -1 ? segment : segment.slice(0, equals));
        const value = equals === -1 ? "" : reference(segment.slice(equals + 1));
        if (equals === 0 || name === undefined || value === undefined) refused = true;
        else expected.push([name, value]);
      }
      if (refused) expect({ body, ok: form.ok }).toEqual({ body, ok: false });
      else expect({ body, pairs: form.ok ? form.pairs : form.error }).toEqual({ body, pairs: expected });
    }
  });

  test("an empty name is a 400", () => {
    expect(parseTwilioForm("=value&To=1")).toMatchObject({ ok: false, status: 400 });
  });

  test("random garbage never throws", () => {
    let state = 99;
    const random = () => ((state = (Math.imul(state, 48271) + 1) % 2147483647) & 0x7fffffff) / 2147483647;
    const alphabet = ["%", "%2", "%25", "%C3%A9", "%FF", "+", "&", "=", "a", "\u0000", "\ud800", "😀", "é", "\n", "%%", "=&="];
    for (let i = 0; i < 2000; i++) {
      let body = "";
      const length = Math.floor(random() * 20);
      for (let j = 0; j < length; j++) body += alphabet[Math.floor(random() * alphabet.length)];
      const form = parseTwilioForm(body);
      if (form.ok) for (const [name] of form.pairs) expect(name.length).toBeGreaterThan(0);
      else expect(form.status).toBe(400);
    }
  });

  test("size limits count UTF-8 bytes", () => {
    expect(parseTwilioForm("a=" + "x".repeat(70 * 1024))).toMatchObject({ ok: false, status: 413 });
    expect(parseTwilioForm("a=" + "x".repeat(65_534)).ok).toBe(true);
    expect(parseTwilioForm("a=" + "x".repeat(65_535))).toMatchObject({ ok: false, status: 413 });
    // 30 000 "é" are 60 000 bytes: fine. 33 000 are 66 000 bytes: too large, though only 33 000 characters.
    expect(parseTwilioForm("a=" + "é".repeat(30_000)).ok).toBe(true);
    expect(parseTwilioForm("a=" + "é".repeat(33_000))).toMatchObject({ ok: false, status: 413 });
    expect(parseTwilioForm("a=" + "😀".repeat(16_384))).toMatchObject({ ok: false, status: 413 });
    expect(parseTwilioForm("a=xyz", 4)).toMatchObject({ ok: false, status: 413 });
  });

  test("too many fields is a 413", () => {
    expect(parseTwilioForm(Array.from({ length: MAX_FORM_FIELDS }, (_, i) => `f${i}=1`).join("&")).ok).toBe(true);
    expect(parseTwilioForm(Array.from({ length: MAX_FORM_FIELDS + 1 }, (_, i) => `f${i}=1`).join("&"))).toMatchObject({ ok: false, status: 413 });
  });
});

describe("requireFields", () => {
  test("all present", () => {
    const form = parseTwilioForm(VOICE_BODY);
    if (!form.ok) throw new Error(form.error);
    const fields = requireFields(form.params, ["CallSid", "To"]);
    if (!fields.ok) throw new Error(fields.error);
    expect(fields.values).toEqual({ CallSid: "CA0123456789abcdef0123456789abcdef", To: "+15550001111" });
  });

  test("missing or empty fields are named", () => {
    const form = parseTwilioForm("To=&From=%2B1");
    if (!form.ok) throw new Error(form.error);
    const fields = requireFields(form.params, ["CallSid", "To", "From"]);
    expect(fields).toEqual({ ok: false, status: 400, error: "missing required field(s): CallSid, To", missing: ["CallSid", "To"] });
  });

  test("inherited properties do not count as posted", () => {
    expect(requireFields({}, ["constructor", "toString"])).toMatchObject({ ok: false, missing: ["constructor", "toString"] });
  });
});

/** A stream that yields `chunk` forever and counts how often it was asked. */
function endlessStream(chunk: Uint8Array) {
  const counter = { pulls: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      counter.pulls++;
      controller.enqueue(chunk);
    },
    cancel() {
      counter.cancelled = true;
    },
  });
  return { stream, counter };
}

function post(body: BodyInit | null, headers: Record<string, string> = {}): Request {
  return new Request("http://bot.test/twilio/voice", { method: "POST", body, headers });
}

describe("readBodyLimited", () => {
  test("reads a normal body", async () => {
    expect(await readBodyLimited(post(VOICE_BODY), 65_536)).toEqual({ ok: true, text: VOICE_BODY });
  });

  test("no body is empty text", async () => {
    expect(await readBodyLimited(new Request("http://bot.test/", { method: "POST" }), 10)).toEqual({ ok: true, text: "" });
  });

  test("a declared length over the limit is refused without reading", async () => {
    const { stream, counter } = endlessStream(new Uint8Array(1024));
    const request = post(stream, { "content-length": "70000" });
    expect(await readBodyLimited(request, 65_536)).toMatchObject({ ok: false, status: 413 });
    expect(counter.pulls).toBeLessThanOrEqual(1);
  });

  test("a lying Content-Length does not let a large body through", async () => {
    const request = post("x".repeat(70 * 1024), { "content-length": "10" });
    expect(await readBodyLimited(request, 65_536)).toMatchObject({ ok: false, status: 413 });
  });

  test("an endless stream is cut at the limit", async () => {
    const { stream, counter } = endlessStream(new Uint8Array(4096).fill(0x61));
    expect(await readBodyLimited(post(stream), 65_536)).toMatchObject({ ok: false, status: 413 });
    expect(counter.pulls).toBeLessThanOrEqual(20);
    expect(counter.cancelled).toBe(true);
  });

  test("a body exactly at the limit passes; a multi-byte character split across chunks decodes", async () => {
    const bytes = new TextEncoder().encode("Name=Jos%C3%A9&Raw=é");
    const split = bytes.length - 1; // inside the two bytes of the final "é"
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, split));
        controller.enqueue(bytes.slice(split));
        controller.close();
      },
    });
    expect(await readBodyLimited(post(stream), bytes.length)).toEqual({ ok: true, text: "Name=Jos%C3%A9&Raw=é" });
  });

  test("invalid UTF-8 and broken streams are a 400", async () => {
    expect(await readBodyLimited(post(new Uint8Array([0x61, 0x3d, 0xff, 0xfe])), 100)).toMatchObject({ ok: false, status: 400 });
    const broken = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("a=1"));
        controller.error(new Error("connection reset"));
      },
    });
    expect(await readBodyLimited(post(broken), 100)).toMatchObject({ ok: false, status: 400 });
  });

  test("a body already read is a 400", async () => {
    const request = post("a=1");
    await request.text();
    expect(await readBodyLimited(request, 100)).toMatchObject({ ok: false, status: 400 });
  });
});

describe("readBodyThen", () => {
  const sized = (body: string) => post(body, { "content-length": String(Buffer.byteLength(body)) });

  test("hands what readBodyLimited reads to the continuation, refusals included", async () => {
    expect(await readBodyThen(sized("a=1"), 100, (body) => (body.ok ? body.text : body.status))).toBe("a=1");
    expect(await readBodyThen(post("x".repeat(200), { "content-length": "200" }), 100, (body) => (body.ok ? body.text : body.status))).toBe(413);
    const used = sized("a=1");
    await used.text();
    expect(await readBodyThen(used, 100, (body) => (body.ok ? "read" : body.error))).toBe("body was already read");
    expect(await readBodyThen(post(new Uint8Array([0x61, 0xff]), { "content-length": "2" }), 100, (body) => (body.ok ? "read" : body.error))).toBe("body is not valid UTF-8");
  });

  test("a continuation that throws rejects; it is not taken again as a failed read", async () => {
    let calls = 0;
    const thrown = readBodyThen(sized("a=1"), 100, () => {
      calls++;
      throw new Error("handler bug");
    });
    await expect(thrown).rejects.toThrow("handler bug");
    expect(calls).toBe(1);
    const used = sized("a=1");
    await used.text();
    await expect(readBodyThen(used, 100, () => { throw new Error("handler bug"); })).rejects.toThrow("handler bug");
  });
});

describe("over real HTTP", () => {
  const token = "test-token-0123456789";
  const publicBase = "https://bot.example.com";
  const signatures = createSignatureValidator(token);
  // A minimal webhook: limited read, parse, required fields, signature over the configured public URL.
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      const body = await readBodyLimited(request, 65_536);
      if (!body.ok) return new Response(body.error, { status: body.status });
      const form = parseTwilioForm(body.text);
      if (!form.ok) return new Response(form.error, { status: form.status });
      const publicUrl = publicBase + new URL(request.url).pathname + new URL(request.url).search;
      if (!signatures.validate(publicUrl, form.pairs, request.headers.get("x-twilio-signature"))) {
        return new Response("bad signature", { status: 403 });
      }
      const fields = requireFields(form.params, ["CallSid", "To"]);
      if (!fields.ok) return new Response(fields.error, { status: fields.status });
      return new Response(`${fields.values.CallSid} ${fields.values.To}`);
    },
  });
  afterAll(() => server.stop(true));
  const local = (path: string) => `http://127.0.0.1:${server.port}${path}`;

  async function send(signed: Request, path: string, body?: BodyInit): Promise<Response> {
    return fetch(local(path), { method: "POST", headers: signed.headers, body: body ?? (await signed.text()) });
  }

  test("a signed webhook is accepted", async () => {
    const params = { CallSid: "CA42", To: "+15550001111", SpeechResult: "are you open & is there parking?" };
    const signed = signedFormRequest(`${publicBase}/twilio/voice?business=bella`, params, token);
    const answer = await send(signed, "/twilio/voice?business=bella");
    expect(answer.status).toBe(200);
    expect(await answer.text()).toBe("CA42 +15550001111");
  });

  test("tampered body, missing field, huge chunked body", async () => {
    const signed = signedFormRequest(`${publicBase}/twilio/voice`, { CallSid: "CA42", To: "+15550001111" }, token);
    const tampered = await send(signed.clone(), "/twilio/voice", "CallSid=CA42&To=%2B15550002222");
    expect(tampered.status).toBe(403);

    const noTo = signedFormRequest(`${publicBase}/twilio/voice`, { CallSid: "CA42" }, token);
    const missing = await send(noTo, "/twilio/voice");
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain("To");

    let sent = 0;
    const huge = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 70 * 1024) return controller.close();
        sent += 8192;
        controller.enqueue(new Uint8Array(8192).fill(0x61));
      },
    });
    const tooLarge = await fetch(local("/twilio/voice"), { method: "POST", body: huge, headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(tooLarge.status).toBe(413);
  });
});
