/**
 * Turns through `POST /twilio/gather` of the real app (file directory, memory cache, signatures
 * on): the clarifying question between close FAQs and the caller's answer to it, and keypad
 * input. Webhooks are signed and the expected TwiML built by the official `twilio` package.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Hono } from "hono";
import { createApp } from "../../src/app.ts";
import { loadFileDirectory } from "../../src/bot/directory/index.ts";
import { botNamespaces } from "../../src/bot/namespaces.ts";
import { createCache, memoryL2, type Cache } from "../../src/cache/index.ts";
import { loadConfig } from "../../src/config.ts";
import { createLog } from "../../src/log.ts";
import type { BotNamespace } from "../../src/bot/lookups.ts";
import { callFields, signedFormRequest, VoiceResponse } from "../support/twilio-peer.ts";
import { findElement, parseXml, textOf, type XmlElement } from "../support/xml-tree.ts";

const TOKEN = "gather-turns-token-0123456789";
const BASE = "https://bot.example.com";
const SALON = "+15550404040";
const HINTS = "women, ladies, men, gents, children, kids, parking, park";

/** The three haircut FAQs of the fixture: the topic the bot says, a word that names each, and its answer's price. */
const CUTS = [
  { topic: "a women's haircut", word: "women", price: "$65" },
  { topic: "our men's cut", word: "men", price: "$35" },
  { topic: "a children's haircut", word: "kids", price: "$20" },
];

let app: Hono;
let cache: Cache<BotNamespace>;
let sid = 0;

beforeAll(async () => {
  cache = createCache({ l2: memoryL2(), namespaces: botNamespaces({ sessionTtlMs: 60_000, hasL2: true }) });
  app = createApp({
    config: loadConfig({ TWILIO_AUTH_TOKEN: TOKEN, PUBLIC_BASE_URL: BASE }),
    cache,
    directory: await loadFileDirectory("tests/fixtures/businesses/salon.json"),
    log: createLog("error"),
    version: "test",
  });
});
afterAll(async () => {
  await cache.close();
});

async function post(path: string, fields: Record<string, string>): Promise<string> {
  const res = await app.request(signedFormRequest(`${BASE}${path}`, fields, TOKEN));
  expect(res.status).toBe(200);
  return res.text();
}

/** The URL a reply tells Twilio to post the next turn to (its `<Gather action>`, which carries the call's state). */
const actionOf = (doc: XmlElement) => findElement(doc, "Gather")?.attributes.action;

/** A new call to the salon; `say` posts one gather turn to the action the previous reply gave, as Twilio does, and returns the reply. */
async function newCall() {
  const callSid = `CAgather${sid++}`;
  let next = actionOf(parseXml(await post("/twilio/voice", callFields(callSid, {}, { to: SALON }))))!;
  const turn = async (fields: Record<string, string>) => {
    const doc = parseXml(await post(next.slice(BASE.length), callFields(callSid, fields, { to: SALON })));
    next = actionOf(doc) ?? next;
    return doc;
  };
  return {
    say: (speech: string) => turn({ SpeechResult: speech }),
    press: (digits: string) => turn({ Digits: digits }),
  };
}

const spoken = (doc: XmlElement) => textOf(findElement(doc, "Say"));

/**
 * The reply as Twilio's library renders a listening turn: speech or one key. The action is the one
 * `doc` gave (its query is the call's state, ours to write), checked to be the gather URL with a state.
 */
function listening(text: string, doc: XmlElement): string {
  const action = actionOf(doc) ?? "";
  expect(action).toMatch(/^https:\/\/bot\.example\.com\/twilio\/gather\?s=1\.[A-Za-z0-9_-]+$/);
  const reference = new VoiceResponse();
  reference
    .gather({ input: ["dtmf", "speech"], numDigits: 1, action, method: "POST", speechTimeout: "auto", language: "en-US", hints: HINTS })
    .say({ voice: "Polly.Joanna-Neural", language: "en-US" }, text);
  reference.redirect({ method: "POST" }, action);
  return reference.toString();
}

/** Asks the ambiguous question and returns the two haircut FAQs offered, in the order said. */
async function clarified(call: Awaited<ReturnType<typeof newCall>>) {
  const doc = await call.say("how much is a haircut");
  const question = spoken(doc);
  const match = /^Do you mean (.+) or (.+)\?$/.exec(question);
  expect(match).not.toBeNull();
  const first = CUTS.find((cut) => cut.topic === match![1]);
  const second = CUTS.find((cut) => cut.topic === match![2]);
  expect(first).toBeDefined();
  expect(second).toBeDefined();
  expect(first).not.toBe(second);
  expect(doc).toEqual(parseXml(listening(question, doc)));
  return { first: first!, second: second! };
}

