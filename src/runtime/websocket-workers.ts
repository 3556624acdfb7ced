/**
 * The WebSocket host on Cloudflare Workers: a `WebSocketPair` per upgrade, the server end accepted
 * in the Worker itself. The socket lives as long as the upgrade request: its events run in that
 * request's context, so a relay call's cache reads and writes are that request's I/O.
 */
import { guard, textSocketOver, toText, type TextSocket, type WebSocketHost } from "./websocket.ts";

/** The part of workerd's WebSocket the host uses. */
interface WorkerdSocket {
  readonly readyState: number;
  accept(): void;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  addEventListener(type: "close", listener: (event: { code: number; reason: string }) => void): void;
  addEventListener(type: "error", listener: () => void): void;
}

declare const WebSocketPair: new () => { 0: WorkerdSocket; 1: WorkerdSocket };

/**
 * A host that upgrades on workerd. A request that is not a WebSocket handshake gets a 426.
 *
 * @example
 * ```ts
 * const sockets = createWorkersWebSocketHost();
 * createApp({ ...deps, websockets: sockets });
 * ```
 */
export function createWorkersWebSocketHost(): WebSocketHost {
  const open = new Set<TextSocket>();
  return {
    upgrade(request, handlers) {
      if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
        return new Response("expected a WebSocket handshake", { status: 426, headers: { upgrade: "websocket" } });
      }
      const pair = new WebSocketPair();
      const client = pair[0];
      const server = pair[1];
      server.accept();
      const { socket, markClosed } = textSocketOver(server, (text) => {
        server.send(text);
        return true;
      });
      open.add(socket);
      server.addEventListener("message", (event) => guard(() => handlers.message(toText(event.data))));
      server.addEventListener("close", (event) => {
        markClosed();
        // workerd (before the 2026-04-07 compatibility date) leaves answering the peer's close to us.
        try {
          server.close(1000, "");
        } catch {
          // already closed
        }
        if (!open.delete(socket)) return;
        guard(() => handlers.close(event.code, event.reason));
      });
      server.addEventListener("error", () => {});
      guard(() => handlers.open(socket));
      return new Response(null, { status: 101, webSocket: client } as ResponseInit);
    },
    closeAll(code = 1001, reason = "going away") {
      for (const socket of [...open]) socket.close(code, reason);
    },
    get openCount() {
      return open.size;
    },
  };
}
