/**
 * The server end to end, over real HTTP: real `bun src/server.ts` processes sharing a real
 * redis-server as L2, webhooks signed by the official `twilio` package, replies read as XML.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { findElement, parseXml, textOf, type XmlElement } from "../support/xml-tree.ts";
import { callFields, signedFormRequest, VoiceResponse } from "../support/twilio-peer.ts";
import { sharedRedis } from "../support/servers.ts";
import { runServerToExit, startServer, type ServerProcess } from "../support/server-process.ts";

const TOKEN = "test-auth-token-0123456789";
const ADMIN = "admin-token-0123456789abcdef";
const BELLA = "+15550001111";
const CALLER = "+14155550100";

let a: ServerProcess;
let b: ServerProcess;
let sid = 0;

beforeAll(async () => {
  const { url } = await sharedRedis();
  const env = { TWILIO_AUTH_TOKEN: TOKEN, ADMIN_TOKEN: ADMIN, CACHE_L2: "redis", REDIS_URL: url, CACHE_PREFIX: `e2e${Date.now()}` };
  [a, b] = await Promise.all([startServer(env), startServer(env)]);
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

const callParams = (callSid: string, extra: Record<string, string> = {}) => callFields(callSid, extra, { from: CALLER, to: BELLA });

async function post(server: ServerProcess, path: string, params: Record<string, string>): Promise<Response> {
  return fetch(signedFormRequest(`${server.url}${path}`, params, TOKEN));
}

async function twiml(server: ServerProcess, path: string, params: Record<string, string>): Promise<{ res: Response; doc: XmlElement }> {
  const res = await post(server, path, params);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("xml");
  return { res, doc: parseXml(await res.text()) };
}

const find = findElement;

/**
 * One call as Twilio drives it: each turn posts to the `<Gather action>` the previous reply gave
 * (where the call's state travels), on whichever instance `server` is — each instance's
 * PUBLIC_BASE_URL is its own address, so the action's path and query move onto it.
 */
function call(callSid: string) {
  let next = "/twilio/gather";
  const follow = (doc: XmlElement) => {
    const action = find(doc, "Gather")?.attributes.action;
    if (action !== undefined) {
      const url = new URL(action);
      next = url.pathname + url.search;
    }
  };
  return {
    async voice(server: ServerProcess, params: Record<string, string> = callParams(callSid)) {
      const reply = await twiml(server, "/twilio/voice", params);
      follow(reply.doc);
      return reply;
    },
    async gather(server: ServerProcess, extra: Record<string, string> = {}) {
      const reply = await twiml(server, next, callParams(callSid, extra));
      follow(reply.doc);
      return reply;
    },
  };
}

