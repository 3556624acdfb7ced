/**
 * The same server on Deno: `deno task server` (deno.json beside package.json, sharing
 * node_modules) as a real child process, with Upstash (through the test shim) and with Redis as
 * L2. Each plays a call with signed webhooks — greeting, a question, goodbye — and checks the
 * replies, that the session reached the L2, and that SIGTERM shuts down cleanly. The relay socket
 * is checked on Deno too (`Deno.upgradeWebSocket` behind src/runtime/websocket.ts).
 *
 * Deno is required: without it these tests fail and say how to install it.
 */
import { describe, expect, test } from "bun:test";
import { Redis } from "ioredis";
import { findElement, parseXml, textOf } from "../support/xml-tree.ts";
import { startServer, type ServerProcess } from "../support/server-process.ts";
import { callFields, expectedSignature, signedFormRequest } from "../support/twilio-peer.ts";
import { sharedRedis, sharedUpstash } from "../support/servers.ts";

const INSTALL_HINT = "deno is not on PATH. Install Deno 2.x with `npm install -g deno` (the binary ships in the npm package), then check `deno --version`.";
const TOKEN = "deno-smoke-token-0123456789";
const BELLA = "+15550001111";
const CALLER = "+14155550100";
const START_TIMEOUT_MS = 45_000;

function denoBinary(): string {
  const deno = Bun.which("deno");
  if (deno === null) throw new Error(INSTALL_HINT);
  return deno;
}

/** `deno task server` with `env`, once `/health` answers. */
function startDenoServer(env: Record<string, string>): Promise<ServerProcess> {
  return startServer({ NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", ...env }, { command: [denoBinary(), "task", "server"], waitMs: START_TIMEOUT_MS });
}

const find = findElement;

/** Plays greeting → a question → goodbye with signed webhooks; returns the transcript. */
async function playCall(server: ServerProcess, callSid: string): Promise<string[]> {
  const transcript: string[] = [];
  const params = (extra: Record<string, string>) => callFields(callSid, extra, { from: CALLER, to: BELLA });
  const post = async (path: string, fields: Record<string, string>) => {
    const res = await fetch(signedFormRequest(`${server.url}${path}`, fields, TOKEN));
    expect(res.status).toBe(200);
    expect(res.headers.get("server-timing")).toMatch(/total;dur=[\d.]+/);
    return parseXml(await res.text());
  };

  const greeting = await post("/twilio/voice", params({ CallStatus: "ringing" }));
  const gather = find(greeting, "Gather");
  expect(gather?.attributes).toMatchObject({ input: "dtmf speech", numDigits: "1" });
  // Each turn goes to the action the reply before gave, as Twilio does: the call's state travels in it.
  const actionPath = (doc: ReturnType<typeof parseXml>) => find(doc, "Gather")!.attributes.action!.slice(server.url.length);
  expect(gather?.attributes.action).toStartWith(`${server.url}/twilio/gather?s=1.`);
  expect(textOf(find(gather!, "Say"))).toBe("Thanks for calling Bella Pizza. How can I help?");
  transcript.push(`bot:    ${textOf(find(gather!, "Say"))}`);

  const question = "Is there somewhere to park my car?";
  const answer = await post(actionPath(greeting), params({ SpeechResult: question, Confidence: "0.9" }));
  transcript.push(`caller: ${question}`, `bot:    ${textOf(find(answer, "Say"))}`);
  expect(textOf(find(find(answer, "Gather")!, "Say"))).toContain("parking lot behind the building");

  const bye = await post(actionPath(answer), params({ SpeechResult: "that's all, goodbye", Confidence: "0.9" }));
  transcript.push("caller: that's all, goodbye", `bot:    ${textOf(find(bye, "Say"))}`);
  expect(textOf(find(bye, "Say"))).toContain("Goodbye");
  expect(find(bye, "Hangup")).toBeDefined();
  expect(find(bye, "Gather")).toBeUndefined();

  const status = await fetch(signedFormRequest(`${server.url}/twilio/status`, params({ CallStatus: "completed", CallDuration: "9", SequenceNumber: "3" }), TOKEN));
  expect(status.status).toBe(204);
  return transcript;
}

/** The session key as the cache writes it (`prefix:session:CallSid`) is present in the L2's Redis. */
async function sessionStored(redisUrl: string, prefix: string, callSid: string): Promise<boolean> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    return (await redis.exists(`${prefix}:session:${callSid}`)) === 1;
  } finally {
    redis.disconnect();
  }
}

