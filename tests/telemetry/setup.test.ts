import { afterEach, describe, expect, test } from "bun:test";
import { metrics, type Meter } from "@opentelemetry/api";
import { MeterProvider as SdkMeterProvider } from "@opentelemetry/sdk-metrics";
import {
  ALL_INSTRUMENTS,
  APP_INSTRUMENTS,
  CACHE_INSTRUMENTS,
  CALL_DURATION_BUCKETS_SECONDS,
  LATENCY_BUCKETS_SECONDS,
  type InstrumentDescriptor,
} from "../../src/telemetry/instruments.ts";
import { directPromName, promSeriesNames } from "../../src/telemetry/prometheus-names.ts";
import { parseResourceAttributes } from "../../src/telemetry/resource.ts";
import { otlpMetricsUrl, PROMETHEUS_CONTENT_TYPE, startTelemetry, type Telemetry } from "../../src/telemetry/setup.ts";

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Reads the sample lines of a Prometheus text exposition; comments are skipped. */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null) throw new Error(`unparseable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[key!] = value!.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
    }
    const raw = match[3]!;
    samples.push({ name: match[1]!, labels, value: raw === "+Inf" ? Infinity : Number(raw) });
  }
  return samples;
}

function typeLine(text: string, name: string): string | undefined {
  return text.split("\n").find((line) => line.startsWith(`# TYPE ${name} `));
}

/** Creates and records one value through the public API, for every kind of instrument the product uses. */
function recordOnce(meter: Meter, instrument: InstrumentDescriptor, value: number, attributes: Record<string, string>): void {
  const options = { unit: instrument.unit, description: instrument.description };
  switch (instrument.kind) {
    case "counter":
      meter.createCounter(instrument.name, options).add(value, attributes);
      break;
    case "updowncounter":
      meter.createUpDownCounter(instrument.name, options).add(value, attributes);
      break;
    case "histogram":
      meter.createHistogram(instrument.name, options).record(value, attributes);
      break;
    case "gauge":
      meter.createObservableGauge(instrument.name, options).addCallback((r) => r.observe(value, attributes));
      break;
    case "observable_counter":
      meter.createObservableCounter(instrument.name, options).addCallback((r) => r.observe(value, attributes));
      break;
  }
}

let running: Telemetry | undefined;
afterEach(async () => {
  await running?.shutdown();
  running = undefined;
});

