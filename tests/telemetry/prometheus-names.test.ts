import { describe, expect, test } from "bun:test";
import { ALL_INSTRUMENTS, APP_INSTRUMENTS, CACHE_INSTRUMENTS } from "../../src/telemetry/instruments.ts";
import { collectorPromName, directPromName, promSeriesNames } from "../../src/telemetry/prometheus-names.ts";

describe("collector-path names (what the dashboards query)", () => {
  // Spelled out on purpose: renaming an instrument or changing its unit or kind must show up here.
  const expected: Record<string, string> = {
    "http.server.request.duration": "http_server_request_duration_seconds",
    "voxedge.bot.turn.duration": "voxedge_bot_turn_duration_seconds",
    "voxedge.bot.knowledge.duration": "voxedge_bot_knowledge_duration_seconds",
    "voxedge.bot.calls.active": "voxedge_bot_calls_active",
    "voxedge.bot.calls.ended": "voxedge_bot_calls_ended_total",
    "voxedge.bot.call.duration": "voxedge_bot_call_duration_seconds",
    "voxedge.bot.answers": "voxedge_bot_answers_total",
    "gen_ai.client.operation.duration": "gen_ai_client_operation_duration_seconds",
    "gen_ai.client.token.usage": "gen_ai_client_token_usage",
    "gen_ai.client.operation.time_to_first_chunk": "gen_ai_client_operation_time_to_first_chunk_seconds",
    "voxedge.cache.requests": "voxedge_cache_requests_total",
    "voxedge.cache.operation.duration": "voxedge_cache_operation_duration_seconds",
    "voxedge.cache.l2.errors": "voxedge_cache_l2_errors_total",
    "voxedge.cache.l1.entries": "voxedge_cache_l1_entries",
    "voxedge.cache.l1.evictions": "voxedge_cache_l1_evictions_total",
    "voxedge.cache.breaker.state": "voxedge_cache_breaker_state",
    "voxedge.cache.breaker.transitions": "voxedge_cache_breaker_transitions_total",
    "voxedge.cache.bus.messages": "voxedge_cache_bus_messages_total",
  };

  test("every instrument has its pinned name", () => {
    expect(Object.fromEntries(ALL_INSTRUMENTS.map((i) => [i.name, collectorPromName(i)]))).toEqual(expected);
  });

  test("unit rules: words for UCUM units, annotations dropped, per-units, no repeats", () => {
    expect(collectorPromName({ name: "net.io", unit: "By/s", kind: "counter" })).toBe("net_io_bytes_per_second_total");
    expect(collectorPromName({ name: "jobs.rate", unit: "{job}/s", kind: "gauge" })).toBe("jobs_rate_per_second");
    expect(collectorPromName({ name: "wait.seconds", unit: "s", kind: "histogram" })).toBe("wait_seconds");
    expect(collectorPromName({ name: "load", unit: "ms", kind: "histogram" })).toBe("load_milliseconds");
    expect(collectorPromName({ name: "requests.total", unit: "1", kind: "counter" })).toBe("requests_total");
    expect(collectorPromName({ name: "cpu.ratio", unit: "1", kind: "gauge" })).toBe("cpu_ratio");
    expect(collectorPromName({ name: "queue.depth", unit: "1", kind: "updowncounter" })).toBe("queue_depth");
    expect(collectorPromName({ name: "9lives", unit: "", kind: "gauge" })).toBe("_9lives");
    expect(collectorPromName({ name: "a..b__c", unit: "custom-unit", kind: "gauge" })).toBe("a_b_c_custom_unit");
  });
});

describe("direct-path names (the app's own /metrics)", () => {
  test("dots become underscores, monotonic sums gain _total, no unit suffix", () => {
    expect(directPromName(APP_INSTRUMENTS.httpServerDuration)).toBe("http_server_request_duration");
    expect(directPromName(APP_INSTRUMENTS.activeCalls)).toBe("voxedge_bot_calls_active");
    expect(directPromName(CACHE_INSTRUMENTS.requests)).toBe("voxedge_cache_requests_total");
    expect(directPromName(CACHE_INSTRUMENTS.breakerState)).toBe("voxedge_cache_breaker_state");
    expect(directPromName({ name: "jobs.done_total", unit: "", kind: "counter" })).toBe("jobs_done_total");
    expect(directPromName({ name: "a-b..c", unit: "", kind: "gauge" })).toBe("a_b_c");
  });

  test("the two paths differ only by suffixes for every instrument", () => {
    for (const instrument of ALL_INSTRUMENTS) {
      const direct = directPromName(instrument).replace(/_total$/, "");
      expect(collectorPromName(instrument).startsWith(direct)).toBe(true);
    }
  });
});

test("histograms expose _bucket, _sum and _count; everything else one series", () => {
  expect(promSeriesNames("x_seconds", "histogram")).toEqual(["x_seconds_bucket", "x_seconds_sum", "x_seconds_count"]);
  expect(promSeriesNames("x_total", "counter")).toEqual(["x_total"]);
});

test("instrument names are unique", () => {
  const names = ALL_INSTRUMENTS.map((i) => i.name);
  expect(new Set(names).size).toBe(names.length);
});
