import { metrics, type Meter } from "@opentelemetry/api";
import { Hono } from "hono";
import type { Cache, L2Adapter } from "./cache/index.ts";
import type { BusinessDirectory } from "./bot/directory/index.ts";
import { DEFAULT_CONFIDENCE_THRESHOLD } from "./bot/knowledge/index.ts";
import { botLookups, type BotNamespace } from "./bot/lookups.ts";
import { replies } from "./bot/replies.ts";
import { sessionStore, type CallSession } from "./bot/session.ts";
import type { Config } from "./config.ts";
import { adminRoutes } from "./http/admin.ts";
import { healthRoutes } from "./http/health.ts";
import type { Log } from "./log.ts";
import { errorText, redactExternal } from "./redact.ts";
import { createBotMetrics } from "./telemetry/bot-metrics.ts";
import { modelFromConfig } from "./model-from-config.ts";
import { httpDurations } from "./telemetry/http-metrics.ts";
import { relayConversations } from "./twilio/relay.ts";
import { relayRoutes } from "./twilio/relay-routes.ts";
import { twilioWebhooks, type WebhookOutcome } from "./twilio/routes.ts";
import type { WebSocketHost } from "./runtime/websocket.ts";
import { redirect, response, say, TWIML_CONTENT_TYPE } from "./twilio/twiml.ts";

export interface AppDeps {
  config: Config;
  cache: Cache<BotNamespace>;
  directory: BusinessDirectory;
  log: Log;
  version: string;
  /** Where the app records; default: the global meter provider's `voxedge` meter. */
  meter?: Meter;
  /** Serves `GET /metrics` in Prometheus text when given. */
  prometheusHandler?: (request: Request) => Promise<Response>;
  /** True once shutdown began: readiness answers 503 so the load balancer stops sending calls. */
  isDraining?: () => boolean;
  now?: () => Date;
  /** Upgrades the ConversationRelay socket; without it `GET /twilio/relay` answers 503. */
  websockets?: WebSocketHost;
  /** The cache's L2, where the model budget is counted fleet-wide; absent: counted per process. */
  l2?: L2Adapter;
  /** The secret answer-cache keys are HMACs under; default `config.CACHE_KEY_SECRET`. */
  answerKeySecret?: string;
}

/**
 * Builds the Hono app from its dependencies. Pure: no I/O, no listening, so tests drive it with
 * `app.request()` as well as over real HTTP.
 *
 * @example
 * ```ts
 * const app = createApp({ config, cache, directory, log, version: "0.1.0" });
 * const res = await app.request("/health");
 * ```
 */
