/**
 * The gather webhook's one pass over its body's bytes (form-bytes.ts) must agree with the general
 * path everywhere it answers: the same fields as parseTwilioForm's params, the same signing payload
 * as the validator builds, and, through twilioGatherCheck, the same answer as twilioWebhookCheck
 * for every request, whichever path reads it.
 */
import { describe, expect, test } from "bun:test";
import { formPayloadBytes, readGatherForm } from "../../src/twilio/form-bytes.ts";
import { parseTwilioForm } from "../../src/twilio/form.ts";
import { createSignatureValidator } from "../../src/twilio/signature.ts";
import { twilioGatherCheck, twilioWebhookCheck, type GatherCheck, type TwilioCheck } from "../../src/twilio/webhook.ts";
import { prng } from "../support/prng.ts";
import { expectedSignature } from "../support/twilio-peer.ts";

const encoder = new TextEncoder();
const TWILIO_BODY =
  "AccountSid=AC0123456789abcdef0123456789abcdef&ApiVersion=2010-04-01&CallSid=CA0123456789abcdef0123456789abcdef" +
  "&CallStatus=in-progress&Called=%2B15550001111&Caller=%2B15551234567&Confidence=0.92&Direction=inbound" +
  "&From=%2B15551234567&Language=en-US&SpeechResult=do+you+have+parking%3F&To=%2B15550001111";

