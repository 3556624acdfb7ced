/**
 * ConversationRelay end to end: a real `bun src/server.ts` process with `VOICE_MODE=relay` and a
 * real redis-server as L2, driven by Bun's WebSocket client the way Twilio drives it. Handshakes
 * and webhooks are signed by the official `twilio` package; TwiML is compared with what that
 * package renders. Prompt → first-token times are printed at the end (not asserted: the machine
 * is noisy).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { runRelayCall } from "../../src/cli/relay-call.ts";
import { endFrame, parseHandoff, parseRelayFrame, replyTokens } from "../../src/twilio/relay-frames.ts";
import { relayUrls, relayVoice } from "../../src/twilio/relay-twiml.ts";
import { parseXml, type XmlElement } from "../support/xml-tree.ts";
import { expectedSignature, signedFormRequest, VoiceResponse } from "../support/twilio-peer.ts";
import { connectRelay, readRelaySession, type Frame, type RelayClient } from "../support/relay-client.ts";
import { sharedRedis } from "../support/servers.ts";
import { startServer, type ServerProcess } from "../support/server-process.ts";

const TOKEN = "relay-auth-token-0123456789";
const BELLA = "+15550001111";
const BELLA_TRANSFER = "+15550009999";
const CALLER = "+14155550100";
const PREFIX = `relay${Date.now()}`;
/** Paced so an interruption can land mid-reply; prompt → first token is not affected by it. */
const TOKEN_DELAY_MS = 40;

let server: ServerProcess;
let redisUrl: string;
let sid = 0;
const firstTokenTimes: Array<{ prompt: string; ms: number }> = [];

beforeAll(async () => {
  ({ url: redisUrl } = await sharedRedis());
  server = await startServer({
    TWILIO_AUTH_TOKEN: TOKEN,
    VOICE_MODE: "relay",
    RELAY_TOKEN_DELAY_MS: String(TOKEN_DELAY_MS),
    CACHE_L2: "redis",
    REDIS_URL: redisUrl,
    CACHE_PREFIX: PREFIX,
    LOG_LEVEL: "debug",
  });
});

afterAll(async () => {
  await server?.stop();
  if (firstTokenTimes.length > 0) {
    console.log("relay prompt → first token (Bun server, redis L2, loopback):");
    for (const { prompt, ms } of firstTokenTimes) console.log(`  ${ms.toFixed(2).padStart(7)} ms  ${prompt}`);
  }
});

const socketUrl = () => `ws://127.0.0.1:${server.port}/twilio/relay`;
const newCallSid = () => `CA${Date.now()}${sid++}`.padEnd(34, "0");

function callParams(callSid: string, extra: Record<string, string> = {}): Record<string, string> {
  return { AccountSid: "AC" + "0".repeat(32), ApiVersion: "2010-04-01", CallSid: callSid, CallStatus: "in-progress", Direction: "inbound", From: CALLER, To: BELLA, ...extra };
}

function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c): c is XmlElement => typeof c !== "string" && c.name === name);
}

function connect(signature = expectedSignature(TOKEN, socketUrl(), {})): Promise<RelayClient> {
  return connectRelay(socketUrl(), signature);
}

/** Starts a call the way Twilio does: the incoming-call webhook, then the socket and `setup`. */
async function startCall(): Promise<{ callSid: string; client: RelayClient }> {
  const callSid = newCallSid();
  const res = await fetch(signedFormRequest(`${server.url}/twilio/voice`, callParams(callSid, { CallStatus: "ringing" }), TOKEN));
  expect(res.status).toBe(200);
  const client = await connect();
  client.send({ type: "setup", sessionId: `VX${callSid}`, callSid, from: CALLER, to: BELLA, direction: "inbound", customParameters: { businessId: "bella-pizza" } });
  return { callSid, client };
}

/** Sends a final prompt and returns its reply's text frames and the prompt → first token time. */
async function ask(client: RelayClient, prompt: string): Promise<{ frames: Frame[]; text: string; firstTokenMs: number }> {
  const sent = performance.now();
  client.send({ type: "prompt", voicePrompt: prompt, lang: "en-US", last: true });
  const first = await client.next();
  const firstTokenMs = performance.now() - sent;
  expect(first.type).toBe("text");
  const frames = first.last ? [first] : [first, ...(await client.reply())];
  firstTokenTimes.push({ prompt, ms: firstTokenMs });
  return { frames, text: frames.map((f) => f.token).join(""), firstTokenMs };
}

const readSession = (callSid: string) => readRelaySession(redisUrl, PREFIX, callSid);

