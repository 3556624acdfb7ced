/**
 * Metrics end to end with a real Prometheus (Debian's `prometheus` package): it scrapes a real
 * server's `/metrics` while calls go through the webhooks, and its HTTP API must then answer the
 * dashboards' kind of questions — a cache hit ratio and a latency quantile — with sane values.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findExecutable, findFreePort } from "../../src/ops/redis-server.ts";
import { APP_INSTRUMENTS, CACHE_INSTRUMENTS } from "../../src/telemetry/instruments.ts";
import { directPromName } from "../../src/telemetry/prometheus-names.ts";
import { sharedRedis } from "../support/servers.ts";
import { startServer, type ServerProcess } from "../support/server-process.ts";
import { signedFormRequest } from "../support/twilio-peer.ts";

const TOKEN = "prometheus-e2e-token";
let server: ServerProcess;
let prometheus: ReturnType<typeof Bun.spawn> | undefined;
let promUrl = "";
let dir = "";

beforeAll(async () => {
  const binary = findExecutable("prometheus");
  if (!binary) throw new Error("prometheus is not installed: run `apt-get install prometheus` (Debian's package; .ci/run installs it)");
  const { url } = await sharedRedis();
  server = await startServer({ TWILIO_AUTH_TOKEN: TOKEN, METRICS_PROMETHEUS: "true", CACHE_L2: "redis", REDIS_URL: url, CACHE_PREFIX: `prom${Date.now()}` });

  dir = mkdtempSync(join(tmpdir(), "voxedge-prometheus-"));
  const port = await findFreePort();
  promUrl = `http://127.0.0.1:${port}`;
  writeFileSync(
    join(dir, "prometheus.yml"),
    `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: voxedge\n    static_configs:\n      - targets: ["127.0.0.1:${server.port}"]\n`,
  );
  prometheus = Bun.spawn(
    [binary, `--config.file=${join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`],
    { stdout: "ignore", stderr: "ignore" },
  );
  const until = Date.now() + 20_000;
  while (!(await fetch(`${promUrl}/-/ready`).then((r) => r.ok, () => false))) {
    if (Date.now() > until) throw new Error("prometheus did not become ready");
    await Bun.sleep(100);
  }
}, 40_000);

afterAll(async () => {
  prometheus?.kill();
  await prometheus?.exited;
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function query(expr: string): Promise<number | undefined> {
  const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as { status: string; data: { result: Array<{ value: [number, string] }> } };
  expect(body.status).toBe("success");
  const value = body.data.result[0]?.value[1];
  return value === undefined ? undefined : Number(value);
}

test("Prometheus scrapes the server and answers hit ratio and latency quantile queries", async () => {
  const questions = ["do you have parking", "do you deliver", "how much is a large pizza", "do you have parking"];
  for (let call = 0; call < 20; call++) {
    const callSid = `CAprom${call}`;
    const params = { CallSid: callSid, From: "+14155550100", To: "+15550001111", AccountSid: "AC1", CallStatus: "in-progress" };
    expect((await fetch(signedFormRequest(`${server.url}/twilio/voice`, params, TOKEN))).status).toBe(200);
    for (const q of questions) {
      const res = await fetch(signedFormRequest(`${server.url}/twilio/gather`, { ...params, SpeechResult: q }, TOKEN));
      expect(res.status).toBe(200);
    }
  }

  const requests = directPromName(CACHE_INSTRUMENTS.requests);
  const http = directPromName(APP_INSTRUMENTS.httpServerDuration);
  const turn = directPromName(APP_INSTRUMENTS.turnDuration);
  // Business lookups: one miss, then hits. (Sessions read L2 on every webhook by design, so they are left out.)
  const hitRatio = `sum(${requests}{cache_namespace="business",cache_level="l1",cache_result="hit"}) / sum(${requests}{cache_namespace="business",cache_level="l1"})`;
  // Over the cumulative buckets: the burst of calls ends before two scrapes could give a rate.
  const p99 = `histogram_quantile(0.99, sum by (le) (${http}_bucket{http_route="/twilio/gather"}))`;

  // Wait for scrapes that saw the traffic (scrape interval 1 s).
  let ratio: number | undefined;
  let latency: number | undefined;
  const until = Date.now() + 20_000;
  while (Date.now() < until) {
    ratio = await query(hitRatio);
    latency = await query(p99);
    if (ratio !== undefined && latency !== undefined && Number.isFinite(latency) && ratio > 0.9) break;
    await Bun.sleep(500);
  }
  console.log(`prometheus: ${hitRatio} = ${ratio}`);
  console.log(`prometheus: ${p99} = ${latency}`);
  // 20 calls × 5 webhooks to one number: everything after the first lookup hits L1.
  expect(ratio).toBeGreaterThan(0.9);
  expect(ratio).toBeLessThanOrEqual(1);
  expect(latency).toBeGreaterThan(0);
  expect(latency).toBeLessThan(1);

  const turns = await query(`sum(${turn}_count{bot_outcome="answer"})`);
  expect(turns).toBe(80);
  const breaker = await query(directPromName(CACHE_INSTRUMENTS.breakerState));
  expect(breaker).toBe(0);
}, 60_000);