/** The payload the validator's text path signs: names and values of the pairs in (name, value) order, repeats dropped. */
function textPayload(pairs: ReadonlyArray<readonly [string, string]>): string {
  const sorted = [...pairs].sort((a, b) => (a[0] !== b[0] ? (a[0] < b[0] ? -1 : 1) : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  let payload = "";
  let previous: readonly [string, string] | undefined;
  for (const pair of sorted) {
    if (previous === undefined || pair[0] !== previous[0] || pair[1] !== previous[1]) payload += pair[0] + pair[1];
    previous = pair;
  }
  return payload;
}

/** Random bodies around what Twilio posts: its names and others, escapes good and bad, non-ASCII, repeats, odd separators. */
function randomBody(random: () => number): string {
  const names = ["CallSid", "To", "SpeechResult", "Digits", "From", "AccountSid", "A", "a", "Zed", "To", "Call+Sid", "C%61llSid", "", "é"];
  const pieces = ["x", "CA1", "%2B1555", "hi+there", "%3F", "%C3%A9", "%e9", "%zz", "%4", "=", "+", "%", "é", "😀", "", "0", "%00", "%7F", "%80"];
  const fields: string[] = [];
  const count = Math.floor(random() * 8);
  for (let i = 0; i < count; i++) {
    const name = names[Math.floor(random() * names.length)]!;
    let value = "";
    for (let j = Math.floor(random() * 3); j > 0; j--) value += pieces[Math.floor(random() * pieces.length)]!;
    const shape = random();
    fields.push(shape < 0.1 ? name : shape < 0.15 ? "" : `${name}=${value}`);
  }
  if (random() < 0.6) fields.sort();
  return (random() < 0.05 ? "\ufeff" : "") + fields.join("&");
}

describe("readGatherForm", () => {
  test("reads a body as Twilio posts it: the turn's fields and the signing payload", () => {
    const bytes = encoder.encode(TWILIO_BODY);
    const form = readGatherForm(bytes)!;
    expect(form).toBeDefined();
    expect([form.callSid, form.to, form.speech, form.digits]).toEqual(["CA0123456789abcdef0123456789abcdef", "+15550001111", "do you have parking?", undefined]);
    const parsed = parseTwilioForm(TWILIO_BODY);
    if (!parsed.ok) throw new Error("the sample body must parse");
    expect(Buffer.from(form.payload).toString("latin1")).toBe(textPayload(parsed.pairs));
  });

  test("wherever it answers, it agrees with parseTwilioForm and the validator's payload; it declines the rest", () => {
    const random = prng(2026);
    let answered = 0;
    let declined = 0;
    for (let n = 0; n < 20_000; n++) {
      const body = randomBody(random);
      const bytes = encoder.encode(body);
      const form = readGatherForm(bytes);
      if (form === undefined) {
        declined++;
        continue;
      }
      answered++;
      // The general path decodes the bytes (a body read here is ASCII, so that cannot fail) and parses them.
      const parsed = parseTwilioForm(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) continue;
      expect([form.callSid, form.to, form.speech, form.digits]).toEqual([parsed.params.CallSid, parsed.params.To, parsed.params.SpeechResult, parsed.params.Digits]);
      const payload = Buffer.from(form.payload).toString("utf8");
      expect(payload).toBe(textPayload(parsed.pairs));
      const into = new Uint8Array(bytes.length);
      const length = formPayloadBytes(bytes, into);
      expect(Buffer.from(into.subarray(0, length)).toString("utf8")).toBe(payload);
    }
    // Both outcomes are exercised.
    expect(answered).toBeGreaterThan(2_000);
    expect(declined).toBeGreaterThan(2_000);
  });

  test("declines what it does not read, so the general path answers it", () => {
    for (const body of ["To=1&CallSid=2", "a=1&a=1", "Call+Sid=1", "C%61llSid=1", "=x", "a=%zz", "a=%C3%A9", "a=é", "a=%4", "\ufeffa=1"]) {
      expect(readGatherForm(encoder.encode(body))).toBeUndefined();
    }
    expect(readGatherForm(encoder.encode(Array.from({ length: 1_001 }, (_, i) => `f${String(i).padStart(4, "0")}=1`).join("&")))).toBeUndefined();
    expect(readGatherForm(encoder.encode(Array.from({ length: 1_000 }, (_, i) => `f${String(i).padStart(4, "0")}=1`).join("&")))).toBeDefined();
  });
});

describe("twilioGatherCheck", () => {
  const token = "gather-check-token-0123456789";
  const base = "https://bot.example.com";
  const url = `${base}/twilio/gather?s=1.AbC`;
  const options = { authToken: token, publicBaseUrl: base };
  const general = twilioWebhookCheck(options);
  const gather = twilioGatherCheck(options);
  const signer = createSignatureValidator(token);

  async function answers(build: () => Request): Promise<[unknown, unknown]> {
    const summary = async (checked: TwilioCheck | GatherCheck) => {
      if (!checked.ok) return { status: checked.response.status, text: await checked.response.text() };
      if ("gather" in checked) return checked.gather;
      const { callSid, to, params } = checked.twilio;
      return { callSid, to, speech: params.SpeechResult ?? "", digits: params.Digits ?? "" };
    };
    return [await summary(await general(build())), await gather(build(), summary)];
  }

  const request = (body: string | Uint8Array<ArrayBuffer>, headers: Record<string, string>, sized = true) => () =>
    new Request("http://127.0.0.1:3000/twilio/gather?s=1.AbC", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...(sized ? { "content-length": String(typeof body === "string" ? Buffer.byteLength(body) : body.length) } : {}), ...headers },
      body,
    });

  test("answers every request as the general check does", async () => {
    const random = prng(7);
    const bodies = [TWILIO_BODY, "CallSid=CA1&To=%2B1", "CallSid=&To=%2B1", "Digits=0&To=%2B1", "CallSid=CA1", "To=1&CallSid=2", "CallSid=CA1&SpeechResult=caf%C3%A9&To=x", "a=%zz&CallSid=CA1&To=x", ""];
    for (let n = 0; n < 300; n++) bodies.push(randomBody(random));
    // Bodies Twilio would post: its fields in order, some of them random.
    for (let n = 0; n < 100; n++) {
      const fields = [["CallSid", `CA${n}`], ["Digits", n % 3 === 0 ? "0" : ""], ["SpeechResult", randomBody(random).replace(/[&=]/g, "")], ["To", "+1555"]].filter(() => random() < 0.9);
      bodies.push(new URLSearchParams(fields).toString());
    }
    let verified = 0;
    let refused = 0;
    for (const body of bodies) {
      const parsed = parseTwilioForm(body);
      const signature = parsed.ok ? expectedSignature(token, url, parsed.pairs) : "AAAAAAAAAAAAAAAAAAAAAAAAAAA=";
      for (const headers of [{ "x-twilio-signature": signature }, { "x-twilio-signature": "AAAAAAAAAAAAAAAAAAAAAAAAAAA=" }, {}] as Record<string, string>[]) {
        for (const sized of [true, false]) {
          const [want, got] = await answers(request(body, headers, sized));
          expect(got).toEqual(want);
          if (typeof got === "object" && got !== null && "callSid" in got) verified++;
          if (typeof got === "object" && got !== null && "status" in got && got.status === 403) refused++;
        }
      }
    }
    expect(verified).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
    // A body that is not UTF-8, one over the limit, and not a form at all.
    for (const build of [
      request(new Uint8Array([0x61, 0x3d, 0xff]), {}),
      request("a=".padEnd(70_000, "x"), {}),
      () => new Request(url, { method: "POST", headers: { "content-type": "text/plain" }, body: "CallSid=CA1&To=1" }),
    ]) {
      const [want, got] = await answers(build);
      expect(got).toEqual(want);
    }
    // The payload signs as the validator's general path would.
    expect(signer.validatePayload(url, readGatherForm(encoder.encode(TWILIO_BODY))!.payload, expectedSignature(token, url, (parseTwilioForm(TWILIO_BODY) as { pairs: [string, string][] }).pairs))).toBe(true);
  });
});
