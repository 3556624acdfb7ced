/**
 * The listening reply (`<Gather>` around a `<Say>`, then `<Redirect>`) is rendered once per
 * business and the reply is escaped into it: every turn must still match what the official
 * library builds for the same verbs, whatever the reply holds.
 */
import { expect, test } from "bun:test";
import { createApp } from "../../src/app.ts";
import { parseBusinessFile } from "../../src/bot/business.ts";
import { staticDirectory } from "../../src/bot/directory/index.ts";
import { botNamespaces } from "../../src/bot/namespaces.ts";
import { createCache } from "../../src/cache/index.ts";
import { loadConfig } from "../../src/config.ts";
import { createLog } from "../../src/log.ts";
import { VoiceResponse } from "../support/twilio-peer.ts";
import { findElement, parseXml, type XmlElement } from "../support/xml-tree.ts";

const BASE = "https://bot.example.com";
const businesses = parseBusinessFile(
  {
    businesses: [
      {
        id: "tom-jerry",
        name: "Tom & Jerry's <Diner>",
        phoneNumbers: ["+15550008888"],
        voice: "Polly.Amy-Neural",
        language: "en-GB",
        greeting: 'Welcome to Tom & Jerry\'s "<Diner>". How can I help?',
        faqs: [
          { question: "do you have parking", answer: "Park at the back & front; <free> after 6 \"pm\".", keywords: ["parking", "car & bike"] },
          { question: "do you deliver", answer: "\u0001\u0002", keywords: ["delivery"] },
        ],
      },
    ],
  },
  "inline",
);

/** The library's listening document, with the action `doc` gave (its query, the call's state, is ours to write). */
function expected(text: string, doc: XmlElement): string {
  const action = findElement(doc, "Gather")?.attributes.action ?? "";
  // Without an auth token the state carries an HMAC of its own after a second dot.
  expect(action).toMatch(/^https:\/\/bot\.example\.com\/twilio\/gather\?s=1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{16}$/);
  const twiml = new VoiceResponse();
  const gather = twiml.gather({ input: ["dtmf", "speech"], numDigits: 1, action, method: "POST", speechTimeout: "auto", language: "en-GB", hints: "parking, car & bike, delivery" });
  gather.say({ voice: "Polly.Amy-Neural" as never, language: "en-GB" }, text);
  twiml.redirect({ method: "POST" }, action);
  return twiml.toString();
}

test("greeting and answers with XML specials, and an answer escaping leaves empty, match the library's TwiML", async () => {
  const cache = createCache({ namespaces: botNamespaces({ sessionTtlMs: 60_000, hasL2: false }) });
  const app = createApp({ config: loadConfig({ PUBLIC_BASE_URL: BASE }), cache, directory: staticDirectory(businesses), log: createLog("error"), version: "test" });
  const post = async (path: string, fields: Record<string, string>) => {
    const response = await app.request(path, {
      method: "POST",
      body: new URLSearchParams({ CallSid: "CA1", To: "+15550008888", From: "+14155550100", ...fields }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(response.status).toBe(200);
    return response.text();
  };
  for (let round = 0; round < 2; round++) {
    const greeting = parseXml(await post("/twilio/voice", {}));
    expect(greeting).toEqual(parseXml(expected('Welcome to Tom & Jerry\'s "<Diner>". How can I help?', greeting)));
    const answer = parseXml(await post("/twilio/gather", { SpeechResult: "do you have parking" }));
    expect(answer).toEqual(parseXml(expected('Park at the back & front; <free> after 6 "pm".', answer)));
  }
  // Characters XML forbids are dropped, which leaves an empty <Say/>, as the full builder writes it.
  const empty = await post("/twilio/gather", { SpeechResult: "do you deliver" });
  expect(empty).toContain('<Say voice="Polly.Amy-Neural" language="en-GB"/>');
  await cache.close();
});
