/**
 * Question retention is the operator's explicit choice: with `QUESTION_RETENTION_MS` set, the
 * server keeps each caller's normalised question under the hashed key of its answer, in L2, for
 * exactly that long; without it (the default) no question is written anywhere. Real server
 * processes on a real redis-server, webhooks signed by the official `twilio` package.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Redis } from "ioredis";
import { decodeEnvelope } from "../../src/cache/index.ts";
import { callFields, signedFormRequest } from "../support/twilio-peer.ts";
import { sharedRedis } from "../support/servers.ts";
import { startServer, type ServerProcess } from "../support/server-process.ts";

const TOKEN = "test-auth-token-0123456789";
const SECRET = "a-deployment-secret-of-at-least-32-chars";
const BELLA = "+15550001111";
const RETENTION_MS = 600_000;

let redis: Redis;
let redisUrl: string;
const servers: ServerProcess[] = [];

beforeAll(async () => {
  redisUrl = (await sharedRedis()).url;
  redis = new Redis(redisUrl);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  redis.disconnect();
});

async function serve(prefix: string, extra: Record<string, string>): Promise<ServerProcess> {
  const server = await startServer({ TWILIO_AUTH_TOKEN: TOKEN, CACHE_L2: "redis", REDIS_URL: redisUrl, CACHE_PREFIX: prefix, CACHE_KEY_SECRET: SECRET, LOG_LEVEL: "warn", ...extra });
  servers.push(server);
  return server;
}

async function ask(server: ServerProcess, speech: string): Promise<void> {
  const res = await fetch(signedFormRequest(`${server.url}/twilio/gather`, callFields(`CAret${Math.random().toString(36).slice(2)}`, { SpeechResult: speech }, { to: BELLA }), TOKEN));
  expect(res.status).toBe(200);
  await res.text();
}

async function keysUnder(prefix: string): Promise<string[]> {
  return (await redis.keys(`${prefix}:*`)).sort();
}

test("off by default: no question is written, and no key or value holds the caller's words", async () => {
  const prefix = `qoff${Date.now().toString(36)}`;
  const server = await serve(prefix, {});
  await ask(server, "Do you have PARKING for my quokka?");
  const keys = await keysUnder(prefix);
  expect(keys.some((k) => k.startsWith(`${prefix}:questions:`))).toBe(false);
  for (const key of keys) {
    expect(key).not.toContain("quokka");
    const value = (await redis.type(key)) === "string" ? ((await redis.get(key)) ?? "") : "";
    expect(value).not.toContain("quokka");
  }
});

test("on: the normalised question is kept under its answer's hashed key, L2 only, for the retention", async () => {
  const prefix = `qon${Date.now().toString(36)}`;
  const server = await serve(prefix, { QUESTION_RETENTION_MS: String(RETENTION_MS) });
  await ask(server, "Do you have PARKING for my quokka?");
  let kept: string[] = [];
  for (let i = 0; i < 50 && kept.length === 0; i++) {
    kept = (await keysUnder(prefix)).filter((k) => k.startsWith(`${prefix}:questions:`));
    if (kept.length === 0) await Bun.sleep(20); // the write is not awaited by the turn
  }
  expect(kept).toHaveLength(1);
  const [key] = kept as [string];
  // The key is the hash, never the words; the value is the question, normalised.
  expect(key).not.toContain("quokka");
  const knowledgeKey = key.replace(":questions:", ":knowledge:");
  // The answer's L2 write is not awaited by the turn either, and may land after the question's.
  for (let i = 0; i < 50 && (await redis.exists(knowledgeKey)) === 0; i++) await Bun.sleep(20);
  expect(await redis.exists(knowledgeKey)).toBe(1);
  const decoded = decodeEnvelope<{ businessId: string; question: string; askedAt: number }>((await redis.get(key))!);
  if (!decoded.ok) throw new Error(`the retained question does not decode: ${decoded.reason}`);
  expect(decoded.envelope.value.businessId).toBe("bella-pizza");
  expect(decoded.envelope.value.question).toBe("do you have parking for my quokka");
  const ttl = await redis.pttl(key);
  expect(ttl).toBeGreaterThan(RETENTION_MS - 60_000);
  expect(ttl).toBeLessThanOrEqual(RETENTION_MS);
});

test("an invalid retention is a start-up error naming the variable", async () => {
  const proc = Bun.spawn([process.execPath, "src/server.ts"], { env: { ...process.env, PORT: "0", QUESTION_RETENTION_MS: "-5" }, stdout: "pipe", stderr: "pipe" });
  const code = await proc.exited;
  expect(code).toBe(1);
  expect(await new Response(proc.stderr).text()).toContain("QUESTION_RETENTION_MS");
});
