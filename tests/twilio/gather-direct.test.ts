/**
 * The gather turn's own path (`POST /twilio/gather` straight to its handler, past Hono's router
 * and middleware, see app.ts) answers exactly as the routed path does: the same TwiML for a turn,
 * the same refusals for every failed check, the same apology when something throws, and the same
 * request-duration metric. Webhooks are signed by the official `twilio` package.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { createNoopMeter, metrics } from "@opentelemetry/api";
import { Hono } from "hono";
import { createApp } from "../../src/app.ts";
import { loadFileDirectory, type BusinessDirectory } from "../../src/bot/directory/index.ts";
import { botLookups, type BotNamespace } from "../../src/bot/lookups.ts";
import { botNamespaces } from "../../src/bot/namespaces.ts";
import { sessionStore, type CallSession } from "../../src/bot/session.ts";
import { createCache, memoryL2, type Cache } from "../../src/cache/index.ts";
import { loadConfig } from "../../src/config.ts";
import { createLog } from "../../src/log.ts";
import { createBotMetrics } from "../../src/telemetry/bot-metrics.ts";
import { APP_INSTRUMENTS } from "../../src/telemetry/instruments.ts";
import { directPromName } from "../../src/telemetry/prometheus-names.ts";
import { startTelemetry, type Telemetry } from "../../src/telemetry/setup.ts";
import { twilioWebhooks, type TwilioWebhooks, type WebhookOutcome } from "../../src/twilio/routes.ts";
import { callFields, signedFormRequest } from "../support/twilio-peer.ts";

const TOKEN = "gather-direct-token-0123456789";
const BASE = "https://bot.example.com";
const SALON = "+15550404040";
const FIXTURE = "tests/fixtures/businesses/salon.json";

let cache: Cache<BotNamespace>;
let directory: BusinessDirectory;
let webhooks: TwilioWebhooks;
/** The routes mounted as app.ts mounts them. */
let router: Hono;
let sid = 0;

beforeAll(async () => {
  cache = createCache({ l2: memoryL2(), namespaces: botNamespaces({ sessionTtlMs: 60_000, hasL2: false }) });
  directory = await loadFileDirectory(FIXTURE);
  webhooks = twilioWebhooks({
    lookups: botLookups(cache, directory, { keySecret: "gather-direct-key-secret-0123456789" }),
    sessions: sessionStore(cache.namespace<CallSession>("session")),
    metrics: createBotMetrics<WebhookOutcome>(createNoopMeter()),
    authToken: TOKEN,
    publicBaseUrl: BASE,
    minConfidence: 0.5,
    log: () => {},
  });
  router = new Hono().route("/twilio", webhooks.routes);
});
afterAll(async () => {
  await cache.close();
});

/** A response as far as it does not depend on the clock: status, content type and body. */
async function answerOf(response: Response): Promise<{ status: number; type: string | null; body: string; timed: boolean }> {
  return { status: response.status, type: response.headers.get("content-type"), body: await response.text(), timed: response.headers.has("server-timing") };
}

/** The same request through both paths: the router's (`routes`, mounted on /twilio) and the direct handler. */
async function bothWays(build: () => Request) {
  const routed = await router.request(build());
  const direct = await webhooks.gather(build());
  return { routed: await answerOf(routed), direct: await answerOf(direct) };
}

/** The action URL of a new call's greeting (the path and query the first gather turn posts to). */
async function firstAction(callSid: string): Promise<string> {
  const greeting = await router.request(signedFormRequest(`${BASE}/twilio/voice`, callFields(callSid, {}, { to: SALON }), TOKEN));
  const action = /action="([^"]+)"/.exec(await greeting.text())?.[1]?.replaceAll("&amp;", "&");
  expect(action).toStartWith(`${BASE}/twilio/gather?s=`);
  return action!.slice(BASE.length);
}

