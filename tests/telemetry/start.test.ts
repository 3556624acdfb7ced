import { expect, test } from "bun:test";
import { startConfiguredTelemetry } from "../../src/telemetry/start.ts";

test("nothing configured: a no-op provider and no /metrics handler, without the SDK", async () => {
  const telemetry = await startConfiguredTelemetry({ serviceName: "voxedge", serviceVersion: "0.0.0", env: {}, prometheus: false });
  expect(telemetry.prometheusHandler).toBeUndefined();
  const counter = telemetry.meterProvider.getMeter("t").createCounter("voxedge_test_total");
  expect(() => counter.add(1)).not.toThrow();
  await telemetry.shutdown();
});

test("Prometheus on: the SDK is loaded and /metrics answers with what was recorded", async () => {
  const telemetry = await startConfiguredTelemetry({ serviceName: "voxedge", serviceVersion: "0.0.0", env: {}, prometheus: true });
  try {
    telemetry.meterProvider.getMeter("t").createCounter("voxedge_start_test_total").add(3);
    const res = await telemetry.prometheusHandler!(new Request("http://localhost/metrics"));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("voxedge_start_test_total");
  } finally {
    await telemetry.shutdown();
  }
});
