/**
 * The webhook middleware takes exactly `application/x-www-form-urlencoded` (any case), optionally
 * followed by `;` parameters; anything that merely starts with it is refused with 415 before the
 * body is read. Requests are signed by the official `twilio` package, so a refusal can only come
 * from the content type.
 */
import { describe, expect, test } from "bun:test";
import { Hono } from "hono";
import { twilioWebhook, type TwilioVariables } from "../../src/twilio/webhook.ts";
import { callFields, signedFormRequest } from "../support/twilio-peer.ts";

const TOKEN = "content-type-token-0123456789";
const URL_BASE = "https://voice.example.com";

const app = new Hono<{ Variables: TwilioVariables }>();
app.post("/twilio/voice", twilioWebhook({ authToken: TOKEN, publicBaseUrl: URL_BASE }), (c) => c.text(c.var.twilio.callSid));

async function post(contentType: string | null): Promise<{ status: number; text: string }> {
  const signed = signedFormRequest(`${URL_BASE}/twilio/voice`, callFields(`CA${"c".repeat(32)}`), TOKEN);
  const headers = new Headers(signed.headers);
  if (contentType === null) headers.delete("content-type");
  else headers.set("content-type", contentType);
  const res = await app.request(new Request(signed.url, { method: "POST", headers, body: await signed.text() }));
  return { status: res.status, text: await res.text() };
}

describe("webhook content type", () => {
  for (const accepted of [
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=utf-8",
    "application/x-www-form-urlencoded;charset=UTF-8",
    "APPLICATION/X-WWW-FORM-URLENCODED; Charset=utf-8",
    "application/x-www-form-urlencoded ; charset=utf-8",
  ]) {
    test(`accepted: ${accepted}`, async () => {
      expect(await post(accepted)).toEqual({ status: 200, text: `CA${"c".repeat(32)}` });
    });
  }

  for (const refused of [
    "application/x-www-form-urlencodedXYZ",
    "application/x-www-form-urlencoded-v2",
    "application/x-www-form-urlencoded charset=utf-8",
    "xapplication/x-www-form-urlencoded",
    "application/json",
    "multipart/form-data; boundary=application/x-www-form-urlencoded",
    "",
    null,
  ]) {
    test(`refused with 415: ${JSON.stringify(refused)}`, async () => {
      const res = await post(refused);
      expect(res.status).toBe(415);
      expect(res.text).toContain("application/x-www-form-urlencoded");
    });
  }
});
