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
const KNOWN_METHODS = ["CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE", "QUERY"];
/** Most distinct attribute sets kept per route; beyond it (odd statuses) a set is built per request. */
const MAX_SETS_PER_ROUTE = 64;

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
  return httpDurations(meter).middleware;
}

/** The request-duration instrument, as middleware and for a route answered without the router. */
export interface HttpDurations {
  middleware: MiddlewareHandler;
  /** Records one request that `route` (the pattern the router would have matched) answered with `status`. */
  record(route: string, status: number, method: string, https: boolean, seconds: number): void;
}

/**
 * {@link httpMetrics}, plus `record` for a request answered before the router (the gather turn's
 * own path in app.ts), recorded exactly as the middleware would have recorded it.
 *
 * @example
 * const durations = httpDurations(meter);
 * app.use("*", durations.middleware);
 * durations.record("/twilio/gather", 200, "POST", true, 0.0004);
 */
export function httpDurations(meter: Meter): HttpDurations {
  const { name, unit, description } = APP_INSTRUMENTS.httpServerDuration;
  const duration = meter.createHistogram(name, {
    unit,
    description,
    advice: { explicitBucketBoundaries: [...LATENCY_BUCKETS_SECONDS] },
  });

  // One attribute set per route, status, method and scheme, built on first use and never changed:
  // recording a request allocates no attributes object. Routes are the app's patterns, so sets are few.
  const setsByRoute = new Map<string, Map<number, MetricAttributes>>();
  const attributesFor = (route: string | undefined, status: number, method: string, https: boolean): MetricAttributes => {
    const methodIndex = KNOWN_METHODS.indexOf(method);
    const key = (status * (KNOWN_METHODS.length + 1) + (methodIndex + 1)) * 2 + (https ? 1 : 0);
    let sets = setsByRoute.get(route ?? "");
    if (sets === undefined) setsByRoute.set(route ?? "", (sets = new Map()));
    let attributes = sets.get(key);
    if (attributes === undefined) {
      const built: MetricAttributes = {
        "http.request.method": methodIndex === -1 ? "_OTHER" : method,
        "http.response.status_code": status,
        "url.scheme": https ? "https" : "http",
      };
      if (route !== undefined) built["http.route"] = route;
      if (status >= 500) built["error.type"] = String(status);
      attributes = built;
      if (sets.size < MAX_SETS_PER_ROUTE) sets.set(key, attributes);
    }
    return attributes;
  };

  const middleware: MiddlewareHandler = async function recordHttpDuration(c, next) {
    const started = performance.now();
    const ownRouteIndex = c.req.routeIndex;
    let threw = false;
    try {
      await next();
    } catch (error) {
      threw = true;
      throw error;
    } finally {
      const raw = c.req.method;
      // Fetch upper-cases the standard methods already; only an unusual one needs the copy.
      const method = KNOWN_METHODS.includes(raw) ? raw : raw.toUpperCase();
      const status = threw ? 500 : c.res.status;
      const attributes = attributesFor(matchedRoute(c, ownRouteIndex), status, method, c.req.url.startsWith("https:"));
      duration.record((performance.now() - started) / 1000, attributes);
    }
  };
  return {
    middleware,
    record(route, status, method, https, seconds) {
      duration.record(seconds, attributesFor(route, status, KNOWN_METHODS.includes(method) ? method : method.toUpperCase(), https));
    },
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