describe("incoming call in relay mode", () => {
  test("/twilio/voice hands the call to ConversationRelay, as the twilio library would render it", async () => {
    const callSid = newCallSid();
    const res = await fetch(signedFormRequest(`${server.url}/twilio/voice`, callParams(callSid, { CallStatus: "ringing" }), TOKEN));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("xml");
    const doc = parseXml(await res.text());

    const connectEl = child(doc, "Connect");
    expect(connectEl?.attributes).toEqual({ action: `${server.url}/twilio/relay-action`, method: "POST" });
    const relay = child(connectEl, "ConversationRelay");
    expect(relay?.attributes).toMatchObject({
      url: socketUrl(),
      welcomeGreeting: "Thanks for calling Bella Pizza. How can I help?",
      voice: "Joanna-Neural",
      ttsProvider: "Amazon",
      language: "en-US",
    });
    expect(child(relay, "Parameter")?.attributes).toEqual({ name: "businessId", value: "bella-pizza" });

    const reference = new VoiceResponse();
    reference
      .connect({ action: `${server.url}/twilio/relay-action`, method: "POST" })
      .conversationRelay({ ...relay!.attributes, url: socketUrl() })
      .parameter({ name: "businessId", value: "bella-pizza" });
    expect(doc).toEqual(parseXml(reference.toString()));
  });
});

describe("the relay socket handshake", () => {
  const handshake = (signature: string | undefined) =>
    fetch(`${server.url}/twilio/relay`, {
      headers: {
        upgrade: "websocket",
        connection: "Upgrade",
        "sec-websocket-key": btoa("0123456789abcdef"),
        "sec-websocket-version": "13",
        ...(signature === undefined ? {} : { "x-twilio-signature": signature }),
      },
    });

  test("a bad or missing signature is refused with 403 before any upgrade", async () => {
    const wrongToken = expectedSignature("not-the-token", socketUrl(), {});
    const wrongUrl = expectedSignature(TOKEN, `ws://127.0.0.1:${server.port}/twilio/other`, {});
    for (const signature of [wrongToken, wrongUrl, "garbage", undefined]) {
      const res = await handshake(signature);
      expect(res.status).toBe(403);
      expect(res.headers.get("upgrade")).toBeNull();
    }
    await expect(connect(wrongToken)).rejects.toThrow("refused");
  });

  test("a correctly signed handshake opens the socket", async () => {
    const client = await connect();
    await client.close();
  });
});

