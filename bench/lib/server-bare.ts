/**
 * The baseline of the server benchmark, run as its own process: Hono on `Bun.serve`, answering a
 * constant on the webhook's path, so that the load generator replays exactly the same request
 * bytes against it as against the real server. Whatever the real server does beyond this is the
 * cost of the product.
 *
 * @example
 * ```sh
 * PORT=4100 bun bench/lib/server-bare.ts
 * ```
 */
import { Hono } from "hono";

/**
 * The bare app: `POST /twilio/gather` answers "ok" without reading the body; `GET /health` lets
 * the benchmark wait for it like for the real server.
 *
 * @example
 * ```ts
 * await bareApp().request("/twilio/gather", { method: "POST" }); // 200 "ok"
 * ```
 */
export function bareApp(): Hono {
  return new Hono().post("/twilio/gather", (c) => c.text("ok")).get("/health", (c) => c.text("ok"));
}

if (import.meta.main) {
  Bun.serve({ port: Number(process.env.PORT ?? 0), hostname: "127.0.0.1", fetch: bareApp().fetch });
}
