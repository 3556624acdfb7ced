/**
 * Nothing of a caller reaches the log, at any level. A real `bun src/server.ts` runs with
 * LOG_LEVEL=debug against a real HTTP business directory that stalls, fails, breaks its answer
 * and echoes what it was asked; every failure path a caller or a peer can reach is driven with
 * recognisable numbers and words (webhooks signed by the official `twilio` package, relay frames
 * over a real signed WebSocket). Then the whole output, stdout and stderr, is searched for them.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { connectRelay, type RelayClient } from "../support/relay-client.ts";
import { startServer, type ServerProcess } from "../support/server-process.ts";
import { callFields, expectedSignature, signedFormRequest } from "../support/twilio-peer.ts";

const TOKEN = "log-privacy-token-0123456789";
const CALLER = "+15557654321";
const CARD = "4111111111111111";
const PHRASE = "zanzibar marmalade";
/** Dialled numbers, one per way the directory behaves. */
const DIALLED = {
  stall: "+15559870001",
  status502: "+15559870002",
  brokenBody: "+15559870003",
  notJson: "+15559870004",
  invalidData: "+15559870005",
  unknown: "+15559870006",
  ok: "+15559870007",
} as const;
/** What must not appear anywhere in the output. */
const SECRETS = [CALLER.slice(2), CARD, "41111111", "4111 1111", PHRASE, "zanzibar", "marmalade", "559870", "%2B1555"];

const modeOf = (number: string) => Object.entries(DIALLED).find(([, n]) => n === number)?.[0];

const directory = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  async fetch(request) {
    const number = decodeURIComponent(new URL(request.url).pathname.split("/").pop() ?? "");
    const echo = `${number} ${CARD} ${PHRASE}`;
    switch (modeOf(number)) {
      case "stall":
        await Bun.sleep(1_000);
        return new Response("late");
      case "status502":
        return new Response(`upstream broke for ${echo}`, { status: 502 });
      case "brokenBody":
        return new Response(
          new ReadableStream({
            start(controller) {
              controller.enqueue(new TextEncoder().encode(`{"id":"${echo}"`));
              // The answer is cut short: the server sees its connection reset mid-body.
              controller.error(new Error("the test directory cuts this answer short"));
            },
          }),
          { headers: { "content-type": "application/json" } },
        );
      case "notJson":
        return new Response(`not json: ${echo}`, { headers: { "content-type": "application/json" } });
      case "invalidData":
        return Response.json({ id: `bad ${echo}`, name: Number(CARD), phoneNumbers: [number, CALLER], greeting: 7 });
      case "ok":
        return Response.json({ id: "corner-cafe", name: "Corner Cafe", phoneNumbers: [number] });
      default:
        return new Response("no such number", { status: 404 });
    }
  },
});

let server: ServerProcess;
let sid = 0;
const newCallSid = () => `CA${String(sid++).padStart(2, "0")}${"e".repeat(30)}`;

beforeAll(async () => {
  server = await startServer({
    TWILIO_AUTH_TOKEN: TOKEN,
    LOG_LEVEL: "debug",
    BUSINESS_API_URL: `http://127.0.0.1:${directory.port}`,
    BUSINESS_API_TIMEOUT_MS: "200",
  });
});
afterAll(async () => {
  await server?.stop();
  directory.stop(true);
});

function webhook(path: string, to: string, extra: Record<string, string> = {}): Promise<Response> {
  return fetch(signedFormRequest(`${server.url}${path}`, callFields(newCallSid(), extra, { from: CALLER, to }), TOKEN));
}

async function relay(): Promise<RelayClient> {
  const url = `ws://127.0.0.1:${server.port}/twilio/relay`;
  return connectRelay(url, expectedSignature(TOKEN, url, {}));
}

const setup = (to: string) => ({ type: "setup", callSid: newCallSid(), from: CALLER, to, customParameters: { note: PHRASE } });

async function waitForLog(text: string, count = 1): Promise<void> {
  const until = Date.now() + 5_000;
  while (server.output().split(text).length - 1 < count && Date.now() < until) await Bun.sleep(20);
}

