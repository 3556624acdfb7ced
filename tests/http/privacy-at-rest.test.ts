/**
 * What stays in Redis after many calls, through the real server: 5,000 gather turns with distinct
 * questions on two `bun src/server.ts` instances sharing a real redis-server, then every key of
 * the deployment is read back. No key and no value holds a word the callers said; tags cost one
 * small key each, however many entries carry them; a tag invalidated through the admin route
 * makes both instances read the entry again.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Redis } from "ioredis";
import { decodeEnvelope } from "../../src/cache/index.ts";
import { callFields, signedFormRequest } from "../support/twilio-peer.ts";
import { sharedRedis } from "../support/servers.ts";
import { startServer, type ServerProcess } from "../support/server-process.ts";

const TOKEN = "test-auth-token-0123456789";
const ADMIN = "admin-token-0123456789abcdef";
const SECRET = "a-deployment-secret-of-at-least-32-chars";
const BELLA = "+15550001111";
const CALLER = "+14155550100";
const TURNS = 5_000;
const IN_FLIGHT = 16;

/** Words only callers say here: a few fixed ones, and one made-up word and one card-like number per turn. */
const FIXED_WORDS = ["zebulon", "marmalade", "quokka"];
const turnWord = (i: number) => `zq${i.toString(36)}xv`;
const turnNumber = (i: number) => String(4_111_000_000 + i);
const question = (i: number) =>
  `do you have parking for ${FIXED_WORDS[i % FIXED_WORDS.length]} ${turnWord(i)} my card is ${turnNumber(i)}`;

const prefix = `priv${Date.now().toString(36)}`;
let a: ServerProcess;
let b: ServerProcess;
let redisUrl: string;

