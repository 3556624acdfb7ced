/**
 * A Twilio-like ConversationRelay client for tests: Bun's WebSocket client with the signed
 * handshake header, frames queued as they arrive.
 */
import { expect } from "bun:test";
import type { BotNamespace } from "../../src/bot/lookups.ts";
import { botNamespaces } from "../../src/bot/namespaces.ts";
import { createCache } from "../../src/cache/index.ts";
import { redisL2 } from "../../src/cache/redis.ts";
import type { RelayCallSession } from "../../src/twilio/relay.ts";

export type Frame = { type: string; token?: string; last?: boolean; handoffData?: string };

/** A Twilio-like relay client: frames are queued as they arrive so none is lost between awaits. */
export interface RelayClient {
  send(frame: unknown): void;
  sendRaw(data: string | Uint8Array<ArrayBuffer>): void;
  next(timeoutMs?: number): Promise<Frame>;
  /** Text frames until (and including) the one marked `last`. */
  reply(): Promise<Frame[]>;
  close(): Promise<void>;
  /** The close code once the socket closed. */
  closeCode(): number | undefined;
}

// Bun's client takes handshake headers; the DOM typings do not know that option.
const WebSocketWithHeaders = WebSocket as unknown as new (url: string, options: { headers: Record<string, string> }) => WebSocket;

/**
 * Opens a relay socket as Twilio does, with the handshake's signature header.
 *
 * @example
 * ```ts
 * const client = await connectRelay(`ws://127.0.0.1:${port}/twilio/relay`, expectedSignature(TOKEN, url, {}));
 * client.send({ type: "setup", callSid, from, to, customParameters: {} });
 * ```
 */
export function connectRelay(url: string, signature: string): Promise<RelayClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocketWithHeaders(url, { headers: { "x-twilio-signature": signature } });
    const frames: Frame[] = [];
    let wake: (() => void) | undefined;
    let closed = false;
    let closeCode: number | undefined;
    const closedPromise = new Promise<void>((done) => {
      ws.onclose = (event) => {
        closed = true;
        closeCode = event.code;
        wake?.();
        done();
      };
    });
    ws.onerror = () => reject(new Error("relay socket refused"));
    ws.onmessage = (event) => {
      frames.push(JSON.parse(String(event.data)) as Frame);
      wake?.();
    };
    ws.onopen = () => {
      const client: RelayClient = {
        send: (frame) => ws.send(JSON.stringify(frame)),
        sendRaw: (data) => ws.send(data),
        async next(timeoutMs = 5_000) {
          const until = Date.now() + timeoutMs;
          while (frames.length === 0) {
            if (closed) throw new Error("socket closed while waiting for a frame");
            const left = until - Date.now();
            if (left <= 0) throw new Error(`no frame within ${timeoutMs} ms`);
            await new Promise<void>((r) => {
              const timer = setTimeout(r, left);
              wake = () => {
                clearTimeout(timer);
                r();
              };
            });
            wake = undefined;
          }
          return frames.shift()!;
        },
        async reply() {
          const out: Frame[] = [];
          for (;;) {
            const frame = await client.next();
            expect(frame.type).toBe("text");
            out.push(frame);
            if (frame.last === true) return out;
          }
        },
        async close() {
          ws.close(1000, "test done");
          await closedPromise;
        },
        closeCode: () => closeCode,
      };
      resolve(client);
    };
  });
}

/**
 * A relay call's session as the servers under test left it in L2, read by a cache of its own.
 *
 * @example
 * ```ts
 * const session = await readRelaySession(redisUrl, PREFIX, "CA123");
 * ```
 */
export async function readRelaySession(redisUrl: string, prefix: string, callSid: string): Promise<RelayCallSession | undefined> {
  const cache = createCache<BotNamespace>({ prefix, l2: redisL2({ url: redisUrl }), namespaces: botNamespaces({ sessionTtlMs: 60_000, hasL2: true }), bus: { enabled: false } });
  try {
    return await cache.namespace<RelayCallSession>("session").get(callSid);
  } finally {
    await cache.close();
  }
}