describe("the gather turn's own path answers as the routed one", () => {
  test("a turn, one after another along the call's action URLs", async () => {
    const callSid = `CAdirect${sid++}`;
    let path = await firstAction(callSid);
    for (const speech of ["do you have parking", "how much is a kids haircut", "say that again", "", "goodbye"]) {
      const { routed, direct } = await bothWays(() => signedFormRequest(`${BASE}${path}`, callFields(callSid, { SpeechResult: speech }, { to: SALON }), TOKEN));
      expect(direct).toEqual(routed);
      expect(direct.status).toBe(200);
      expect(direct.timed).toBe(true);
      path = /action="([^"]+)"/.exec(direct.body)?.[1]?.replaceAll("&amp;", "&").slice(BASE.length) ?? path;
    }
  });

  test("every refusal: content type, size, signature, required fields, call state", async () => {
    const callSid = `CAdirect${sid++}`;
    const path = await firstAction(callSid);
    const fields = callFields(callSid, { SpeechResult: "do you have parking" }, { to: SALON });
    const cases: Array<[string, () => Request, number]> = [
      ["not a form", () => new Request(`${BASE}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }), 415],
      [
        "too large",
        () => signedFormRequest(`${BASE}${path}`, { ...fields, SpeechResult: "x".repeat(70_000) }, TOKEN),
        413,
      ],
      ["malformed form", () => new Request(`${BASE}${path}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "a=%zz" }), 400],
      ["unsigned", () => signedFormRequest(`${BASE}${path}`, fields, TOKEN, { "x-twilio-signature": "AAAAAAAAAAAAAAAAAAAAAAAAAAA=" }), 403],
      ["signed over another URL", () => new Request(`${BASE}${path}x`, signedFormRequest(`${BASE}${path}`, fields, TOKEN)), 403],
      ["without To", () => signedFormRequest(`${BASE}${path}`, { CallSid: callSid, SpeechResult: "hi" }, TOKEN), 400],
      ["a state that is not ours", () => signedFormRequest(`${BASE}/twilio/gather?s=1.AAAAAAAAAA`, fields, TOKEN), 400],
      ["a state of another call", () => signedFormRequest(`${BASE}${path}`, { ...fields, CallSid: "CAsomeoneelse" }, TOKEN), 400],
    ];
    for (const [name, build, status] of cases) {
      const { routed, direct } = await bothWays(build);
      expect({ name, ...direct }).toEqual({ name, ...routed });
      expect({ name, status: direct.status }).toEqual({ name, status });
    }
  });

  test("a follow-up for a model answer when no model is configured: the honest fallback", async () => {
    const callSid = `CAdirect${sid++}`;
    const path = `${await firstAction(callSid)}&pending=${"a".repeat(32)}&since=${Date.now()}`;
    const { routed, direct } = await bothWays(() => signedFormRequest(`${BASE}${path}`, callFields(callSid, {}, { to: SALON }), TOKEN));
    expect(direct).toEqual(routed);
    expect(direct.status).toBe(200);
  });
});

describe("the app sends gather turns down their own path", () => {
  let telemetry: Telemetry | undefined;
  afterEach(async () => {
    await telemetry?.shutdown();
    telemetry = undefined;
  });

  async function gatherCounts(running: Telemetry): Promise<string[]> {
    const text = await (await running.prometheusHandler!(new Request("http://bot/metrics"))).text();
    const prefix = `${directPromName(APP_INSTRUMENTS.httpServerDuration)}_count{`;
    return text.split("\n").filter((line) => line.startsWith(prefix) && line.includes('http_route="/twilio/gather"'));
  }

  test("recorded as the router would record it, and an exception is the caller's apology, not an HTTP error", async () => {
    telemetry = startTelemetry({ serviceName: "voxedge", serviceVersion: "0.0.0", env: {}, prometheus: true });
    let clockBroken = false;
    const logged: string[] = [];
    const app = createApp({
      config: loadConfig({ TWILIO_AUTH_TOKEN: TOKEN, PUBLIC_BASE_URL: BASE }),
      cache,
      directory,
      log: createLog("error", (line) => logged.push(line)),
      version: "test",
      meter: metrics.getMeter("voxedge-gather-direct-test"),
      now: () => {
        if (clockBroken) throw new Error("clock failed");
        return new Date();
      },
    });
    const callSid = `CAdirect${sid++}`;
    const voice = await app.request(signedFormRequest(`${BASE}/twilio/voice`, callFields(callSid, {}, { to: SALON }), TOKEN));
    const action = /action="([^"]+)"/.exec(await voice.text())![1]!.replaceAll("&amp;", "&");
    const turn = () => app.request(signedFormRequest(action, callFields(callSid, { SpeechResult: "do you have parking" }, { to: SALON }), TOKEN));

    const answered = await turn();
    expect(answered.status).toBe(200);
    expect(await answered.text()).toContain("<Gather");
    expect(await gatherCounts(telemetry)).toEqual([expect.stringMatching(/http_request_method="POST".*http_response_status_code="200".*url_scheme="https".* 1$/)]);

    clockBroken = true;
    const apology = await app.request(signedFormRequest(action, callFields(callSid, { SpeechResult: "do you have parking" }, { to: SALON }), TOKEN));
    expect(apology.status).toBe(200);
    expect(apology.headers.get("content-type")).toContain("xml");
    // The redirect is the turn's own URL, call state and all, so the next turn goes on from it.
    expect(action).toContain("?");
    expect(await apology.text()).toContain(`<Redirect method="POST">${action.replaceAll("&", "&amp;")}</Redirect>`);
    clockBroken = false;
    const after = await app.request(signedFormRequest(action, callFields(callSid, { SpeechResult: "do you have parking" }, { to: SALON }), TOKEN));
    expect(await after.text()).toContain("<Gather");
    expect(logged.some((line) => line.includes("unhandled error") && line.includes("/twilio/gather"))).toBe(true);
    expect(logged.join("\n")).not.toContain("parking");

    // A trailing slash is another path: the router answers it (not found), as before.
    const other = await app.request(signedFormRequest(`${BASE}/twilio/gather/`, callFields(callSid, {}, { to: SALON }), TOKEN));
    expect(other.status).toBe(404);
  });
});
