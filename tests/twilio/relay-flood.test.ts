/**
 * A flooding ConversationRelay peer: 10,000 frames in one burst over a real, signed WebSocket
 * against a real `bun src/server.ts`. The frame budget drops what is over it unread, the socket
 * writes at most one warning line, stays usable, and its end-of-call line counts the drops.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { connectRelay } from "../support/relay-client.ts";
import { startServer, type ServerProcess } from "../support/server-process.ts";
import { expectedSignature, signedFormRequest, callFields } from "../support/twilio-peer.ts";

const TOKEN = "relay-flood-token-0123456789";
const BELLA = "+15550001111";
const FLOOD = 10_000;

let server: ServerProcess;

beforeAll(async () => {
  server = await startServer({ TWILIO_AUTH_TOKEN: TOKEN, VOICE_MODE: "relay", LOG_LEVEL: "debug" });
});
afterAll(async () => {
  await server?.stop();
});

const lines = (callSid: string) => server.output().split("\n").filter((line) => line.includes(`"callSid":"${callSid}"`));
const warnLines = () => server.output().split("\n").filter((line) => line.includes('"level":"warn"'));

async function waitFor(check: () => boolean, ms = 5_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check() && Date.now() < until) await Bun.sleep(20);
}

test("10,000 frames in a burst: excess dropped and counted, one warning line, the socket still answers", async () => {
  const callSid = `CA${"f".repeat(32)}`;
  const voice = await fetch(signedFormRequest(`${server.url}/twilio/voice`, callFields(callSid, { CallStatus: "ringing" }), TOKEN));
  expect(voice.status).toBe(200);
  const socketUrl = `ws://127.0.0.1:${server.port}/twilio/relay`;
  const client = await connectRelay(socketUrl, expectedSignature(TOKEN, socketUrl, {}));
  client.send({ type: "setup", callSid, from: "+14155550100", to: BELLA, customParameters: {} });
  const warningsBefore = warnLines().length;

  // A mix a runaway peer might send: partial prompts, digits, bad frames and error frames.
  for (let i = 0; i < FLOOD; i++) {
    if (i % 4 === 0) client.send({ type: "prompt", voicePrompt: "do you", last: false });
    else if (i % 4 === 1) client.send({ type: "dtmf", digit: "5" });
    else if (i % 4 === 2) client.sendRaw("not a frame");
    else client.send({ type: "error", description: "something broke" });
  }

  // The budget refills at 50 frames/s: after a short pause the socket answers a real question.
  await Bun.sleep(500);
  client.send({ type: "prompt", voicePrompt: "do you have parking", last: true });
  const first = await client.next(10_000);
  expect(first.type).toBe("text");
  const reply = first.last ? [first] : [first, ...(await client.reply())];
  expect(reply.map((f) => f.token).join("").toLowerCase()).toContain("parking");

  expect(warnLines().length - warningsBefore).toBeLessThanOrEqual(1);
  expect(lines(callSid).filter((line) => line.includes('"level":"warn"')).length).toBeLessThanOrEqual(1);

  await client.close();
  await waitFor(() => lines(callSid).some((line) => line.includes("relay: socket closed")));
  const closing = JSON.parse(lines(callSid).find((line) => line.includes("relay: socket closed"))!) as Record<string, number | string>;
  expect(closing.level).toBe("info");
  // At most the burst (100) plus what refilled meanwhile got through; everything else was counted.
  expect(Number(closing.droppedFrames)).toBeGreaterThan(FLOOD - 1_000);
  expect(Number(closing.droppedFrames)).toBeLessThan(FLOOD);
  // Debug lines of the digits without a meaning are bounded by the budget too.
  expect(lines(callSid).filter((line) => line.includes("a digit without a meaning")).length).toBeLessThan(200);
  expect((await fetch(`${server.url}/health`)).status).toBe(200);
  console.log(`relay flood: ${FLOOD} frames sent, ${closing.droppedFrames} dropped, ${warnLines().length - warningsBefore} warning line(s)`);
});
