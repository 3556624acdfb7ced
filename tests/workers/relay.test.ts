/**
 * ConversationRelay on real workerd (miniflare): the Worker accepts the call's WebSocket itself
 * after checking the handshake's signature (made by the official `twilio` package), and streams
 * the replies as tokens.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { findFreePort } from "../../src/ops/redis-server.ts";
import { connectRelay } from "../support/relay-client.ts";
import { callFields, expectedSignature, signedFormRequest } from "../support/twilio-peer.ts";
import { startWorker, type RunningWorker } from "../support/worker.ts";
import { findElement, parseXml } from "../support/xml-tree.ts";

const TOKEN = "worker-relay-auth-token-0123";
const BELLA = "+15550001111";
let worker: RunningWorker;
let base: string;

beforeAll(async () => {
  const port = await findFreePort();
  base = `http://127.0.0.1:${port}`;
  worker = await startWorker({ TWILIO_AUTH_TOKEN: TOKEN, PUBLIC_BASE_URL: base, VOICE_MODE: "relay", LOG_LEVEL: "error" }, { port });
}, 60_000);

afterAll(async () => {
  await worker?.dispose();
});

const socketUrl = () => `${base.replace("http", "ws")}/twilio/relay`;

test("voice answers <Connect><ConversationRelay> and the socket streams the answer, on the Worker", async () => {
  const callSid = `CArelay${Date.now()}`.padEnd(34, "0");
  const res = await worker.fetch(signedFormRequest(`${base}/twilio/voice`, callFields(callSid, { CallStatus: "ringing" }, { to: BELLA }), TOKEN));
  expect(res.status).toBe(200);
  const relay = findElement(parseXml(await res.text()), "ConversationRelay");
  expect(relay?.attributes.url).toBe(socketUrl());

  const client = await connectRelay(socketUrl(), expectedSignature(TOKEN, socketUrl(), {}));
  try {
    client.send({ type: "setup", sessionId: `VX${callSid}`, callSid, from: "+14155550100", to: BELLA, direction: "inbound", customParameters: { businessId: "bella-pizza" } });
    client.send({ type: "prompt", voicePrompt: "do you have parking", lang: "en-US", last: true });
    const first = await client.next();
    expect(first.type).toBe("text");
    const frames = first.last ? [first] : [first, ...(await client.reply())];
    expect(frames.map((f) => f.token).join("")).toContain("parking lot behind the building");
    expect(frames.at(-1)?.last).toBe(true);
  } finally {
    await client.close();
  }
}, 30_000);

test("a relay socket with a bad signature is refused", async () => {
  await expect(connectRelay(socketUrl(), expectedSignature("not-the-token", socketUrl(), {}))).rejects.toThrow();
});