export function createApp(deps: AppDeps): Hono {
  const meter = deps.meter ?? metrics.getMeter("voxedge");
  const lookups = botLookups(deps.cache, deps.directory, { keySecret: deps.config.CACHE_KEY_SECRET, questionRetentionMs: deps.config.QUESTION_RETENTION_MS });
  const sessions = sessionStore(deps.cache.namespace<CallSession>("session"));
  const gatherUrl = `${deps.config.PUBLIC_BASE_URL?.replace(/\/+$/, "") ?? ""}/twilio/gather`;
  const botMetrics = createBotMetrics<WebhookOutcome>(meter);
  const minConfidence = deps.config.KNOWLEDGE_MIN_CONFIDENCE ?? DEFAULT_CONFIDENCE_THRESHOLD;
  // Undefined unless LLM_BASE_URL and LLM_MODEL are set: then every route is as it was.
  const model = modelFromConfig(deps.config, {
    cache: deps.cache,
    meter,
    log: deps.log,
    ...(deps.l2 ? { l2: deps.l2 } : {}),
    ...(deps.answerKeySecret ? { keySecret: deps.answerKeySecret } : {}),
  });

  const app = new Hono();
  const durations = httpDurations(meter);
  app.use("*", durations.middleware);
  app.route("/health", healthRoutes({ cache: deps.cache, isDraining: deps.isDraining ?? (() => false), version: deps.version }));
  const relay = relayConversations({
    lookups,
    sessions,
    metrics: botMetrics,
    minConfidence,
    log: deps.log,
    now: deps.now,
    warm: (business) => deps.cache.warm(lookups.warmSpecs([business]), { concurrency: 4 }),
    tokenDelayMs: deps.config.RELAY_TOKEN_DELAY_MS,
    ...(model ? { model, modelWaitMs: deps.config.LLM_SOFT_TIMEOUT_MS } : {}),
  });
  // Before twilioRoutes: their form-only middleware would refuse the socket handshake.
  app.route(
    "/twilio",
    relayRoutes({
      relay,
      sockets: deps.websockets,
      lookups,
      authToken: deps.config.TWILIO_AUTH_TOKEN,
      publicBaseUrl: deps.config.PUBLIC_BASE_URL,
      log: deps.log,
    }),
  );
  const webhooks = twilioWebhooks({
      lookups,
      sessions,
      metrics: botMetrics,
      authToken: deps.config.TWILIO_AUTH_TOKEN,
      publicBaseUrl: deps.config.PUBLIC_BASE_URL,
      minConfidence,
      voiceMode: deps.config.VOICE_MODE,
      ...(model ? { model, modelWaitMs: deps.config.LLM_SOFT_TIMEOUT_MS } : {}),
      callStateSecret: deps.config.CALL_STATE_SECRET,
      now: deps.now,
      log: deps.log,
  });
  app.route("/twilio", webhooks.routes);
  app.route("/cache", adminRoutes({ token: deps.config.ADMIN_TOKEN, cache: deps.cache, lookups, directory: deps.directory }));
  if (deps.prometheusHandler) {
    const handler = deps.prometheusHandler;
    app.get("/metrics", (c) => handler(c.req.raw));
  }

  app.notFound((c) => c.json({ error: "not found" }, 404));
  /** A failure no handler answered, logged without caller data. */
  const logUnhandled = (error: unknown, path: string) => deps.log("error", "unhandled error", { path: redactExternal(path), error: errorText(error) });
  // A caller on the line hears an apology and the call goes on; they never hear an HTTP error.
  // A failed turn redirects to the URL it came in on, so the call's state (in its query) comes
  // back with the next turn: replaying it replays only the turn that failed.
  const apology = (turnUrl?: string) => {
    const query = turnUrl === undefined || turnUrl.indexOf("?") < 0 ? "" : turnUrl.slice(turnUrl.indexOf("?"));
    return new Response(response(say(replies.glitch()), redirect(gatherUrl + query, { method: "POST" })), { status: 200, headers: { "Content-Type": TWIML_CONTENT_TYPE } });
  };
  app.onError((error, c) => {
    logUnhandled(error, c.req.path);
    if (!c.req.path.startsWith("/twilio/")) return c.json({ error: "internal error" }, 500);
    return apology(c.req.path === GATHER_PATH ? c.req.url : undefined);
  });

  // Every sentence a caller says is a POST to /twilio/gather: it goes straight to its handler, past
  // the router and the middleware chain, with the same checks, answers, errors and metrics.
  const routed = app.fetch;
  app.fetch = (request, ...rest) => (isGatherPost(request) ? gatherDirect(request) : routed(request, ...rest));
  const gatherDirect = (request: Request): Promise<Response> => {
    const started = performance.now();
    const answered = (answer: Response): Response => {
      durations.record(GATHER_PATH, answer.status, request.method, request.url.startsWith("https:"), (performance.now() - started) / 1000);
      return answer;
    };
    const failed = (error: unknown): Response => {
      logUnhandled(error, GATHER_PATH);
      return answered(apology(request.url));
    };
    // Not an async function: the turn's answer is recorded in the step it is made, with no await in between.
    try {
      return webhooks.gather(request, { answered, failed });
    } catch (error) {
      return new Promise((resolve) => resolve(failed(error)));
    }
  };
  return app;
}

const GATHER_PATH = "/twilio/gather";

/** Whether the router would send `request` to `POST /twilio/gather`: its path (up to the query) is exactly that. */
function isGatherPost(request: Request): boolean {
  if (request.method !== "POST") return false;
  const url = request.url;
  const pathStart = url.indexOf("/", url.indexOf(":") + 4);
  if (pathStart === -1 || !url.startsWith(GATHER_PATH, pathStart)) return false;
  const end = pathStart + GATHER_PATH.length;
  return end === url.length || url.charCodeAt(end) === 0x3f;
}
