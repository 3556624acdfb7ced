import { afterEach, expect, test } from "bun:test";
import { metrics } from "@opentelemetry/api";
import { Hono } from "hono";
import { httpMetrics } from "../../src/telemetry/http-metrics.ts";
import { APP_INSTRUMENTS } from "../../src/telemetry/instruments.ts";
import { directPromName } from "../../src/telemetry/prometheus-names.ts";
import { startTelemetry, type Telemetry } from "../../src/telemetry/setup.ts";

let running: Telemetry | undefined;
afterEach(async () => {
  await running?.shutdown();
  running = undefined;
});

/** `{label="value",…}` → the count sample of the HTTP histogram for each label set. */
async function requestCounts(telemetry: Telemetry): Promise<Record<string, string>[]> {
  const text = await (await telemetry.prometheusHandler!(new Request("http://bot/metrics"))).text();
  const prefix = `${directPromName(APP_INSTRUMENTS.httpServerDuration)}_count{`;
  return text
    .split("\n")
    .filter((line) => line.startsWith(prefix))
    .map((line) => {
      const labels: Record<string, string> = {};
      for (const [, k, v] of line.matchAll(/([a-z_]+)="([^"]*)"/g)) labels[k!] = v!;
      labels.count = line.slice(line.lastIndexOf(" ") + 1);
      return labels;
    });
}

function buildApp() {
  const app = new Hono();
  app.use("*", httpMetrics(metrics.getMeter("voxedge-http-test")));
  app.use("*", async (_c, next) => next()); // a second global middleware must not pose as a route
  app.get("/businesses/:id", (c) => c.json({ id: c.req.param("id") }));
  app.get("/boom", () => {
    throw new Error("boom");
  });
  const twilio = new Hono();
  twilio.post("/voice", (c) => c.text("<Response/>"));
  app.route("/twilio", twilio);
  return app;
}

test("records method, route pattern, status and scheme per request", async () => {
  running = startTelemetry({ serviceName: "voxedge", serviceVersion: "0.0.0", env: {}, prometheus: true });
  const app = buildApp();
  await app.request("http://bot/businesses/bella-pizza");
  await app.request("http://bot/businesses/other");
  await app.request("https://bot.example/twilio/voice", { method: "POST" });
  await app.request("http://bot/boom");
  await app.request("http://bot/no/such/page");

  const rows = await requestCounts(running);
  const find = (route: string | undefined, status: string) =>
    rows.find((r) => r.http_route === route && r.http_response_status_code === status);

  expect(find("/businesses/:id", "200")).toMatchObject({ http_request_method: "GET", url_scheme: "http", count: "2" });
  expect(find("/twilio/voice", "200")).toMatchObject({ http_request_method: "POST", url_scheme: "https", count: "1" });
  expect(find("/boom", "500")).toMatchObject({ error_type: "500", count: "1" });
  // No route matched: the raw path must not leak in as a route, and no wildcard pattern either.
  expect(find(undefined, "404")).toMatchObject({ http_request_method: "GET", count: "1" });
  expect(rows.some((r) => r.http_route?.includes("no/such") || r.http_route === "/*")).toBe(false);
  expect(rows.every((r) => !r.http_route?.includes("bella"))).toBe(true);
});

test("instruments are created once, at factory time", async () => {
  running = startTelemetry({ serviceName: "voxedge", serviceVersion: "0.0.0", env: {}, prometheus: true });
  const meter = metrics.getMeter("voxedge-http-test");
  let created = 0;
  const counting = new Proxy(meter, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (typeof prop === "string" && prop.startsWith("create")) created++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  const app = new Hono();
  app.use("*", httpMetrics(counting));
  app.get("/", (c) => c.text("ok"));
  expect(created).toBe(1);
  for (let i = 0; i < 5; i++) await app.request("http://bot/");
  expect(created).toBe(1);
  expect((await requestCounts(running)).find((r) => r.http_route === "/")?.count).toBe("5");
});
