/**
 * The call's state travelling in the `<Gather action>` URL, through the real app: a warm gather
 * turn issues no L2 command (a real redis-server, counted by INFO commandstats and at the adapter),
 * a call goes on across two instances that share nothing but the URL, and a URL that was edited,
 * or that belongs to another call, is refused with a 4xx. Webhooks are signed by the official
 * `twilio` package, as Twilio signs them: over the whole URL, query included.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Hono } from "hono";
import { Redis } from "ioredis";
import { createApp } from "../../src/app.ts";
import { FIRST_TURN, type CallState } from "../../src/bot/call-state.ts";
import { SAID_LINE } from "../../src/bot/said.ts";
import { loadFileDirectory } from "../../src/bot/directory/index.ts";
import type { BotNamespace } from "../../src/bot/lookups.ts";
import { botNamespaces } from "../../src/bot/namespaces.ts";
import type { CallSession } from "../../src/bot/session.ts";
import { createCache, memoryL2, type Cache, type L2Adapter } from "../../src/cache/index.ts";
import { redisL2 } from "../../src/cache/redis.ts";
import { loadConfig } from "../../src/config.ts";
import { createLog } from "../../src/log.ts";
import type { RedisServerProcess } from "../../src/ops/redis-server.ts";
import { callStateCodec } from "../../src/twilio/call-state.ts";
import { prng } from "../support/prng.ts";
import { startRedis } from "../support/servers.ts";
import { callFields, signedFormRequest } from "../support/twilio-peer.ts";
import { findElement, parseXml, textOf, type XmlElement } from "../support/xml-tree.ts";

const TOKEN = "call-state-token-0123456789";
const BASE = "https://bot.example.com";
const SALON = "+15550404040";
const SALON_DESK = "+15550404999";

let redis: RedisServerProcess;
const caches: Cache<BotNamespace>[] = [];
let sid = 0;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await Promise.all(caches.map((cache) => cache.close()));
  await redis?.stop();
});

/** Every call the app makes on its L2, by method. */
function countedL2(l2: L2Adapter): { l2: L2Adapter; calls: string[] } {
  const calls: string[] = [];
  const wrapped = new Proxy(l2, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property);
      if (typeof value !== "function" || property === "describe") return value;
      return (...args: unknown[]) => {
        calls.push(String(property));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { l2: wrapped, calls };
}

async function salonApp(options: { l2: L2Adapter; token?: string; prefix?: string }): Promise<{ app: Hono; cache: Cache<BotNamespace> }> {
  const cache = createCache({ l2: options.l2, prefix: options.prefix, namespaces: botNamespaces({ sessionTtlMs: 60_000, hasL2: true }) });
  caches.push(cache);
  const env = options.token === undefined ? { PUBLIC_BASE_URL: BASE } : { PUBLIC_BASE_URL: BASE, TWILIO_AUTH_TOKEN: options.token };
  const app = createApp({ config: loadConfig(env), cache, directory: await loadFileDirectory("tests/fixtures/businesses/salon.json"), log: createLog("error"), version: "test" });
  return { app, cache };
}

/** A form post as Twilio sends it: signed over the whole URL when there is a token, plain otherwise. */
function webhook(url: string, fields: Record<string, string>, token: string | undefined): Request {
  if (token !== undefined) return signedFormRequest(url, fields, token);
  return new Request(url, { method: "POST", body: new URLSearchParams(fields).toString(), headers: { "content-type": "application/x-www-form-urlencoded" } });
}

const actionOf = (doc: XmlElement): string | undefined => findElement(doc, "Gather")?.attributes.action;
const spoken = (doc: XmlElement): string => textOf(findElement(doc, "Say"));

/**
 * One call as Twilio drives it: every turn posts to the action URL the previous reply gave, to
 * whichever app is next in `apps` (round robin).
 */
async function call(apps: readonly Hono[], token: string | undefined, callSid = `CAstate${sid++}`) {
  let turn = 0;
  const next = () => apps[turn++ % apps.length]!;
  const fields = (extra: Record<string, string> = {}) => callFields(callSid, extra, { to: SALON });
  const greeting = await next().request(webhook(`${BASE}/twilio/voice`, fields(), token));
  expect(greeting.status).toBe(200);
  let action = actionOf(parseXml(await greeting.text()))!;
  return {
    callSid,
    get action() {
      return action;
    },
    async say(speech: string, url = action): Promise<XmlElement> {
      const res = await next().request(webhook(url, fields(speech === "" ? {} : { SpeechResult: speech, Confidence: "0.9" }), token));
      expect(res.status).toBe(200);
      const doc = parseXml(await res.text());
      action = actionOf(doc) ?? action;
      return doc;
    },
  };
}

/** All commands the redis-server has run, from INFO commandstats, less the INFO calls themselves. */
async function commandsRun(client: Redis): Promise<number> {
  const info = await client.info("commandstats");
  let total = 0;
  for (const [, name, calls] of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) if (name !== "info") total += Number(calls);
  return total;
}

describe("a warm gather turn and L2", () => {
  test("a signed gather turn with a real redis-server as L2 issues no L2 command; the call start is written once", async () => {
    const counted = countedL2(redisL2({ url: redis.url }));
    const { app, cache } = await salonApp({ l2: counted.l2, token: TOKEN, prefix: `state${Date.now()}` });
    const raw = new Redis(redis.url);
    try {
      const questions = ["do you have parking", "how much is a haircut", "the second one", "sorry can you repeat that", "what is the capital of france"];
      // Warm the business and knowledge lookups, as a running server is.
      const warm = await call([app], TOKEN);
      for (const question of questions) await warm.say(question);

      // The counters see what the app does: the incoming-call webhook writes the session to L2.
      const startBefore = await commandsRun(raw);
      const phone = await call([app], TOKEN);
      expect(await commandsRun(raw)).toBeGreaterThan(startBefore);
      const stored = await cache.namespace<CallSession>("session").get(phone.callSid);
      expect(stored).toMatchObject({ callSid: phone.callSid, businessId: "maple-hair", ended: false });

      const adapterBefore = counted.calls.length;
      const serverBefore = await commandsRun(raw);
      for (const question of questions) expect(spoken(await phone.say(question))).not.toBe("");
      await phone.say("");
      expect(await commandsRun(raw)).toBe(serverBefore);
      expect(counted.calls.slice(adapterBefore)).toEqual([]);
    } finally {
      raw.disconnect();
    }
  });

  test("status callbacks end the call's session once, idempotently, on L2", async () => {
    const counted = countedL2(redisL2({ url: redis.url }));
    const { app, cache } = await salonApp({ l2: counted.l2, token: TOKEN, prefix: `status${Date.now()}` });
    const phone = await call([app], TOKEN);
    await phone.say("do you have parking");
    const status = (fields: Record<string, string>) => app.request(webhook(`${BASE}/twilio/status`, callFields(phone.callSid, fields, { to: SALON }), TOKEN));
    const completed = { CallStatus: "completed", CallDuration: "42", SequenceNumber: "3" };
    expect((await status(completed)).status).toBe(204);
    const writesAfterFirst = counted.calls.filter((c) => c === "set").length;
    expect((await status(completed)).status).toBe(204);
    expect((await status({ CallStatus: "ringing", SequenceNumber: "3" })).status).toBe(204);
    // A repeated callback reads the session and writes nothing.
    expect(counted.calls.filter((c) => c === "set").length).toBe(writesAfterFirst);
    expect(await cache.namespace<CallSession>("session").get(phone.callSid)).toMatchObject({ ended: true, statusSeen: [3] });
  });
});

describe("two instances sharing nothing but the URL", () => {
  test("clarification, repeat, and misses before a transfer carry across instances", async () => {
    const a = await salonApp({ l2: memoryL2(), token: TOKEN });
    const b = await salonApp({ l2: memoryL2(), token: TOKEN });
    const phone = await call([a.app, b.app], TOKEN);
    expect(spoken(await phone.say("how much is a haircut"))).toMatch(/^Do you mean .+ or .+\?$/);
    const chosen = spoken(await phone.say("the second one"));
    expect(chosen).toMatch(/\$\d+/);
    expect(spoken(await phone.say("sorry can you repeat that"))).toBe(chosen);
    // Silence does not forget what was said, nor the misses so far.
    expect(spoken(await phone.say("what is the capital of france"))).toStartWith("I'm not sure about that one.");
    await phone.say("");
    const transfer = await phone.say("who won the football game last night");
    expect(textOf(findElement(transfer, "Dial"))).toBe(SALON_DESK);
  });

  test("the clarifying question itself can be repeated on the other instance", async () => {
    const a = await salonApp({ l2: memoryL2(), token: TOKEN });
    const b = await salonApp({ l2: memoryL2(), token: TOKEN });
    const phone = await call([a.app, b.app], TOKEN);
    const question = spoken(await phone.say("how much is a haircut"));
    expect(spoken(await phone.say("can you say that again"))).toBe(question);
  });

  test("replaying an old URL replays that old turn, and nothing else", async () => {
    const { app } = await salonApp({ l2: memoryL2(), token: TOKEN });
    const phone = await call([app], TOKEN);
    const afterGreeting = phone.action;
    await phone.say("do you have parking");
    // The first URL again: "repeat" there has nothing before it to repeat.
    expect(spoken(await phone.say("sorry can you repeat that", afterGreeting))).toStartWith("I haven't told you anything yet.");
  });
});

describe("a URL that was edited or belongs to another call is refused", () => {
  /** The action with one character of its state changed (a hand edit). */
  const edited = (action: string) => {
    const at = action.indexOf("s=1.") + 6;
    return action.slice(0, at) + (action[at] === "A" ? "B" : "A") + action.slice(at + 1);
  };

  test("with an auth token: an edited query fails the signature (403); a signed but foreign or malformed state is 400", async () => {
    const { app } = await salonApp({ l2: memoryL2(), token: TOKEN });
    const phone = await call([app], TOKEN);
    const fields = callFields(phone.callSid, { SpeechResult: "do you have parking" }, { to: SALON });
    // Twilio signed the URL it was given; the edited one is posted with that signature.
    const signature = signedFormRequest(phone.action, fields, TOKEN).headers.get("x-twilio-signature")!;
    const forged = webhook(edited(phone.action), fields, undefined);
    forged.headers.set("x-twilio-signature", signature);
    expect((await app.request(forged)).status).toBe(403);

    const other = await call([app], TOKEN);
    const foreign = await app.request(webhook(phone.action, callFields(other.callSid, { SpeechResult: "do you have parking" }, { to: SALON }), TOKEN));
    expect(foreign.status).toBe(400);
    expect(await foreign.text()).toContain("another call");
    for (const bad of ["2.AAAA", "1.", "1.!!!!", "1.AAAAAAAAAAAAAAAAAAAA"]) {
      expect((await app.request(webhook(`${BASE}/twilio/gather?s=${bad}`, fields, TOKEN))).status).toBe(400);
    }
  });

  test("without an auth token: the state's own HMAC refuses an edit or another call (400), and accepts the URL as written", async () => {
    const { app } = await salonApp({ l2: memoryL2() });
    const phone = await call([app], undefined);
    expect(phone.action).toMatch(/\?s=1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{16}$/);
    const fields = callFields(phone.callSid, { SpeechResult: "do you have parking" }, { to: SALON });
    expect((await app.request(webhook(edited(phone.action), fields, undefined))).status).toBe(400);
    const withoutMac = phone.action.slice(0, phone.action.lastIndexOf("."));
    expect((await app.request(webhook(withoutMac, fields, undefined))).status).toBe(400);
    const other = await call([app], undefined);
    expect((await app.request(webhook(phone.action, callFields(other.callSid, {}, { to: SALON }), undefined))).status).toBe(400);
    expect(spoken(await phone.say("do you have parking"))).toBe("There is free parking in the lot behind the studio.");
  });

  test("without an auth token, another instance with the same CALL_STATE_SECRET accepts the state; one with another secret refuses it", async () => {
    const secret = "a-call-state-secret-of-32-chars-min";
    const make = async (value: string) => {
      const cache = createCache({ l2: memoryL2(), namespaces: botNamespaces({ sessionTtlMs: 60_000, hasL2: true }) });
      caches.push(cache);
      return createApp({ config: loadConfig({ PUBLIC_BASE_URL: BASE, CALL_STATE_SECRET: value }), cache, directory: await loadFileDirectory("tests/fixtures/businesses/salon.json"), log: createLog("error"), version: "test" });
    };
    const [a, b, stranger] = await Promise.all([make(secret), make(secret), make(`${secret}-other`)]);
    const phone = await call([a, b], undefined);
    expect(spoken(await phone.say("do you have parking"))).toBe("There is free parking in the lot behind the studio.");
    const fields = callFields(phone.callSid, { SpeechResult: "say that again" }, { to: SALON });
    expect((await stranger.request(webhook(phone.action, fields, undefined))).status).toBe(400);
  });
});

describe("the state codec on its own", () => {
  const states: CallState[] = [
    FIRST_TURN,
    { turns: 3, misses: 1, silences: 2, transferOffered: true, said: SAID_LINE.notSure },
    { turns: 200, misses: 0, silences: 0, transferOffered: false, pendingClarification: [0, 2], said: { kind: "clarify", faqs: [0, 2] } },
    { turns: 7, misses: 0, silences: 0, transferOffered: false, said: { kind: "faqs", faqs: [1, 300] } },
    { turns: 1, misses: 0, silences: 0, transferOffered: false, said: { kind: "hours", asked: { hoursQuestion: "open_time", day: "sat" } } },
    { turns: 1, misses: 0, silences: 0, transferOffered: false, said: { kind: "hours", asked: {} } },
  ];

  test("every state reads back as written, short and free of text", () => {
    for (const secret of [undefined, new TextEncoder().encode("codec-test-secret-0123456789abcdef")]) {
      const codec = callStateCodec({ secret });
      for (const state of states) {
        const value = codec.write(state, "CA0123");
        expect(value).toMatch(/^1\.[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]{16})?$/);
        expect(value.length).toBeLessThan(48);
        const read = codec.read(`${BASE}/twilio/gather?s=${value}`, "CA0123");
        expect(read).toEqual({ ok: true, state });
      }
    }
  });

  test("any one-character edit of an HMAC'd state is refused, and no edit of any state throws", () => {
    const random = prng(14);
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.%!";
    const withMac = callStateCodec({ secret: new TextEncoder().encode("codec-test-secret-0123456789abcdef") });
    const plain = callStateCodec({});
    for (let i = 0; i < 2_000; i++) {
      const state = states[i % states.length]!;
      for (const codec of [withMac, plain]) {
        const value = codec.write(state, "CA0123");
        const at = 2 + Math.floor(random() * (value.length - 2));
        const replacement = alphabet[Math.floor(random() * alphabet.length)]!;
        if (replacement === value[at]) continue;
        const edited = value.slice(0, at) + replacement + value.slice(at + 1);
        const read = codec.read(`${BASE}/twilio/gather?s=${edited}`, "CA0123");
        if (codec === withMac) expect(read.ok).toBe(false);
        if (!read.ok) expect(read.status).toBe(400);
      }
    }
  });
});
