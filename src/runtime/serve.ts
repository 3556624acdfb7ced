/**
 * The one place that knows how the runtime listens: Bun's `Bun.serve` or Deno's `Deno.serve`.
 * Everything else speaks Web-standard `Request`/`Response`.
 */
import type { RuntimeWebSocketHost } from "./websocket.ts";

export interface ServeOptions {
  port: number;
  hostname: string;
  fetch: (request: Request) => Response | Promise<Response>;
  /** Serve WebSockets upgraded through this host (see websocket.ts). */
  websockets?: RuntimeWebSocketHost;
}

export interface RunningServer {
  readonly port: number;
  /**
   * Stops accepting connections, closes open WebSockets (a call on a socket would otherwise hold
   * the shutdown until it hangs up) and resolves once in-flight requests have finished.
   */
  stop(): Promise<void>;
}

interface DenoLike {
  serve(options: { port: number; hostname: string; onListen?: () => void }, handler: (request: Request) => Response | Promise<Response>): {
    addr: { port: number };
    shutdown(): Promise<void>;
  };
}

/**
 * Starts listening on whichever runtime is running this code.
 *
 * @example
 * ```ts
 * const server = serve({ port: 3000, hostname: "0.0.0.0", fetch: app.fetch });
 * await server.stop();
 * ```
 */
export function serve(options: ServeOptions): RunningServer {
  const sockets = options.websockets;
  const deno = (globalThis as { Deno?: DenoLike }).Deno;
  if (deno !== undefined) {
    // Deno upgrades per request (Deno.upgradeWebSocket), so the host needs no binding here.
    const server = deno.serve({ port: options.port, hostname: options.hostname, onListen: () => {} }, options.fetch);
    return {
      port: server.addr.port,
      stop: () => {
        sockets?.closeAll();
        return server.shutdown();
      },
    };
  }
  const fetch = (request: Request) => options.fetch(request);
  let server: { readonly port: number | undefined; stop(closeActiveConnections?: boolean): Promise<void> };
  if (sockets === undefined) {
    server = Bun.serve({ port: options.port, hostname: options.hostname, fetch });
  } else {
    const withSockets = Bun.serve({ port: options.port, hostname: options.hostname, fetch, websocket: sockets.bun.handlers });
    sockets.bun.attach(withSockets);
    server = withSockets;
  }
  return {
    port: server.port ?? options.port,
    stop: () => {
      sockets?.closeAll();
      // false: let in-flight requests finish.
      return server.stop(false);
    },
  };
}