describe("a call, turn by turn, alternating between two instances", () => {
  test("greeting, answers, hours, repeat, transfer and goodbye; the session follows the call across instances", async () => {
    const callSid = `CA${Date.now()}${sid++}`;
    const phone = call(callSid);
    const greeting = await phone.voice(a);
    const gather = find(greeting.doc, "Gather");
    expect(gather?.attributes).toMatchObject({ input: "dtmf speech", numDigits: "1", speechTimeout: "auto", language: "en-US" });
    // The call's state rides in the action URL, and the silence that falls through to <Redirect> carries the same.
    expect(gather?.attributes.action).toStartWith(`${a.url}/twilio/gather?s=1.`);
    expect(textOf(find(greeting.doc, "Redirect"))).toBe(gather!.attributes.action!);
    expect(gather?.attributes.hints).toContain("park");
    expect(textOf(find(gather!, "Say"))).toBe("Thanks for calling Bella Pizza. How can I help?");
    expect(find(greeting.doc, "Say")?.attributes.voice).toBe("Polly.Joanna-Neural");
    expect(find(greeting.doc, "Redirect")).toBeDefined();
    expect(greeting.res.headers.get("server-timing")).toMatch(/biz;.*dur=[\d.]+.*total;dur=[\d.]+/);

    const parking = await phone.gather(b, { SpeechResult: "Is there somewhere to park my car?", Confidence: "0.91" });
    const answer = textOf(find(find(parking.doc, "Gather")!, "Say"));
    expect(answer).toContain("parking lot behind the building");
    expect(parking.res.headers.get("server-timing")).toMatch(/kb;.*dur=/);

    // "repeat that" on the other instance returns what instance b said: the session moved with the call.
    const repeat = await phone.gather(a, { SpeechResult: "sorry can you repeat that" });
    expect(textOf(find(repeat.doc, "Say"))).toBe(answer);

    const hours = await phone.gather(b, { SpeechResult: "what time do you open on Saturday" });
    expect(textOf(find(hours.doc, "Say"))).toBe("On Saturday we open at 11 AM.");

    const transfer = await phone.gather(a, { SpeechResult: "can I talk to a real person" });
    expect(textOf(find(transfer.doc, "Dial"))).toBe("+15550009999");

    const bye = await phone.gather(b, { SpeechResult: "no that's all, thanks, bye" });
    expect(find(bye.doc, "Hangup")).toBeDefined();
    expect(find(bye.doc, "Gather")).toBeUndefined();
  });

  test("two misses in a row across instances offer a person directly", async () => {
    const callSid = `CA${Date.now()}${sid++}`;
    const phone = call(callSid);
    await phone.voice(a);
    const first = await phone.gather(a, { SpeechResult: "what is the capital of france" });
    expect(find(first.doc, "Gather")).toBeDefined();
    expect(find(first.doc, "Dial")).toBeUndefined();
    const second = await phone.gather(b, { SpeechResult: "who won the football game last night" });
    expect(textOf(find(second.doc, "Dial"))).toBe("+15550009999");
  });

  test("a yes to the bot's offer of a person transfers; a no keeps the conversation going", async () => {
    const yesCall = `CA${Date.now()}${sid++}`;
    const yesPhone = call(yesCall);
    await yesPhone.voice(a);
    const offer = await yesPhone.gather(b, { SpeechResult: "what is the capital of france" });
    expect(textOf(find(offer.doc, "Say"))).toContain("connect you");
    const yes = await yesPhone.gather(a, { SpeechResult: "Yes, please." });
    expect(textOf(find(yes.doc, "Dial"))).toBe("+15550009999");

    const noCall = `CA${Date.now()}${sid++}`;
    const noPhone = call(noCall);
    await noPhone.voice(a);
    await noPhone.gather(a, { SpeechResult: "what is the capital of france" });
    const no = await noPhone.gather(b, { SpeechResult: "no thanks" });
    expect(find(no.doc, "Dial")).toBeUndefined();
    expect(find(no.doc, "Hangup")).toBeUndefined();
    expect(textOf(find(no.doc, "Say"))).toContain("anything else");
    // Outside an offer, a bare "yes" is not a request for a person.
    const plain = `CA${Date.now()}${sid++}`;
    const plainPhone = call(plain);
    await plainPhone.voice(a);
    const yesAlone = await plainPhone.gather(a, { SpeechResult: "yes" });
    expect(find(yesAlone.doc, "Dial")).toBeUndefined();
  });

  test("silence reprompts, three silences in a row say goodbye", async () => {
    const callSid = `CA${Date.now()}${sid++}`;
    const phone = call(callSid);
    await phone.voice(a);
    const one = await phone.gather(b);
    expect(find(one.doc, "Gather")).toBeDefined();
    await phone.gather(a);
    const three = await phone.gather(b);
    expect(find(three.doc, "Hangup")).toBeDefined();
  });

  test("replies match the TwiML the official library builds for the same verbs", async () => {
    const callSid = `CA${Date.now()}${sid++}`;
    const { doc } = await twiml(a, "/twilio/voice", { ...callParams(callSid), To: "+15550003333" });
    // The state in the query is ours to write; the rest of the document is the library's.
    const action = find(doc, "Gather")!.attributes.action!;
    expect(action).toMatch(new RegExp(`^${a.url}/twilio/gather\\?s=1\\.[A-Za-z0-9_-]+$`));
    const expected = new VoiceResponse();
    const g = expected.gather({ input: ["dtmf", "speech"], numDigits: 1, action, method: "POST", speechTimeout: "auto", language: "en-US", hints: find(doc, "Gather")!.attributes.hints! });
    g.say({ voice: "Polly.Matthew-Neural" as never, language: "en-US" }, textOf(find(doc, "Say")));
    expect(find(doc, "Say")!.attributes.voice).toBe("Polly.Matthew-Neural");
    expected.redirect({ method: "POST" }, action);
    expect(doc).toEqual(parseXml(expected.toString()));
  });

  test("a retried incoming-call webhook keeps the call's progress", async () => {
    const callSid = `CA${Date.now()}${sid++}`;
    const phone = call(callSid);
    await phone.voice(a);
    const answer = await phone.gather(b, { SpeechResult: "do you deliver" });
    // Twilio retries the incoming-call webhook; the next turn still posts to the URL the answer gave.
    const retried = await twiml(b, "/twilio/voice", callParams(callSid));
    expect(textOf(find(retried.doc, "Say"))).toBe("Thanks for calling Bella Pizza. How can I help?");
    const repeat = await phone.gather(a, { SpeechResult: "say that again" });
    expect(textOf(find(repeat.doc, "Say"))).toBe(textOf(find(answer.doc, "Say")));
  });

  test("an unknown number gets a polite sentence and a hang-up, with status 200", async () => {
    const { doc } = await twiml(a, "/twilio/voice", { ...callParams(`CA${sid++}`), To: "+15557770000" });
    expect(textOf(find(doc, "Say")).length).toBeGreaterThan(10);
    expect(find(doc, "Hangup")).toBeDefined();
  });

  test("status callbacks are idempotent per CallSid and SequenceNumber", async () => {
    const callSid = `CA${Date.now()}${sid++}`;
    const phone = call(callSid);
    await phone.voice(a);
    const completed = callParams(callSid, { CallStatus: "completed", CallDuration: "42", SequenceNumber: "3" });
    for (const server of [a, b, a]) expect((await post(server, "/twilio/status", completed)).status).toBe(204);
    const earlier = callParams(callSid, { CallStatus: "ringing", SequenceNumber: "1" });
    expect((await post(b, "/twilio/status", earlier)).status).toBe(204);
  });
});

