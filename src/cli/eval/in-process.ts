/**
 * The bot as the eval plays it without a server: the real Hono app from `createApp`, over a
 * file directory, an in-memory cache and signature checks switched on (a token of its own), so
 * every turn passes through exactly what a Twilio webhook passes through in production.
 */
import { createApp } from "../../app.ts";
import type { BusinessDirectory } from "../../bot/directory/index.ts";
import { botNamespaces } from "../../bot/namespaces.ts";
import { createCache, memoryL2 } from "../../cache/index.ts";
import { loadConfig } from "../../config.ts";
import { createLog } from "../../log.ts";
import { webhookClient, type WebhookClient } from "./webhooks.ts";

/** The public URL the in-process app signs against; never resolved, since no request leaves the process. */
const PUBLIC_URL = "https://eval.voxedge.invalid";

export interface InProcessBot {
  readonly client: WebhookClient;
  close(): Promise<void>;
}

/**
 * Builds the app over `directory` (the eval passes the file directory of the businesses file) and
 * a client that calls it with signed webhooks.
 *
 * @example
 * ```ts
 * const bot = inProcessBot(await loadFileDirectory("mine.json"), { now: () => new Date("2026-12-01T12:00:00Z") });
 * const reply = await bot.client.call("+15550600600").say("do you deliver");
 * await bot.close();
 * ```
 */
export function inProcessBot(directory: BusinessDirectory, options: { now?: () => Date } = {}): InProcessBot {
  const token = `eval-${crypto.randomUUID()}`;
  const cache = createCache({ l2: memoryL2(), namespaces: botNamespaces({ sessionTtlMs: 600_000, hasL2: false }) });
  const app = createApp({
    config: loadConfig({ TWILIO_AUTH_TOKEN: token, PUBLIC_BASE_URL: PUBLIC_URL, LOG_LEVEL: "error" }),
    cache,
    directory,
    log: createLog("error"),
    version: "eval",
    ...(options.now ? { now: options.now } : {}),
  });
  return {
    client: webhookClient({ send: (request) => app.fetch(request), targetUrl: PUBLIC_URL, token }),
    close: () => cache.close(),
  };
}
