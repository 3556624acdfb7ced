/**
 * Hono middleware recording `http.server.request.duration` with the HTTP semantic-convention
 * attributes. The route is the matched pattern (`/twilio/:kind`), never the raw path, so callers'
 * phone numbers and ids cannot blow up the number of series.
 */
import type { Meter, MetricAttributes } from "@opentelemetry/api";
import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import { APP_INSTRUMENTS, LATENCY_BUCKETS_SECONDS } from "./instruments.ts";

/** Methods the conventions keep as they are; anything else is recorded as `_OTHER`. */
const KNOWN_METHODS = new Set(["CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE", "QUERY"]);

/**
 * Creates the middleware; its instruments are created here, once. Register it first
 * (`app.use("*", httpMetrics(meter))`) so the time includes every later middleware.
 *
 * @example
 * const app = new Hono();
 * app.use("*", httpMetrics(metrics.getMeter("voxedge")));
 * app.post("/twilio/voice", handler); // recorded with http.route="/twilio/voice"
 */
export function httpMetrics(meter: Meter): MiddlewareHandler {
  const { name, unit, description } = APP_INSTRUMENTS.httpServerDuration;
  const duration = meter.createHistogram(name, {
    unit,
    description,
    advice: { explicitBucketBoundaries: [...LATENCY_BUCKETS_SECONDS] },
  });

  return async function recordHttpDuration(c, next) {
    const started = performance.now();
    const ownRouteIndex = c.req.routeIndex;
    let threw = false;
    try {
      await next();
    } catch (error) {
      threw = true;
      throw error;
    } finally {
      const method = c.req.method.toUpperCase();
      const status = threw ? 500 : c.res.status;
      const attributes: MetricAttributes = {
        "http.request.method": KNOWN_METHODS.has(method) ? method : "_OTHER",
        "http.response.status_code": status,
        "url.scheme": c.req.url.startsWith("https:") ? "https" : "http",
      };
      const route = matchedRoute(c, ownRouteIndex);
      if (route !== undefined) attributes["http.route"] = route;
      if (status >= 500) attributes["error.type"] = String(status);
      duration.record((performance.now() - started) / 1000, attributes);
    }
  };
}

/**
 * The pattern of the route that answered, or undefined when only middleware ran (no route
 * matched, Hono answered 404). Global middleware is registered as method ALL on `/*` or `*`.
 */
function matchedRoute(c: Context, ownRouteIndex: number): string | undefined {
  if (c.req.routeIndex === ownRouteIndex) return undefined;
  const route = matchedRoutes(c)[c.req.routeIndex];
  if (route === undefined) return undefined;
  if (route.method === "ALL" && (route.path === "/*" || route.path === "*")) return undefined;
  return route.path;
}
