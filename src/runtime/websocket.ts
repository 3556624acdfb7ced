/**
 * The one place that knows how the runtime upgrades a request to a WebSocket: Bun's
 * `server.upgrade()` with server-wide handlers, or Deno's `Deno.upgradeWebSocket()` with
 * per-socket events. Code above this seam sees a text socket and three callbacks, so a
 * conversation over a socket is written once for both runtimes.
 */

import { errorText } from "../redact.ts";

/** An open text WebSocket, as the code above the seam sees it. */
export interface TextSocket {
  /** Sends one text frame; false (and nothing sent) once the socket is closing or closed. */
  send(text: string): boolean;
  close(code?: number, reason?: string): void;
  /** True until the socket starts closing. */
  readonly isOpen: boolean;
}

/** What a socket reports. Each callback runs at most once per event and never throws into the runtime. */
export interface TextSocketHandlers {
  open(socket: TextSocket): void;
  /** A text frame (binary frames are decoded as UTF-8 text). */
  message(text: string): void;
  close(code: number, reason: string): void;
}

/** Upgrades requests on whichever runtime serves them. */
export interface WebSocketHost {
  /**
   * Upgrades `request` and returns what the HTTP handler must answer with. A request that is not
   * a WebSocket handshake, or a host not bound to a server, gets an error response (426 / 503).
   */
  upgrade(request: Request, handlers: TextSocketHandlers): Response;
  /** Closes every open socket, e.g. at shutdown so that draining the server does not wait on calls. */
  closeAll(code?: number, reason?: string): void;
  /** Sockets currently open. */
  readonly openCount: number;
}

/** Used by `serve()` only: how a Bun server is wired to the host. */
export interface BunWebSocketBinding {
  attach(server: BunUpgrader): void;
  readonly handlers: Bun.WebSocketHandler<BunSocketData>;
}

/** The part of a Bun server the host uses. */
export interface BunUpgrader {
  upgrade(request: Request, options: { data: BunSocketData }): boolean;
}

/** What a Bun server socket carries. */
export interface BunSocketData {
  handlers: TextSocketHandlers;
  socket?: TextSocket;
}

interface DenoSocket {
  readonly readyState: number;
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

interface DenoLike {
  upgradeWebSocket(request: Request): { socket: DenoSocket; response: Response };
}

const OPEN = 1;
const NORMAL_CLOSURE = 1000;
const GOING_AWAY = 1001;
const decoder = new TextDecoder();

/** Internal host: the public interface plus the Bun wiring `serve()` needs. */
export type RuntimeWebSocketHost = WebSocketHost & { readonly bun: BunWebSocketBinding };

/**
 * Creates the host for the running runtime. Pass it to the app (which calls `upgrade`) and to
 * `serve()` (which binds it to the listening server).
 *
 * @example
 * ```ts
 * const sockets = createWebSocketHost();
 * app.get("/echo", (c) => sockets.upgrade(c.req.raw, { open() {}, message(text) { console.log(text); }, close() {} }));
 * serve({ port: 3000, hostname: "0.0.0.0", fetch: app.fetch, websockets: sockets });
 * ```
 */
export function createWebSocketHost(): RuntimeWebSocketHost {
  const open = new Set<TextSocket>();
  const deno = (globalThis as { Deno?: DenoLike }).Deno;
  let bunServer: BunUpgrader | undefined;

  const track = (socket: TextSocket, handlers: TextSocketHandlers): TextSocketHandlers => ({
    open: () => {
      open.add(socket);
      guard(() => handlers.open(socket));
    },
    message: (text) => guard(() => handlers.message(text)),
    close: (code, reason) => {
      // A socket is reported closed once, whatever the runtime fires (error then close, or close twice).
      if (!open.delete(socket)) return;
      guard(() => handlers.close(code, reason));
    },
  });

  function upgradeOnDeno(denoRuntime: DenoLike, request: Request, handlers: TextSocketHandlers): Response {
    const { socket: raw, response } = denoRuntime.upgradeWebSocket(request);
    const { socket, markClosed } = textSocketOver(raw, (text) => {
      raw.send(text);
      return true;
    });
    const tracked = track(socket, handlers);
    raw.onopen = () => tracked.open(socket);
    raw.onmessage = (event) => tracked.message(toText(event.data));
    raw.onclose = (event) => {
      markClosed();
      tracked.close(event.code, event.reason);
    };
    // An error is followed by close; nothing to report twice.
    raw.onerror = () => {};
    return response;
  }

  const bun: BunWebSocketBinding = {
    attach(server) {
      bunServer = server;
    },
    handlers: {
      open(ws) {
        // Bun reports a dropped frame as 0 and backpressure as -1 (queued, still sent).
        const { socket } = textSocketOver(ws, (text) => ws.send(text) !== 0);
        const tracked = track(socket, ws.data.handlers);
        ws.data.handlers = tracked;
        ws.data.socket = socket;
        tracked.open(socket);
      },
      message(ws, message) {
        ws.data.handlers.message(toText(message));
      },
      close(ws, code, reason) {
        ws.data.handlers.close(code, reason);
      },
    },
  };

  return {
    bun,
    upgrade(request, handlers) {
      if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
        return new Response("expected a WebSocket handshake", { status: 426, headers: { upgrade: "websocket" } });
      }
      if (deno !== undefined) {
        try {
          return upgradeOnDeno(deno, request, handlers);
        } catch {
          return new Response("bad WebSocket handshake", { status: 400 });
        }
      }
      if (bunServer === undefined) return new Response("WebSockets are not served here", { status: 503 });
      if (!bunServer.upgrade(request, { data: { handlers } })) return new Response("bad WebSocket handshake", { status: 400 });
      // Bun has already answered the handshake; whatever is returned here is not sent.
      return new Response(null);
    },
    closeAll(code = GOING_AWAY, reason = "server shutting down") {
      for (const socket of [...open]) socket.close(code, reason);
    },
    get openCount() {
      return open.size;
    },
  };
}

/**
 * The TextSocket over a runtime's socket: sends only while it is open, closes it once. `deliver`
 * sends one frame and says whether it went out; `markClosed` records a close the peer started.
 *
 * @example
 * ```ts
 * const { socket, markClosed } = textSocketOver(raw, (text) => (raw.send(text), true));
 * ```
 */
export function textSocketOver(
  raw: { readonly readyState: number; close(code: number, reason: string): void },
  deliver: (text: string) => boolean,
): { socket: TextSocket; markClosed: () => void } {
  let closing = false;
  const socket: TextSocket = {
    send: (text) => !closing && raw.readyState === OPEN && deliver(text),
    close(code = NORMAL_CLOSURE, reason = "") {
      if (closing) return;
      closing = true;
      raw.close(code, reason);
    },
    get isOpen() {
      return !closing && raw.readyState === OPEN;
    },
  };
  return {
    socket,
    markClosed: () => {
      closing = true;
    },
  };
}

/** A frame's data as text (binary frames decoded as UTF-8). */
export function toText(data: unknown): string {
  if (typeof data === "string") return data;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return decoder.decode(data);
  return String(data);
}

/** A handler's exception must not reach the runtime's socket loop (Bun would treat it as uncaught). */
export function guard(run: () => void): void {
  try {
    run();
  } catch (error) {
    console.error(JSON.stringify({ time: new Date().toISOString(), level: "error", message: "websocket handler threw", error: errorText(error) }));
  }
}