describe("the clarifying question between close FAQs", () => {
  test("two strong, close FAQs: the bot asks which one, by topic (the owner's topic field when given)", async () => {
    // clarified() checks each topic said is one of CUTS: the men's FAQ's `topic` ("our men's cut"),
    // the others derived from their questions ("How much is a women's haircut?" → "a women's haircut").
    const call = await newCall();
    const { first, second } = await clarified(call);
    expect(first.price).not.toBe(second.price);
  });

  test("the answer naming one of them gets that FAQ's answer", async () => {
    const call = await newCall();
    const { second } = await clarified(call);
    const answer = await call.say(`the ${second.word} one please`);
    expect(spoken(answer)).toContain(second.price);
  });

  test("the second one, or both", async () => {
    const call = await newCall();
    const { second } = await clarified(call);
    expect(spoken(await call.say("the second one"))).toContain(second.price);

    const again = await newCall();
    const offered = await clarified(again);
    const both = spoken(await again.say("both please"));
    expect(both).toContain(offered.first.price);
    expect(both).toContain(offered.second.price);
  });

  test("an answer that names neither is handled as a new question", async () => {
    const call = await newCall();
    await clarified(call);
    expect(spoken(await call.say("actually do you have parking"))).toBe("There is free parking in the lot behind the studio.");
  });

  test("the choice holds for the next turn only", async () => {
    const call = await newCall();
    await clarified(call);
    await call.say("do you have parking");
    expect(spoken(await call.say("the second one"))).toStartWith("I'm not sure about that one.");
  });
});

describe("keypad input in gather mode", () => {
  test("0 puts the caller through to a person", async () => {
    const call = await newCall();
    const doc = await call.press("0");
    const reference = new VoiceResponse();
    reference.say({ voice: "Polly.Joanna-Neural", language: "en-US" }, "Sure, I'll connect you with someone at Maple Hair Studio now. Please hold.");
    reference.dial("+15550404999");
    expect(doc).toEqual(parseXml(reference.toString()));
  });

  test("another key says what the keypad does and keeps listening", async () => {
    const call = await newCall();
    const doc = await call.press("5");
    expect(doc).toEqual(parseXml(listening("To talk to someone, press 0. Or just tell me how I can help.", doc)));
  });

  test("every listening turn accepts speech or one key", async () => {
    const call = await newCall();
    const gather = findElement(await call.say("do you have parking"), "Gather");
    expect(gather?.attributes).toMatchObject({ input: "dtmf speech", numDigits: "1" });
  });
});

describe("matters only the staff can help with", () => {
  test("the caller's own bill is not answered from an FAQ that shares its words: the bot says so and offers a person, and yes puts them through", async () => {
    const call = await newCall();
    // "parking" would pull in the parking FAQ; the question is about the caller's own charge.
    const doc = await call.say("i paid for parking last week and my card was charged twice can someone fix that");
    const said = "That's one for our team, and I can't look it up from here. Would you like me to connect you with someone at Maple Hair Studio?";
    expect(doc).toEqual(parseXml(listening(said, doc)));
    const yes = await call.say("yes please");
    expect(findElement(yes, "Dial")).toBeDefined();
    expect(textOf(findElement(yes, "Dial"))).toBe("+15550404999");
  });

  test("repeat says the line again; a plain parking question is still answered", async () => {
    const call = await newCall();
    await call.say("i think i left my scarf in the chair yesterday did anyone find it");
    expect(spoken(await call.say("sorry can you say that again"))).toStartWith("That's one for our team");
    expect(spoken(await call.say("do you have parking"))).toBe("There is free parking in the lot behind the studio.");
  });
});

describe("checking a question the bot is not sure of", () => {
  // A question the salon's parking FAQ fits, but not surely enough to answer at once.
  const unsure = "could my uncle park his truck outside tomorrow afternoon";

  test("the bot asks 'Are you asking about parking?'; yes gets the answer", async () => {
    const call = await newCall();
    const doc = await call.say(unsure);
    expect(doc).toEqual(parseXml(listening("Are you asking about parking?", doc)));
    expect(spoken(await call.say("yes"))).toBe("There is free parking in the lot behind the studio.");
  });

  test("no gets the honest fallback with the offer of a person; repeat says the check again", async () => {
    const call = await newCall();
    await call.say(unsure);
    expect(spoken(await call.say("say that again"))).toBe("Are you asking about parking?");
    expect(spoken(await call.say("no"))).toStartWith("I'm not sure about that one. Would you like me to connect you");
  });

  test("a new question instead of yes or no is answered as one", async () => {
    const call = await newCall();
    await call.say(unsure);
    expect(spoken(await call.say("how much is a kids haircut"))).toContain("$20");
  });
});

describe("two questions in one breath", () => {
  test("each is answered, in the caller's order; one question with an 'and' in it is still one", async () => {
    const call = await newCall();
    expect(spoken(await call.say("do you have parking and how much is a kids haircut"))).toBe("There is free parking in the lot behind the studio. Kids under twelve get a cut for $20.");
    expect(spoken(await call.say("say that again"))).toBe("There is free parking in the lot behind the studio. Kids under twelve get a cut for $20.");
    const other = await newCall();
    expect(spoken(await other.say("how much is a mens cut and beard trim"))).toBe("A men's cut is $35, and a beard trim with it is $10 more.");
  });
});