describe("bad input gets a 4xx, never a 5xx", () => {
  const url = () => `${a.url}/twilio/voice`;

  test("missing, wrong and misdirected signatures are refused with 403", async () => {
    const params = callParams("CA1");
    const body = new URLSearchParams(params).toString();
    const headers = { "content-type": "application/x-www-form-urlencoded" };
    expect((await fetch(url(), { method: "POST", body, headers })).status).toBe(403);
    expect((await fetch(url(), { method: "POST", body, headers: { ...headers, "x-twilio-signature": "AAAAAAAAAAAAAAAAAAAAAAAAAAA=" } })).status).toBe(403);
    const otherUrl = signedFormRequest(`${a.url}/twilio/gather`, params, TOKEN);
    expect((await fetch(url(), { method: "POST", body, headers: { ...headers, "x-twilio-signature": otherUrl.headers.get("x-twilio-signature")! } })).status).toBe(403);
    const wrongToken = signedFormRequest(url(), params, "another-token");
    expect((await fetch(wrongToken)).status).toBe(403);
    const tampered = signedFormRequest(url(), params, TOKEN);
    expect((await fetch(url(), { method: "POST", body: body.replace("Bella", "x").replace(BELLA.slice(1), "15550002222"), headers: { ...headers, "x-twilio-signature": tampered.headers.get("x-twilio-signature")! } })).status).toBe(403);
  });

  test("an oversized body is 413, garbage is 400, missing fields are 400", async () => {
    const headers = { "content-type": "application/x-www-form-urlencoded" };
    expect((await fetch(url(), { method: "POST", body: `a=${"x".repeat(70_000)}`, headers })).status).toBe(413);
    expect((await fetch(url(), { method: "POST", body: "%E0%A4%A=%%%", headers })).status).toBe(400);
    expect((await fetch(url(), { method: "POST", body: new Uint8Array([0xff, 0xfe, 0x00, 0x80]), headers })).status).toBe(400);
    expect((await post(a, "/twilio/voice", { From: CALLER, To: BELLA })).status).toBe(400);
    expect((await fetch(url(), { method: "POST", body: "{}", headers: { "content-type": "application/json" } })).status).toBe(415);
  });

  test("thousands of malformed forms: no 5xx, and the server still answers calls", async () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const alphabet = "abcXYZ019=&%+;,/?#[]@!$'()*~ \u00e9\u4e2d\ud83d\udcde\u0000";
    const statuses = new Map<number, number>();
    const work: Promise<void>[] = [];
    for (let i = 0; i < 3_000; i++) {
      let body = "";
      const length = Math.floor(random() * 200);
      for (let j = 0; j < length; j++) body += alphabet[Math.floor(random() * alphabet.length)];
      const signed = random() < 0.3;
      const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
      if (signed) headers["x-twilio-signature"] = "x".repeat(Math.floor(random() * 40));
      work.push(
        fetch(`${(i % 2 ? a : b).url}/twilio/${["voice", "gather", "status"][i % 3]}`, { method: "POST", body, headers }).then((res) => {
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        }),
      );
      if (work.length >= 50) await Promise.all(work.splice(0));
    }
    await Promise.all(work);
    for (const status of statuses.keys()) expect(status).toBeLessThan(500);
    expect([...statuses.values()].reduce((x, y) => x + y, 0)).toBe(3_000);
    const { doc } = await twiml(a, "/twilio/voice", callParams(`CA${sid++}`));
    expect(find(doc, "Gather")).toBeDefined();
  });
});