describe("voxedge on Deno", () => {
  test("deno is installed", async () => {
    const proc = Bun.spawn([denoBinary(), "--version"], { stdout: "pipe", env: { PATH: process.env.PATH ?? "", NO_COLOR: "1" } });
    const version = await new Response(proc.stdout).text();
    expect(await proc.exited).toBe(0);
    expect(version).toMatch(/^deno 2\./);
    console.log(version.split("\n")[0]);
  });

  test("with CACHE_L2=upstash: a signed call from greeting to goodbye; the session is in Upstash", async () => {
    denoBinary();
    const upstash = await sharedUpstash();
    const prefix = `denoup${Date.now()}`;
    const server = await startDenoServer({
      TWILIO_AUTH_TOKEN: TOKEN,
      CACHE_L2: "upstash",
      UPSTASH_REDIS_REST_URL: upstash.url,
      UPSTASH_REDIS_REST_TOKEN: upstash.token,
      CACHE_PREFIX: prefix,
    });
    try {
      expect(server.output()).toContain('"l2":"upstash"');
      const callSid = `CA${Date.now()}upstash`.padEnd(34, "0");
      const transcript = await playCall(server, callSid);
      expect(await sessionStored(upstash.redisUrl, prefix, callSid)).toBe(true);
      console.log(`deno + upstash:\n  ${transcript.join("\n  ")}`);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(server.output()).toContain('"message":"shutting down"');
  }, 90_000);

  test("with CACHE_L2=redis: a signed call from greeting to goodbye, and the relay socket", async () => {
    denoBinary();
    const { url: redisUrl } = await sharedRedis();
    const prefix = `denoredis${Date.now()}`;
    const server = await startDenoServer({ TWILIO_AUTH_TOKEN: TOKEN, CACHE_L2: "redis", REDIS_URL: redisUrl, CACHE_PREFIX: prefix });
    try {
      expect(server.output()).toContain('"l2":"redis"');
      const callSid = `CA${Date.now()}redis`.padEnd(34, "0");
      const transcript = await playCall(server, callSid);
      expect(await sessionStored(redisUrl, prefix, callSid)).toBe(true);
      console.log(`deno + redis:\n  ${transcript.join("\n  ")}`);

      // The relay socket through Deno.upgradeWebSocket: refused unsigned, streamed when signed.
      const socketUrl = `ws://127.0.0.1:${server.port}/twilio/relay`;
      const refused = await fetch(`${server.url}/twilio/relay`, {
        headers: { upgrade: "websocket", connection: "Upgrade", "sec-websocket-key": btoa("0123456789abcdef"), "sec-websocket-version": "13", "x-twilio-signature": "bad" },
      });
      expect(refused.status).toBe(403);
      const reply = await relayAsk(socketUrl, callSid, "Do you deliver?");
      expect(reply.frames.at(-1)?.last).toBe(true);
      expect(reply.frames.slice(0, -1).every((f) => f.last === false)).toBe(true);
      expect(reply.text.toLowerCase()).toContain("deliver");
      console.log(`deno relay: "Do you deliver?" → ${reply.frames.length} tokens, first after ${reply.firstTokenMs.toFixed(2)} ms: ${reply.text}`);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 90_000);
});

// Bun's client takes handshake headers; the DOM typings do not know that option.
const WebSocketWithHeaders = WebSocket as unknown as new (url: string, options: { headers: Record<string, string> }) => WebSocket;

/** Opens a signed relay socket, sends setup and one prompt, and collects the reply's text frames. */
function relayAsk(socketUrl: string, callSid: string, prompt: string): Promise<{ frames: Array<{ token: string; last: boolean }>; text: string; firstTokenMs: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocketWithHeaders(socketUrl, { headers: { "x-twilio-signature": expectedSignature(TOKEN, socketUrl, {}) } });
    const frames: Array<{ token: string; last: boolean }> = [];
    let sentAt = 0;
    let firstTokenMs = 0;
    const timer = setTimeout(() => {
      ws.close();
      reject(new Error(`no complete reply within 10 s (${frames.length} tokens)`));
    }, 10_000);
    ws.onerror = () => reject(new Error("relay socket refused"));
    ws.onopen = () => {
      ws.send(JSON.stringify({ type: "setup", callSid, from: CALLER, to: BELLA, customParameters: { businessId: "bella-pizza" } }));
      sentAt = performance.now();
      ws.send(JSON.stringify({ type: "prompt", voicePrompt: prompt, last: true }));
    };
    ws.onmessage = (event) => {
      const frame = JSON.parse(String(event.data)) as { type: string; token: string; last: boolean };
      if (frame.type !== "text") return;
      if (frames.length === 0) firstTokenMs = performance.now() - sentAt;
      frames.push(frame);
      if (frame.last) {
        clearTimeout(timer);
        ws.close();
        resolve({ frames, text: frames.map((f) => f.token).join(""), firstTokenMs });
      }
    };
  });
}
