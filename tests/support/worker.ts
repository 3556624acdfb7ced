/**
 * The built Worker (dist/workers/worker.js, built once per test run) running on real workerd
 * through miniflare, driven with Web-standard requests.
 */
import { Miniflare } from "miniflare";
import { buildWorker } from "../../src/runtime/build-workers.ts";
import { workerOptions } from "../../src/runtime/miniflare-options.ts";

let built: Promise<{ path: string; rawBytes: number; gzipBytes: number }> | undefined;

/** Builds the bundle the first time any test asks for it; later calls share that build. */
export function builtWorker(): Promise<{ path: string; rawBytes: number; gzipBytes: number }> {
  return (built ??= buildWorker());
}

export interface RunningWorker {
  /** Sends `request` to the Worker; the answer is read into a Web `Response`. */
  fetch(request: Request): Promise<Response>;
  dispose(): Promise<void>;
}

/**
 * Starts the built Worker with these bindings; with `listen`, also on that loopback port (for
 * WebSocket clients).
 *
 * @example
 * ```ts
 * const worker = await startWorker({ CACHE_L2: "none" });
 * const res = await worker.fetch(new Request("https://bot.example.com/health"));
 * await worker.dispose();
 * ```
 */
export async function startWorker(bindings: Record<string, string>, listen?: { port: number }): Promise<RunningWorker> {
  const { path } = await builtWorker();
  const mf = new Miniflare({ ...workerOptions(path, bindings), ...(listen ? { host: "127.0.0.1", port: listen.port } : {}) });
  await mf.ready;
  return {
    async fetch(request) {
      const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.text();
      const res = await mf.dispatchFetch(request.url, { method: request.method, headers: Object.fromEntries(request.headers), body });
      const text = await res.text();
      return new Response(res.status === 204 ? null : text, { status: res.status, headers: Object.fromEntries(res.headers) });
    },
    dispose: () => mf.dispose(),
  };
}