describe("startTelemetry with Prometheus on", () => {
  test("what is recorded through the API is served under its direct name, with explicit buckets", async () => {
    running = startTelemetry({
      serviceName: "voxedge",
      serviceVersion: "9.9.9",
      env: { OTEL_RESOURCE_ATTRIBUTES: "deployment.environment.name=test,team=voice%2Cedge" },
      prometheus: true,
    });
    const meter = metrics.getMeter("voxedge-test");
    meter.createCounter(APP_INSTRUMENTS.callsEnded.name, { unit: APP_INSTRUMENTS.callsEnded.unit }).add(3, { "call.status": "completed" });
    // 3 ms: above the 2.5 ms boundary, inside the 5 ms one.
    meter.createHistogram(APP_INSTRUMENTS.turnDuration.name, { unit: "s" }).record(0.003, { "bot.outcome": "answer" });

    const response = await running.prometheusHandler!(new Request("http://bot/metrics"));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe(PROMETHEUS_CONTENT_TYPE);
    const text = await response.text();
    const samples = parseExposition(text);

    const counterName = directPromName(APP_INSTRUMENTS.callsEnded);
    expect(counterName).toBe("voxedge_bot_calls_ended_total");
    expect(typeLine(text, counterName)).toBe(`# TYPE ${counterName} counter`);
    const counter = samples.find((s) => s.name === counterName);
    expect(counter?.value).toBe(3);
    expect(counter?.labels.call_status).toBe("completed");

    const histName = directPromName(APP_INSTRUMENTS.turnDuration);
    expect(histName).toBe("voxedge_bot_turn_duration");
    expect(typeLine(text, histName)).toBe(`# TYPE ${histName} histogram`);
    const buckets = samples.filter((s) => s.name === `${histName}_bucket`);
    expect(buckets.map((b) => b.labels.le)).toEqual([...LATENCY_BUCKETS_SECONDS.map(String), "+Inf"]);
    const at = (le: string) => buckets.find((b) => b.labels.le === le)?.value;
    expect(at("0.0025")).toBe(0);
    expect(at("0.005")).toBe(1);
    expect(at("+Inf")).toBe(1);
    expect(samples.find((s) => s.name === `${histName}_count`)?.value).toBe(1);
    expect(samples.find((s) => s.name === `${histName}_sum`)?.value).toBeCloseTo(0.003, 9);

    const target = samples.find((s) => s.name === "target_info");
    expect(target?.labels).toMatchObject({
      service_name: "voxedge",
      service_version: "9.9.9",
      deployment_environment_name: "test",
      team: "voice,edge",
    });
    expect(target?.labels.service_instance_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("every declared instrument appears under directPromName with the right type", async () => {
    running = startTelemetry({ serviceName: "voxedge", serviceVersion: "0.0.0", env: {}, prometheus: true });
    const meter = metrics.getMeter("voxedge-test");
    for (const instrument of ALL_INSTRUMENTS) recordOnce(meter, instrument, 2, { probe: "yes" });

    const text = await (await running.prometheusHandler!(new Request("http://bot/metrics"))).text();
    // Prometheus's own parser and linter accept the exposition (promtool ships with Debian's prometheus).
    const lint = Bun.spawnSync(["promtool", "check", "metrics"], { stdin: new TextEncoder().encode(text), stdout: "pipe", stderr: "pipe" });
    expect(`${lint.stdout.toString()}${lint.stderr.toString()}`).toBe("");
    expect(lint.exitCode).toBe(0);
    const names = new Set(parseExposition(text).map((s) => s.name));
    const promType = { counter: "counter", observable_counter: "counter", updowncounter: "gauge", gauge: "gauge", histogram: "histogram" } as const;
    for (const instrument of ALL_INSTRUMENTS) {
      const name = directPromName(instrument);
      expect(typeLine(text, name)).toBe(`# TYPE ${name} ${promType[instrument.kind]}`);
      for (const series of promSeriesNames(name, instrument.kind)) expect(names.has(series)).toBe(true);
    }
  });

  test("call durations use call-length buckets, cache latencies the latency buckets", async () => {
    running = startTelemetry({ serviceName: "voxedge", serviceVersion: "0.0.0", env: {}, prometheus: true });
    const meter = metrics.getMeter("voxedge-test");
    meter.createHistogram(APP_INSTRUMENTS.callDuration.name, { unit: "s" }).record(95);
    meter.createHistogram(CACHE_INSTRUMENTS.operationDuration.name, { unit: "s" }).record(0.0004, { "cache.operation": "l2.get" });

    const samples = parseExposition(await (await running.prometheusHandler!(new Request("http://bot/metrics"))).text());
    const les = (name: string) => samples.filter((s) => s.name === `${name}_bucket`).map((s) => s.labels.le);
    expect(les(directPromName(APP_INSTRUMENTS.callDuration))).toEqual([...CALL_DURATION_BUCKETS_SECONDS.map(String), "+Inf"]);
    expect(les(directPromName(CACHE_INSTRUMENTS.operationDuration))).toEqual([...LATENCY_BUCKETS_SECONDS.map(String), "+Inf"]);
  });

  test("OTEL_SERVICE_NAME overrides both the code's name and OTEL_RESOURCE_ATTRIBUTES", async () => {
    running = startTelemetry({
      serviceName: "voxedge",
      serviceVersion: "1.0.0",
      env: { OTEL_SERVICE_NAME: "voxedge-eu", OTEL_RESOURCE_ATTRIBUTES: "service.name=ignored,service.version=2.0.0" },
      prometheus: true,
    });
    const samples = parseExposition(await (await running.prometheusHandler!(new Request("http://bot/metrics"))).text());
    const target = samples.find((s) => s.name === "target_info");
    expect(target?.labels.service_name).toBe("voxedge-eu");
    expect(target?.labels.service_version).toBe("2.0.0");
  });

  test("HEAD has no body, other methods are refused, and after shutdown the global provider is gone", async () => {
    const telemetry = startTelemetry({ serviceName: "voxedge", serviceVersion: "0.0.0", env: {}, prometheus: true });
    running = telemetry;
    expect(metrics.getMeterProvider()).toBe(telemetry.meterProvider);
    const head = await telemetry.prometheusHandler!(new Request("http://bot/metrics", { method: "HEAD" }));
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    const post = await telemetry.prometheusHandler!(new Request("http://bot/metrics", { method: "POST" }));
    expect(post.status).toBe(405);

    await telemetry.shutdown();
    await telemetry.shutdown();
    expect(metrics.getMeterProvider()).not.toBe(telemetry.meterProvider);
    expect(metrics.getMeterProvider()).not.toBeInstanceOf(SdkMeterProvider);
    const late = await telemetry.prometheusHandler!(new Request("http://bot/metrics"));
    expect(late.status).toBe(503);
  });

  test("a second start while one is running is refused", () => {
    running = startTelemetry({ serviceName: "voxedge", serviceVersion: "0.0.0", env: {}, prometheus: true });
    expect(() => startTelemetry({ serviceName: "voxedge", serviceVersion: "0.0.0", env: {}, prometheus: true })).toThrow(/already registered/);
  });
});

describe("startTelemetry with nothing configured", () => {
  test("installs no SDK: the API stays a no-op", async () => {
    const telemetry = startTelemetry({ serviceName: "voxedge", serviceVersion: "0.0.0", env: { OTEL_EXPORTER_OTLP_ENDPOINT: "  " }, prometheus: false });
    expect(telemetry.prometheusHandler).toBeUndefined();
    expect(telemetry.meterProvider).not.toBeInstanceOf(SdkMeterProvider);
    expect(metrics.getMeterProvider()).not.toBeInstanceOf(SdkMeterProvider);
    // Recording through the no-op API neither throws nor needs anything set up.
    telemetry.meterProvider.getMeter("x").createCounter("voxedge.noop").add(1);
    metrics.getMeter("x").createHistogram("voxedge.noop.duration").record(1);
    await telemetry.shutdown();
    // Nothing was registered, so a real setup can still start afterwards.
    running = startTelemetry({ serviceName: "voxedge", serviceVersion: "0.0.0", env: {}, prometheus: true });
    expect(metrics.getMeterProvider()).toBeInstanceOf(SdkMeterProvider);
  });

  test("a malformed export interval is an error, not a silent default", () => {
    expect(() =>
      startTelemetry({ serviceName: "v", serviceVersion: "0", env: { OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9", OTEL_METRIC_EXPORT_INTERVAL: "15s" }, prometheus: false }),
    ).toThrow(/OTEL_METRIC_EXPORT_INTERVAL/);
    expect(metrics.getMeterProvider()).not.toBeInstanceOf(SdkMeterProvider);
  });
});

interface OtlpAttribute {
  key: string;
  value: { stringValue?: string };
}
interface OtlpMetric {
  name: string;
  unit?: string;
  sum?: { isMonotonic?: boolean; dataPoints: { asInt?: string | number; asDouble?: number }[] };
  histogram?: { dataPoints: { explicitBounds: number[]; count: string | number }[] };
}
interface OtlpRequest {
  resourceMetrics: { resource: { attributes: OtlpAttribute[] }; scopeMetrics: { metrics: OtlpMetric[] }[] }[];
}

/**
 * A stand-in for the OpenTelemetry Collector's OTLP/HTTP receiver: the Collector itself needs
 * Docker and cannot run on this machine, so this server only accepts POST /v1/metrics and keeps
 * what arrives.
 */
function fakeCollector() {
  const received: { contentType: string; body: OtlpRequest }[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const path = new URL(req.url).pathname;
      if (req.method !== "POST" || path !== "/v1/metrics") return new Response("not found", { status: 404 });
      const contentType = req.headers.get("content-type") ?? "";
      received.push({ contentType, body: (await req.json()) as OtlpRequest });
      return Response.json({});
    },
  });
  return { received, url: `http://127.0.0.1:${server.port}`, stop: () => server.stop(true) };
}

function allMetrics(request: OtlpRequest): OtlpMetric[] {
  return request.resourceMetrics.flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics));
}

describe("OTLP/HTTP export", () => {
  test("shutdown flushes the last export to OTEL_EXPORTER_OTLP_ENDPOINT/v1/metrics, with the resource", async () => {
    const collector = fakeCollector();
    try {
      running = startTelemetry({
        serviceName: "voxedge",
        serviceVersion: "0.1.0",
        // Trailing slash on purpose; the interval is long so only the final flush can deliver.
        env: {
          OTEL_EXPORTER_OTLP_ENDPOINT: `${collector.url}/`,
          OTEL_METRIC_EXPORT_INTERVAL: "600000",
          OTEL_RESOURCE_ATTRIBUTES: "deployment.environment.name=ci",
        },
        prometheus: false,
      });
      const meter = metrics.getMeter("voxedge-test");
      meter.createCounter(APP_INSTRUMENTS.callsEnded.name, { unit: "{call}" }).add(7, { "call.status": "busy" });
      meter.createHistogram(CACHE_INSTRUMENTS.operationDuration.name, { unit: "s" }).record(0.002, { "cache.operation": "l2.get" });
      expect(collector.received).toHaveLength(0);

      await running.shutdown();
      expect(collector.received).toHaveLength(1);
      const { contentType, body } = collector.received[0]!;
      expect(contentType).toContain("application/json");

      const attributes = Object.fromEntries(body.resourceMetrics[0]!.resource.attributes.map((a) => [a.key, a.value.stringValue]));
      expect(attributes).toMatchObject({ "service.name": "voxedge", "service.version": "0.1.0", "deployment.environment.name": "ci" });

      const byName = new Map(allMetrics(body).map((m) => [m.name, m]));
      const ended = byName.get(APP_INSTRUMENTS.callsEnded.name);
      expect(ended?.sum?.isMonotonic).toBe(true);
      expect(Number(ended?.sum?.dataPoints[0]?.asInt ?? ended?.sum?.dataPoints[0]?.asDouble)).toBe(7);
      const op = byName.get(CACHE_INSTRUMENTS.operationDuration.name);
      expect(op?.unit).toBe("s");
      expect(op?.histogram?.dataPoints[0]?.explicitBounds).toEqual([...LATENCY_BUCKETS_SECONDS]);
      expect(Number(op?.histogram?.dataPoints[0]?.count)).toBe(1);
    } finally {
      collector.stop();
    }
  });

  test("exports keep arriving on the interval while running", async () => {
    const collector = fakeCollector();
    try {
      running = startTelemetry({
        serviceName: "voxedge",
        serviceVersion: "0.1.0",
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_METRIC_EXPORT_INTERVAL: "50" },
        prometheus: true,
      });
      metrics.getMeter("voxedge-test").createUpDownCounter(APP_INSTRUMENTS.activeCalls.name).add(2);
      // Wait for two periodic exports; the deadline only guards against a hang.
      const deadline = Date.now() + 20_000;
      while (collector.received.length < 2 && Date.now() < deadline) await Bun.sleep(20);
      expect(collector.received.length).toBeGreaterThanOrEqual(2);
      const names = allMetrics(collector.received[0]!.body).map((m) => m.name);
      expect(names).toContain(APP_INSTRUMENTS.activeCalls.name);
      // Both readers run side by side: the same figure is scrapeable too.
      const text = await (await running.prometheusHandler!(new Request("http://bot/metrics"))).text();
      expect(parseExposition(text).find((s) => s.name === directPromName(APP_INSTRUMENTS.activeCalls))?.value).toBe(2);
    } finally {
      await running?.shutdown();
      collector.stop();
    }
  });

  test("a collector refusing the final export does not fail shutdown, and the provider is released", async () => {
    const refusing = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("bad request", { status: 400 }) });
    try {
      const telemetry = startTelemetry({
        serviceName: "voxedge",
        serviceVersion: "0.1.0",
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${refusing.port}` },
        prometheus: false,
      });
      metrics.getMeter("voxedge-test").createCounter(APP_INSTRUMENTS.callsEnded.name).add(1);
      await telemetry.shutdown();
      expect(metrics.getMeterProvider()).not.toBeInstanceOf(SdkMeterProvider);
    } finally {
      refusing.stop(true);
    }
  });

  test("the metrics URL is built from the base endpoint", () => {
    expect(otlpMetricsUrl("http://otel-collector:4318")).toBe("http://otel-collector:4318/v1/metrics");
    expect(otlpMetricsUrl("http://otel-collector:4318//")).toBe("http://otel-collector:4318/v1/metrics");
    expect(otlpMetricsUrl("https://gw.example/otlp")).toBe("https://gw.example/otlp/v1/metrics");
  });
});

describe("OTEL_RESOURCE_ATTRIBUTES parsing", () => {
  test("percent-decoded key=value pairs, blanks ignored", () => {
    expect(parseResourceAttributes(" a=1 , ,b%3Dc=d%2Ce ")).toEqual({ a: "1", "b=c": "d,e" });
    expect(parseResourceAttributes(undefined)).toEqual({});
  });

  test("one malformed pair discards the whole variable", () => {
    expect(parseResourceAttributes("a=1,b")).toEqual({});
    expect(parseResourceAttributes("a=1,=2")).toEqual({});
    expect(parseResourceAttributes("a=%E0%A4%A")).toEqual({});
  });
});