describe("a relay conversation", () => {
  test("setup → prompt → the reply streamed as tokens, the last one marked", async () => {
    const { client } = await startCall();
    const parking = await ask(client, "Is there somewhere to park my car?");
    expect(parking.frames.length).toBeGreaterThan(3);
    expect(parking.frames.slice(0, -1).every((f) => f.last === false)).toBe(true);
    expect(parking.frames.at(-1)?.last).toBe(true);
    expect(parking.text).toContain("parking lot behind the building");
    // Tokens are words with their spacing: joined, they are the reply exactly.
    expect(parking.frames.every((f) => typeof f.token === "string" && f.token.trim() !== "")).toBe(true);

    const again = await ask(client, "do you have parking");
    expect(again.text).toBe(parking.text);
    await client.close();
  });

  test("an interruption stops the rest of the reply and is recorded in the session", async () => {
    const { callSid, client } = await startCall();
    const parking = await ask(client, "do you have parking");

    const sent = performance.now();
    client.send({ type: "prompt", voicePrompt: "Do you have gluten-free pizza?", last: true });
    const first = await client.next();
    firstTokenTimes.push({ prompt: "Do you have gluten-free pizza? (interrupted)", ms: performance.now() - sent });
    expect(first).toMatchObject({ type: "text", last: false });
    client.send({ type: "interrupt", utteranceUntilInterrupt: first.token, durationUntilInterruptMs: "180" });

    // Whatever of the cut reply was still in flight arrives first, then the next reply in full.
    client.send({ type: "prompt", voicePrompt: "do you have parking", last: true });
    const all = [first, ...(await client.reply())];
    const cutFrames = all.slice(0, all.length - parking.frames.length);
    expect(all.slice(cutFrames.length).map((f) => f.token).join("")).toBe(parking.text);
    expect(cutFrames.length).toBeGreaterThan(0);
    expect(cutFrames.every((f) => f.last === false)).toBe(true);

    const session = await readSession(callSid);
    const interruption = session?.lastInterruption;
    expect(interruption).toMatchObject({ utteranceUntilInterrupt: first.token, durationUntilInterruptMs: 180 });
    expect(interruption!.reply).toContain("gluten");
    expect(interruption!.tokensSent).toBe(cutFrames.length);
    expect(interruption!.tokensSent).toBeLessThan(interruption!.tokensTotal);
    // The reply stopped where the server says it did: what arrived is exactly its first tokens.
    expect(interruption!.reply.startsWith(cutFrames.map((f) => f.token).join(""))).toBe(true);
    expect(session?.turns).toBe(3);
    await client.close();
  });

  test("invalid frames are ignored with one warning for the socket, the rest counted at its end; the socket keeps working", async () => {
    const { callSid, client } = await startCall();
    client.sendRaw("this is not json");
    client.send({ type: "no-such-frame" });
    client.send({ type: "prompt" });
    client.send({ type: "dtmf", digit: 5 });
    client.send(["prompt"]);
    client.sendRaw(new TextEncoder().encode('{"type":"prompt"'));
    client.send({ type: "error", description: "media stream failed" });
    const delivery = await ask(client, "Do you deliver?");
    expect(delivery.text.toLowerCase()).toContain("deliver");
    const lines = () => server.output().split("\n").filter((line) => line.includes(`"callSid":"${callSid}"`));
    const warnings = lines().filter((line) => line.includes('"level":"warn"'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("relay: invalid frame ignored");
    expect((await readSession(callSid))?.turns).toBe(1);
    await client.close();
    const until = Date.now() + 2_000;
    while (!lines().some((line) => line.includes("relay: socket closed")) && Date.now() < until) await Bun.sleep(20);
    const closing = JSON.parse(lines().find((line) => line.includes("relay: socket closed"))!) as Record<string, unknown>;
    // Six invalid frames and Twilio's error: one line, six held back, the error counted by code.
    expect(closing).toMatchObject({ level: "info", suppressedWarnings: 6, twilioErrors: 1, lastTwilioErrorCode: "unspecified", droppedFrames: 0 });
    expect(server.output()).not.toContain("media stream failed");
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  test("a socket closed mid-reply is cleaned up and the server carries on", async () => {
    const { callSid, client } = await startCall();
    client.send({ type: "prompt", voicePrompt: "Do you have gluten-free pizza?", last: true });
    await client.next();
    await client.close();
    const until = Date.now() + 5_000;
    while (!server.output().includes(`"relay: socket closed","callSid":"${callSid}"`) && Date.now() < until) await Bun.sleep(20);
    expect(server.output()).toContain(`"relay: socket closed","callSid":"${callSid}"`);
    const other = await startCall();
    expect((await ask(other.client, "do you have parking")).text).toContain("parking");
    await other.client.close();
  });

  test("DTMF 0 transfers: the reply, then `end` with handoffData; the action webhook dials", async () => {
    const { callSid, client } = await startCall();
    client.send({ type: "dtmf", digit: "0" });
    const reply = await client.reply();
    expect(reply.map((f) => f.token).join("")).toContain("connect you");
    const end = await client.next();
    expect(end.type).toBe("end");
    const handoff = JSON.parse(end.handoffData!);
    expect(handoff).toEqual({ reason: "transfer", transferTo: BELLA_TRANSFER });
    await client.close();

    const action = await fetch(
      signedFormRequest(`${server.url}/twilio/relay-action`, callParams(callSid, { SessionStatus: "ended", SessionDuration: "12", HandoffData: end.handoffData! }), TOKEN),
    );
    expect(action.status).toBe(200);
    const doc = parseXml(await action.text());
    expect(doc).toEqual(parseXml(new VoiceResponse().dial(BELLA_TRANSFER).toString()));
  });

  test("the action webhook hangs up after a goodbye or a caller hang-up, and is signed like any webhook", async () => {
    const callSid = newCallSid();
    const hangupDoc = parseXml(new VoiceResponse().hangup().toString());
    const handoffs: Array<Record<string, string>> = [{ HandoffData: '{"reason":"goodbye"}' }, {}, { HandoffData: "{not json" }, { HandoffData: '{"reason":"transfer","transferTo":"12"}' }];
    for (const extra of handoffs) {
      const res = await fetch(signedFormRequest(`${server.url}/twilio/relay-action`, callParams(callSid, { SessionStatus: "completed", ...extra }), TOKEN));
      expect(res.status).toBe(200);
      expect(parseXml(await res.text())).toEqual(hangupDoc);
    }
    const unsigned = await fetch(`${server.url}/twilio/relay-action`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(callParams(callSid, { HandoffData: JSON.stringify({ reason: "transfer", transferTo: BELLA_TRANSFER }) })).toString(),
    });
    expect(unsigned.status).toBe(403);
  });
});

describe("the relay call simulator (src/cli/relay-call.ts)", () => {
  test("plays a whole call: greeting, answers, a spoken transfer request, then the dial", async () => {
    const lines: string[] = [];
    const result = await runRelayCall({
      url: server.url,
      to: BELLA,
      from: CALLER,
      utterances: ["Is there somewhere to park my car?", "How much is a large pizza?", "Can I talk to a person?", "never said"],
      token: TOKEN,
      print: (line) => lines.push(line),
    });
    expect(result.greeting).toBe("Thanks for calling Bella Pizza. How can I help?");
    expect(result.turns.map((t) => t.caller)).toEqual(["Is there somewhere to park my car?", "How much is a large pizza?", "Can I talk to a person?"]);
    expect(result.turns[0]!.bot).toContain("parking lot behind the building");
    expect(result.turns.every((t) => t.firstTokenMs !== undefined && t.tokens > 1)).toBe(true);
    expect(result.handoff).toEqual({ reason: "transfer", transferTo: BELLA_TRANSFER });
    expect(result.afterSession).toBe(`[transfers the call to ${BELLA_TRANSFER}]`);
    for (const turn of result.turns) firstTokenTimes.push({ prompt: `${turn.caller} (simulator)`, ms: turn.firstTokenMs! });
    console.log(lines.join("\n"));
  });

  test("refuses to play against a wrong token", async () => {
    await expect(runRelayCall({ url: server.url, to: BELLA, from: CALLER, utterances: ["hi"], token: "wrong-token", print: () => {} })).rejects.toThrow("403");
  });
});

describe("relay frames and URLs", () => {
  test("tokens are words with their spacing and join back to the reply", () => {
    const reply = "  Yes, we're open   until 10 PM.\nSee you!";
    const tokens = replyTokens(reply);
    expect(tokens.join("")).toBe(reply);
    expect(tokens.length).toBe(8);
    expect(replyTokens("")).toEqual([]);
  });

  test("frames are validated: Twilio's shapes pass, anything else is refused with a reason", () => {
    expect(parseRelayFrame('{"type":"interrupt","utteranceUntilInterrupt":"Yes,","durationUntilInterruptMs":"460"}')).toEqual({
      ok: true,
      frame: { type: "interrupt", utteranceUntilInterrupt: "Yes,", durationUntilInterruptMs: 460 },
    });
    expect(parseRelayFrame('{"type":"prompt","voicePrompt":"hi","extra":1}')).toMatchObject({ ok: true, frame: { last: true, extra: 1 } });
    expect(parseRelayFrame('{"type":"setup","callSid":"CA1","to":"+15550001111"}')).toMatchObject({ ok: true, frame: { customParameters: {} } });
    for (const bad of ["", "null", "[]", '{"type":"prompt"}', '{"type":"dtmf","digit":""}', '{"type":"x"}', '{"type":"interrupt","durationUntilInterruptMs":"soon"}', "x".repeat(70_000)]) {
      const parsed = parseRelayFrame(bad);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.problem.length).toBeGreaterThan(0);
    }
    // The reason never repeats what the caller said.
    const parsed = parseRelayFrame('{"type":"prompt","voicePrompt":42,"lang":"my card is 4111"}');
    expect(parsed.ok ? "" : parsed.problem).not.toContain("4111");
  });

  test("handoff data round-trips through the end frame; anything else is no handoff", () => {
    const frame = JSON.parse(endFrame({ reason: "transfer", transferTo: "+15550009999" }));
    expect(typeof frame.handoffData).toBe("string");
    expect(parseHandoff(frame.handoffData)).toEqual({ reason: "transfer", transferTo: "+15550009999" });
    for (const other of [undefined, "", "{", '{"reason":"transfer"}', '{"reason":"transfer","transferTo":"555"}', '"goodbye"']) expect(parseHandoff(other)).toBeUndefined();
  });

  test("socket and action URLs come from the public base URL; Say voices map to relay voices", () => {
    expect(relayUrls("https://bot.example.com/base/")).toEqual({ socket: "wss://bot.example.com/base/twilio/relay", action: "https://bot.example.com/base/twilio/relay-action" });
    expect(relayUrls("http://127.0.0.1:3000").socket).toBe("ws://127.0.0.1:3000/twilio/relay");
    expect(relayVoice("Polly.Matthew-Neural")).toEqual({ voice: "Matthew-Neural", ttsProvider: "Amazon" });
    expect(relayVoice("Google.en-US-Neural2-F")).toEqual({ voice: "en-US-Neural2-F", ttsProvider: "Google" });
    expect(relayVoice("alice")).toEqual({ voice: "alice" });
  });
});

describe("shutdown", () => {
  test("SIGTERM closes open relay sockets (1001) and the server exits cleanly", async () => {
    const { client } = await startCall();
    const ws = await ask(client, "do you have parking");
    expect(ws.text).toContain("parking");
    expect(await server.stop()).toBe(0);
    await expect(client.next(2_000)).rejects.toThrow("closed");
    expect(client.closeCode()).toBe(1001);
    expect(server.output()).toContain('"message":"shutting down"');
    expect(server.output()).not.toContain("shutdown deadline passed");
  });
});
