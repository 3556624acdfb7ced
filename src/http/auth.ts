import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";

/**
 * Guards admin routes with `Authorization: Bearer <token>`. The comparison is constant-time over
 * SHA-256 digests, so neither the token's content nor its length leaks through timing. Without a
 * configured token the routes do not exist (404), so an unconfigured server exposes nothing.
 *
 * @example
 * ```ts
 * app.use("/cache/*", adminAuth(config.ADMIN_TOKEN));
 * ```
 */
export function adminAuth(token: string | undefined): MiddlewareHandler {
  const expected = token ? digest(token) : undefined;
  return async (c, next) => {
    if (expected === undefined) return c.json({ error: "not found" }, 404);
    const header = c.req.header("authorization") ?? "";
    const presented = header.startsWith("Bearer ") ? header.slice(7) : "";
    if (!timingSafeEqual(digest(presented), expected)) {
      c.header("WWW-Authenticate", 'Bearer realm="voxedge-admin"');
      return c.json({ error: "a valid admin bearer token is required" }, 401);
    }
    await next();
  };
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}
