/**
 * The one place that knows how the runtime listens: Bun's `Bun.serve` or Deno's `Deno.serve`.
 * Everything else speaks Web-standard `Request`/`Response`.
 */
export interface ServeOptions {
  port: number;
  hostname: string;
  fetch: (request: Request) => Response | Promise<Response>;
}

export interface RunningServer {
  readonly port: number;
  /** Stops accepting connections and resolves once in-flight requests have finished. */
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
  const deno = (globalThis as { Deno?: DenoLike }).Deno;
  if (deno !== undefined) {
    const server = deno.serve({ port: options.port, hostname: options.hostname, onListen: () => {} }, options.fetch);
    return { port: server.addr.port, stop: () => server.shutdown() };
  }
  const server = Bun.serve({ port: options.port, hostname: options.hostname, fetch: options.fetch });
  return {
    port: server.port ?? options.port,
    // false: let in-flight requests finish.
    stop: () => server.stop(false),
  };
}