test("every failure path, driven with a caller's number, a card number and a phrase, logs none of them", async () => {
  // Webhooks: every way the directory fails, an unknown number, and a call that is answered.
  for (const to of Object.values(DIALLED)) {
    expect((await webhook("/twilio/voice", to)).status).toBe(200);
    const said = `${PHRASE}, my card is ${CARD.replace(/(\d{4})/g, "$1 ").trim()}, call me on ${CALLER}`;
    expect((await webhook("/twilio/gather", to, { SpeechResult: said, Confidence: "0.9", Digits: CARD })).status).toBe(200);
  }
  expect((await webhook("/twilio/status", DIALLED.ok, { CallStatus: "completed", CallDuration: "4111" })).status).toBeLessThan(500);
  // The action webhook after a relay transfer, while the directory fails.
  const handoff = JSON.stringify({ reason: "transfer", transferTo: CALLER });
  expect((await webhook("/twilio/relay-action", DIALLED.status502, { HandoffData: handoff })).status).toBe(200);

  // Malformed webhooks: broken encoding, missing fields, wrong type, bad signature, too large.
  const form = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/twilio/gather`, { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded", ...headers } });
  expect((await form(`From=${encodeURIComponent(CALLER)}&SpeechResult=${PHRASE}%ZZ${CARD}`)).status).toBe(400);
  expect((await form(`From=${encodeURIComponent(CALLER)}&SpeechResult=${encodeURIComponent(PHRASE)}`)).status).toBeGreaterThanOrEqual(400);
  expect((await form(`SpeechResult=${CARD}`, { "content-type": `text/plain; ${PHRASE}` })).status).toBe(415);
  expect((await form(`CallSid=CA1&To=${encodeURIComponent(DIALLED.ok)}&SpeechResult=${CARD}`, { "x-twilio-signature": `${CARD}=` })).status).toBe(403);
  expect((await form(`SpeechResult=${PHRASE.repeat(10_000)}`)).status).toBe(413);
  const forged = signedFormRequest(`${server.url}/twilio/gather`, callFields(newCallSid(), { SpeechResult: PHRASE }, { from: CALLER, to: DIALLED.ok }), "not-the-token");
  expect((await fetch(forged)).status).toBe(403);

  // Relay: digits, Twilio errors with a description, invalid frames, frames before setup; a
  // socket per kind, as each socket writes one warning a minute.
  const digits = await relay();
  digits.send(setup(DIALLED.ok));
  for (const digit of CARD) digits.send({ type: "dtmf", digit });
  digits.send({ type: "prompt", voicePrompt: `${PHRASE} ${CARD}`, last: true });
  await digits.reply();
  const sockets: RelayClient[] = [digits];
  const oneFrame = async (frame: unknown, to: string | null = DIALLED.ok) => {
    const socket = await relay();
    sockets.push(socket);
    if (to !== null) socket.send(setup(to));
    if (typeof frame === "string") socket.sendRaw(frame);
    else socket.send(frame);
  };
  await oneFrame({ type: "error", description: `${PHRASE}: could not dial ${CALLER}, card ${CARD}` });
  await oneFrame({ type: "error", description: `${PHRASE} ${CARD}`, code: CARD });
  await oneFrame(`${PHRASE} ${CARD} ${CALLER}`);
  await oneFrame({ type: "prompt", voicePrompt: Number(CARD), lang: PHRASE });
  await oneFrame({ type: "dtmf", digit: Number(CARD) });
  await oneFrame({ type: "prompt", voicePrompt: PHRASE, last: true }, null);
  await oneFrame({ type: "dtmf", digit: "4" }, null);
  await oneFrame({ type: "prompt", voicePrompt: PHRASE, last: true }, DIALLED.stall);
  await oneFrame({ type: "prompt", voicePrompt: PHRASE, last: true }, DIALLED.brokenBody);
  await oneFrame({ type: "prompt", voicePrompt: PHRASE, last: true }, DIALLED.invalidData);
  await oneFrame({ type: "prompt", voicePrompt: PHRASE, last: true }, DIALLED.unknown);

  await waitForLog("relay: business lookup failed", 3);
  for (const socket of sockets) await socket.close();
  await waitForLog("relay: socket closed", sockets.length);
  expect(await server.stop()).toBe(0);
  const output = server.output();

  // The paths were reached: each left its line.
  const count = (text: string) => output.split(text).length - 1;
  expect(count('"business lookup failed"')).toBeGreaterThanOrEqual(8);
  for (const kind of ["did not answer", "answered 502", "could not be reached", "invalid JSON", "invalid data"]) expect(output).toContain(kind);
  expect(count("relay: business lookup failed")).toBeGreaterThanOrEqual(3);
  for (const line of [
    "relay action: business lookup failed",
    "relay: a digit without a meaning",
    "relay: Twilio reported an error",
    "relay: invalid frame ignored",
    "relay: prompt before setup ignored",
    "relay: dtmf before setup ignored",
  ]) {
    expect(output).toContain(line);
  }

  // And none of the caller's numbers, digits or words is anywhere in it.
  const lower = output.toLowerCase();
  const found = SECRETS.filter((secret) => lower.includes(secret.toLowerCase()));
  if (found.length > 0) {
    const lines = output.split("\n").filter((line) => SECRETS.some((s) => line.toLowerCase().includes(s.toLowerCase())));
    throw new Error(`found ${found.join(", ")} in the log:\n${lines.join("\n")}`);
  }
  expect(found).toEqual([]);
  console.log(`log privacy: ${output.split("\n").length} lines at debug level searched for ${SECRETS.length} caller strings, none found`);
});

test("an Upstash L2 whose errors echo the commands (keys are questions today): nothing of them reaches the log", async () => {
  // A stand-in for a failing Upstash REST endpoint: every data request is refused with an error
  // that quotes the command's arguments, the way Redis does for an unknown command, or answered
  // by a proxy page that echoes the request body.
  let requests = 0;
  const upstash = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      const body = await request.text();
      if (new URL(request.url).pathname.startsWith("/subscribe")) return new Response("nope", { status: 503 });
      requests++;
      if (requests % 2 === 0) return new Response(`<html>proxy error for ${body}</html>`, { status: 502 });
      const args = (JSON.parse(body) as unknown[]).flat().map((part) => `'${String(part)}'`).join(" ");
      return Response.json({ error: `ERR unknown command, with args beginning with: ${args}` }, { status: 400 });
    },
  });
  const l2Server = await startServer({
    TWILIO_AUTH_TOKEN: TOKEN,
    LOG_LEVEL: "debug",
    CACHE_L2: "upstash",
    UPSTASH_REDIS_REST_URL: `http://127.0.0.1:${upstash.port}`,
    UPSTASH_REDIS_REST_TOKEN: "upstash-token-0123456789",
  });
  try {
    const said = `${PHRASE}, my card is ${CARD}, call me on ${CALLER}`;
    for (let i = 0; i < 6; i++) {
      const res = await fetch(
        signedFormRequest(`${l2Server.url}/twilio/gather`, callFields(newCallSid(), { SpeechResult: `${said} ${i}`, Confidence: "0.9" }, { from: CALLER }), TOKEN),
      );
      expect(res.status).toBe(200);
    }
    const ready = await (await fetch(`${l2Server.url}/health/ready`)).text();
    expect(requests).toBeGreaterThan(0);
    expect(await l2Server.stop()).toBe(0);
    const lower = l2Server.output().toLowerCase();
    expect(SECRETS.filter((secret) => lower.includes(secret.toLowerCase()))).toEqual([]);
    // Not a log, but worth knowing: what the readiness answer shows of the last L2 error.
    const readyLeaks = SECRETS.filter((secret) => ready.toLowerCase().includes(secret.toLowerCase()));
    console.log(`upstash errors: ${requests} failed requests; log clean; /health/ready shows ${readyLeaks.length === 0 ? "none of them" : readyLeaks.join(", ")}`);
  } finally {
    await l2Server.stop();
    upstash.stop(true);
  }
});
