/**
 * An operator reading the server's log learns when Redis went away and came back: a real server
 * on a dedicated redis-server that is killed and restarted logs the breaker opening (`warn`) and
 * closing (`info`) once per transition, and the bus going down and up, naming the L2 kind and no
 * address.
 */
import { afterAll, expect, test } from "bun:test";
import { callFields, signedFormRequest } from "../support/twilio-peer.ts";
import { startRedis } from "../support/servers.ts";
import { startServer, type ServerProcess } from "../support/server-process.ts";

const TOKEN = "test-auth-token-0123456789";
const ADMIN = "admin-token-0123456789abcdef";

const stops: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
});

type LogLine = { level: string; message: string; [field: string]: unknown };
const lines = (server: ServerProcess): LogLine[] =>
  server
    .output()
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as LogLine);

test("breaker and bus transitions are logged once each, with the L2 kind and no address", async () => {
  const redis = await startRedis();
  stops.push(() => redis.stop());
  const server = await startServer({
    TWILIO_AUTH_TOKEN: TOKEN,
    ADMIN_TOKEN: ADMIN,
    CACHE_L2: "redis",
    REDIS_URL: redis.url,
    CACHE_PREFIX: `log${Date.now().toString(36)}`,
    CACHE_KEY_SECRET: "a-deployment-secret-of-at-least-32-chars",
    CACHE_L2_TIMEOUT_MS: "100",
    CACHE_BREAKER_FAILURES: "2",
    CACHE_BREAKER_OPEN_MS: "300",
  });
  stops.push(() => server.stop());
  let turn = 0;
  const ask = () =>
    fetch(signedFormRequest(`${server.url}/twilio/gather`, callFields(`CAlog${turn}`, { SpeechResult: `is there parking number ${turn++}` }, { from: "+14155550100", to: "+15550001111" }), TOKEN));
  const breakerState = async () =>
    ((await (await fetch(`${server.url}/cache/stats`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as { breaker: { state: string; transitions: { open: number; closed: number } } }).breaker;

  expect((await ask()).status).toBe(200);
  await redis.kill();
  for (let i = 0; i < 50 && (await breakerState()).state !== "open"; i++) expect((await ask()).status).toBe(200);
  // More failing calls while it is open log nothing more.
  for (let i = 0; i < 5; i++) expect((await ask()).status).toBe(200);
  await redis.restart();
  for (let i = 0; i < 200 && (await breakerState()).state !== "closed"; i++) {
    await ask();
    await Bun.sleep(25);
  }
  const { transitions } = await breakerState();
  expect(transitions.open).toBeGreaterThanOrEqual(1);

  const log = lines(server);
  const opened = log.filter((l) => l.message.startsWith("cache L2 breaker opened"));
  const closed = log.filter((l) => l.message.startsWith("cache L2 breaker closed"));
  expect(opened.length).toBe(transitions.open);
  expect(closed.length).toBe(transitions.closed);
  expect(opened.every((l) => l.level === "warn" && l.l2 === "redis")).toBe(true);
  expect(closed.every((l) => l.level === "info" && l.l2 === "redis")).toBe(true);
  const busDown = log.filter((l) => l.message.startsWith("cache invalidation bus down"));
  expect(busDown.length).toBeGreaterThanOrEqual(1);
  expect(busDown.every((l) => l.level === "warn" && l.l2 === "redis")).toBe(true);
  const transitionLines = log.filter((l) => l.message.startsWith("cache "));
  expect(JSON.stringify(transitionLines)).not.toContain(String(redis.port));
  expect(JSON.stringify(transitionLines)).not.toContain("127.0.0.1");
}, 60_000);
