import { Hono } from "hono";
import type { Cache } from "../cache/index.ts";

/**
 * `GET /health`: liveness, 200 while the process serves. `GET /health/ready`: 200 with `ok` or
 * `degraded` plus the L2, breaker and bus state; 503 only when the server cannot answer calls
 * (it is shutting down), because a degraded cache still answers every call from L1 and loaders.
 *
 * @example
 * ```ts
 * app.route("/health", healthRoutes({ cache, isDraining: () => draining }));
 * ```
 */
export function healthRoutes(deps: { cache: Cache<string>; isDraining: () => boolean; version: string }) {
  const app = new Hono();
  app.get("/", (c) => c.json({ status: "ok", version: deps.version }));
  app.get("/ready", async (c) => {
    if (deps.isDraining()) return c.json({ status: "draining" }, 503);
    const health = await deps.cache.health();
    return c.json({ status: health.status, cache: health }, 200);
  });
  return app;
}
