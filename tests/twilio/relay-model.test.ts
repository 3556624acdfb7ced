/**
 * ConversationRelay with a language model, end to end: a real `bun src/server.ts` process in relay
 * mode over a real redis-server, driven by Bun's WebSocket client as Twilio drives it, and the model
 * stand-in of tests/support/model-standin.ts as the model — a TEST DOUBLE of an OpenAI-compatible
 * server (no language model runs on these machines), paced so a reply streams over time.
 */
import { afterAll, beforeAll, beforeEach, expect, test } from "bun:test";
import { connectRelay, readRelaySession, type Frame, type RelayClient } from "../support/relay-client.ts";
import { sharedRedis, startModelStandin, type ModelStandinProcess } from "../support/servers.ts";
import { startServer, type ServerProcess } from "../support/server-process.ts";
import { expectedSignature, signedFormRequest } from "../support/twilio-peer.ts";
import { waitFor } from "../support/wait.ts";

const TOKEN = "relay-model-token-0123456789";
const SALON = "+15550404040";
const CALLER = "+14155550100";
const REPLY = "Yes, well-behaved dogs are welcome. Please keep them on a lead. There is water for them by the door.";

const PREFIX = `relaymodel${Date.now()}`;
let redisUrl: string;
let server: ServerProcess;
let standin: ModelStandinProcess;
let sid = 0;

beforeAll(async () => {
  ({ url: redisUrl } = await sharedRedis());
  standin = await startModelStandin();
  server = await startServer({
    TWILIO_AUTH_TOKEN: TOKEN,
    VOICE_MODE: "relay",
    BUSINESSES_FILE: "tests/fixtures/businesses/salon.json",
    CACHE_L2: "redis",
    REDIS_URL: redisUrl,
    CACHE_PREFIX: PREFIX,
    LLM_BASE_URL: standin.baseUrl,
    LLM_API_KEY: standin.apiKey,
    LLM_MODEL: "standin-chat",
    CACHE_KEY_SECRET: "relay-model-secret-0123456789abcdef",
    LLM_SOFT_TIMEOUT_MS: "1200",
    LOG_LEVEL: "error",
  });
});
afterAll(async () => {
  await server?.stop();
  await standin?.stop();
});
beforeEach(async () => {
  await standin.reset();
});

const readSession = (callSid: string) => readRelaySession(redisUrl, PREFIX, callSid);

async function startCall(): Promise<RelayClient & { callSid: string }> {
  const callSid = `CA${Date.now()}${sid++}`.padEnd(34, "0");
  const params = { AccountSid: "AC" + "0".repeat(32), ApiVersion: "2010-04-01", CallSid: callSid, CallStatus: "ringing", Direction: "inbound", From: CALLER, To: SALON };
  expect((await fetch(signedFormRequest(`${server.url}/twilio/voice`, params, TOKEN))).status).toBe(200);
  const socketUrl = `ws://127.0.0.1:${server.port}/twilio/relay`;
  const client = await connectRelay(socketUrl, expectedSignature(TOKEN, socketUrl, {}));
  client.send({ type: "setup", sessionId: `VX${callSid}`, callSid, from: CALLER, to: SALON, direction: "inbound", customParameters: {} });
  return Object.assign(client, { callSid });
}

test("a prompt the FAQs cannot answer streams the model's answer sentence by sentence as it is produced", async () => {
  await standin.control({ tokensPerSecond: 40, reply: { text: REPLY, count: 1 } });
  const client = await startCall();
  client.send({ type: "prompt", voicePrompt: "Can I bring my dog along?", lang: "en-US", last: true });
  const frames: Frame[] = [];
  for (;;) {
    const frame = await client.next(5_000);
    frames.push(frame);
    if (frame.last) break;
  }
  const text = frames.map((f) => f.token ?? "").join("");
  expect(text.trim()).toBe(REPLY);
  // Three sentences went out as three frames before the end of the utterance, not one reply at the end.
  const sentences = frames.filter((f) => !f.last && (f.token ?? "").trim() !== "");
  expect(sentences.map((f) => f.token!.trim())).toEqual([
    "Yes, well-behaved dogs are welcome.",
    "Please keep them on a lead.",
    "There is water for them by the door.",
  ]);
  expect((await standin.requests()).chat).toBe(1);
  await client.close();
});

test("an interrupt aborts the model request", async () => {
  // Slow enough that the caller speaks over it after the first sentence.
  await standin.control({ tokensPerSecond: 10, reply: { text: REPLY, count: 1 } });
  const client = await startCall();
  client.send({ type: "prompt", voicePrompt: "Is my dog allowed inside?", lang: "en-US", last: true });
  const first = await client.next(10_000);
  expect(first.token?.trim()).toBe("Yes, well-behaved dogs are welcome.");
  client.send({ type: "interrupt", utteranceUntilInterrupt: "Yes, well-behaved", durationUntilInterruptMs: "900" });
  await waitFor("the stand-in to see the request aborted", async () => (await standin.requests()).log[0]?.clientAborted === true);
  // Cut short is not a miss: the bot did not fail to answer, the caller moved on.
  await waitFor("the session to record the interruption", async () => (await readSession(client.callSid))?.lastInterruption !== undefined);
  const session = await readSession(client.callSid);
  expect(session?.misses).toBe(0);
  expect(session?.lastReply).not.toBe("");
  // What was cut short is not cached: the same question asks the model again.
  client.send({ type: "prompt", voicePrompt: "Is my dog allowed inside?", lang: "en-US", last: true });
  await waitFor("a second model call", async () => (await standin.requests()).chat === 2);
  await client.close();
});

test("a model slower than the soft timeout: the caller hears the filler, then the answer", async () => {
  await standin.control({ firstChunkDelayMs: 1_800, reply: { text: "Yes, we do bridal hair trials.", count: 1 } });
  const client = await startCall();
  client.send({ type: "prompt", voicePrompt: "Do you do bridal hair trials?", lang: "en-US", last: true });
  const frames: Frame[] = [];
  for (;;) {
    const frame = await client.next(6_000);
    frames.push(frame);
    if (frame.last) break;
  }
  expect(frames.map((f) => (f.token ?? "").trim()).filter((t) => t !== "")).toEqual(["One moment, let me check.", "Yes, we do bridal hair trials."]);
  expect((await standin.requests()).chat).toBe(1);
  await client.close();
});