beforeAll(async () => {
  redisUrl = (await sharedRedis()).url;
  const env = { TWILIO_AUTH_TOKEN: TOKEN, ADMIN_TOKEN: ADMIN, CACHE_L2: "redis", REDIS_URL: redisUrl, CACHE_PREFIX: prefix, CACHE_KEY_SECRET: SECRET, LOG_LEVEL: "warn" };
  [a, b] = await Promise.all([startServer(env), startServer(env)]);
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

async function turn(server: ServerProcess, callSid: string, speech: string): Promise<string> {
  const res = await fetch(signedFormRequest(`${server.url}/twilio/gather`, callFields(callSid, { SpeechResult: speech, Confidence: "0.9" }, { from: CALLER, to: BELLA }), TOKEN));
  expect(res.status).toBe(200);
  return res.text();
}

type Counters = { l1Hits: number; l2Hits: number; loaderHits: number };
async function knowledgeCounters(server: ServerProcess): Promise<Counters> {
  const res = await fetch(`${server.url}/cache/stats`, { headers: { authorization: `Bearer ${ADMIN}` } });
  return ((await res.json()) as { namespaces: { knowledge: Counters } }).namespaces.knowledge;
}

/** Every key under the deployment's prefix with its type and readable content (envelopes decoded). */
async function readEverything(redis: Redis): Promise<Array<{ key: string; type: string; entries: number; text: string }>> {
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1_000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== "0");
  const out: Array<{ key: string; type: string; entries: number; text: string }> = [];
  for (const key of keys) {
    const type = await redis.type(key);
    if (type === "string") {
      const raw = (await redis.get(key)) ?? "";
      const decoded = decodeEnvelope(raw);
      out.push({ key, type, entries: 1, text: decoded.ok ? JSON.stringify(decoded.envelope) : raw });
    } else if (type === "set") {
      const members = await redis.smembers(key);
      out.push({ key, type, entries: members.length, text: members.join(" ") });
    } else if (type === "hash") {
      const fields = await redis.hgetall(key);
      out.push({ key, type, entries: Object.keys(fields).length, text: JSON.stringify(fields) });
    } else {
      out.push({ key, type, entries: Number.NaN, text: "" });
    }
  }
  return out;
}

test(`after ${TURNS} gather turns with distinct questions, Redis holds no caller word and O(tags) tag state`, async () => {
  const instances = [a, b];
  let next = 0;
  let answered = 0;
  const worker = async () => {
    while (next < TURNS) {
      const i = next++;
      const xml = await turn(instances[i % 2] as ServerProcess, `CAprivacy${Math.floor(i / 10)}`, question(i));
      if (xml.includes("<Say")) answered++;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  expect(answered).toBe(TURNS);

  // Tag invalidation through the admin route still makes both instances read the entry again.
  const repeated = question(0);
  await turn(a, "CAprivacy-repeat", repeated);
  await turn(b, "CAprivacy-repeat", repeated);
  const beforeA = await knowledgeCounters(a);
  const beforeB = await knowledgeCounters(b);
  // A repeat before the invalidation is an L1 hit on both: neither L2 nor the loader is asked.
  await turn(a, "CAprivacy-repeat", repeated);
  await turn(b, "CAprivacy-repeat", repeated);
  const steadyA = await knowledgeCounters(a);
  const steadyB = await knowledgeCounters(b);
  expect(steadyA.l2Hits + steadyA.loaderHits).toBe(beforeA.l2Hits + beforeA.loaderHits);
  expect(steadyB.l2Hits + steadyB.loaderHits).toBe(beforeB.l2Hits + beforeB.loaderHits);

  const auth = { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" };
  const invalidated = await fetch(`${a.url}/cache/invalidate`, { method: "POST", headers: auth, body: JSON.stringify({ tags: ["biz:bella-pizza"] }) });
  expect(invalidated.status).toBe(200);
  // Both instances read it again: one runs the loader, the other may find that fresh value in L2.
  let reloadedB = false;
  for (let attempt = 0; attempt < 100 && !reloadedB; attempt++) {
    await turn(b, "CAprivacy-repeat", repeated);
    const now = await knowledgeCounters(b);
    reloadedB = now.l2Hits + now.loaderHits > steadyB.l2Hits + steadyB.loaderHits;
    if (!reloadedB) await Bun.sleep(20);
  }
  expect(reloadedB).toBe(true);
  await turn(a, "CAprivacy-repeat", repeated);
  const afterA = await knowledgeCounters(a);
  expect(afterA.l2Hits + afterA.loaderHits).toBeGreaterThan(steadyA.l2Hits + steadyA.loaderHits);

  const redis = new Redis(redisUrl);
  try {
    const everything = await readEverything(redis);
    const callerWords = new Set<string>(FIXED_WORDS);
    for (let i = 0; i < TURNS; i++) {
      callerWords.add(turnWord(i));
      callerWords.add(turnNumber(i));
    }
    const leaks: string[] = [];
    for (const item of everything) {
      for (const word of `${item.key} ${item.text}`.toLowerCase().split(/[^a-z0-9]+/)) {
        if (callerWords.has(word)) leaks.push(`${item.key}: ${word}`);
      }
    }
    const tagStructures = everything.filter((item) => item.key.includes(":__tt:") || item.key.includes(":__tag:"));
    const largest = Math.max(0, ...tagStructures.map((item) => item.entries));
    const knowledgeKeys = everything.filter((item) => item.key.startsWith(`${prefix}:knowledge:`));
    console.log(`privacy scan: ${everything.length} keys (${knowledgeKeys.length} knowledge entries), ${tagStructures.length} tag keys, largest tag structure ${largest} entr${largest === 1 ? "y" : "ies"}, ${leaks.length} caller words found`);

    expect(leaks.slice(0, 5)).toEqual([]);
    // The distinct questions are distinct entries (so the scan looked at them), under hashed keys.
    expect(knowledgeKeys.length).toBeGreaterThanOrEqual(TURNS / 2);
    for (const item of knowledgeKeys) expect(item.key).toMatch(new RegExp(`^${prefix}:knowledge:bella-pizza:[A-Za-z0-9_-]{22}$`));
    // One string per invalidated tag, whatever the number of entries carrying it; no member sets.
    expect(tagStructures.map((item) => [item.key, item.type, item.entries])).toEqual([[`${prefix}:__tt:biz:bella-pizza`, "string", 1]]);
    expect(everything.filter((item) => item.type !== "string")).toEqual([]);
  } finally {
    redis.disconnect();
  }
}, 180_000);