describe("health and admin", () => {
  test("liveness and readiness", async () => {
    expect((await fetch(`${a.url}/health`)).status).toBe(200);
    const ready = await fetch(`${a.url}/health/ready`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { status: string; cache: { l2: { kind: string; reachable: boolean }; breaker: { state: string } } };
    expect(body.status).toBe("ok");
    expect(body.cache.l2).toMatchObject({ kind: "redis", reachable: true });
    expect(body.cache.breaker.state).toBe("closed");
  });

  test("admin routes need the bearer token", async () => {
    expect((await fetch(`${a.url}/cache/stats`)).status).toBe(401);
    expect((await fetch(`${a.url}/cache/stats`, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    const stats = await fetch(`${a.url}/cache/stats`, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(stats.status).toBe(200);
    expect(((await stats.json()) as { namespaces: Record<string, unknown> }).namespaces).toHaveProperty("business");
  });

  test("warm reports what it did; invalidate validates its body and drops entries everywhere", async () => {
    const auth = { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" };
    const warm = await fetch(`${a.url}/cache/warm`, { method: "POST", headers: auth, body: JSON.stringify({ businesses: ["bella-pizza"], force: true }) });
    expect(warm.status).toBe(200);
    const report = (await warm.json()) as { warmed: number; failed: unknown[]; durationMs: number };
    expect(report.warmed).toBeGreaterThan(5);
    expect(report.failed).toEqual([]);

    const bad = await fetch(`${a.url}/cache/invalidate`, { method: "POST", headers: auth, body: JSON.stringify({ namespace: "nope", key: "x" }) });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("namespace");
    const badWarm = await fetch(`${a.url}/cache/warm`, { method: "POST", headers: auth, body: JSON.stringify({ concurrency: "many" }) });
    expect(badWarm.status).toBe(400);
    expect(await badWarm.text()).toContain("concurrency");

    const ok = await fetch(`${a.url}/cache/invalidate`, { method: "POST", headers: auth, body: JSON.stringify({ tags: ["biz:bella-pizza"] }) });
    expect(ok.status).toBe(200);
    // The other instance hears of it over the bus (the only message it gets: session writes are not announced).
    let received = 0;
    for (let i = 0; i < 100 && received === 0; i++) {
      const stats = (await (await fetch(`${b.url}/cache/stats`, { headers: auth })).json()) as { bus: { received: number } };
      received = stats.bus.received;
      if (received === 0) await Bun.sleep(20);
    }
    expect(received).toBe(1);
  });
});

describe("start-up", () => {
  test("invalid environment stops start-up listing every bad variable, without secrets", async () => {
    const { code, output } = await runServerToExit({ PORT: "not-a-port", CACHE_L2: "redis", NODE_ENV: "production", ADMIN_TOKEN: "short-secret-x" });
    expect(code).toBe(1);
    expect(output).toContain("PORT");
    expect(output).toContain("REDIS_URL");
    expect(output).toContain("TWILIO_AUTH_TOKEN");
    expect(output).toContain("PUBLIC_BASE_URL");
    expect(output).toContain("ADMIN_TOKEN");
    expect(output).not.toContain("short-secret-x");
  });

  test("a bad business file stops start-up naming the file, the business and the field", async () => {
    const path = `${process.env.TMPDIR ?? "/tmp"}/voxedge-bad-${Date.now()}.json`;
    await Bun.write(path, JSON.stringify({ businesses: [{ id: "ok-biz", name: "Ok", phoneNumbers: ["+15550004444"] }, { id: "broken", name: "Broken", phoneNumbers: ["555-1234"] }] }));
    const { code, output } = await runServerToExit({ BUSINESSES_FILE: path });
    expect(code).toBe(1);
    expect(output).toContain(path);
    expect(output).toContain("broken");
    expect(output).toContain("phoneNumbers");
  });

  test("without a Twilio token outside production, the server warns loudly and serves unsigned webhooks", async () => {
    const server = await startServer({});
    try {
      expect(server.output()).toContain("NOT checked");
      const res = await fetch(`${server.url}/twilio/voice`, {
        method: "POST",
        body: new URLSearchParams(callParams("CA-dev")).toString(),
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain("Bella Pizza");
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});
