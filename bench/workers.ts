/**
 * The same bot on Cloudflare Workers (the built bundle on real workerd, through miniflare) next to
 * Bun and Deno, in one run: cold start (start to the first 200 on `/health`) and warm gather-turn
 * time (one signed `POST /twilio/gather` at a time over loopback HTTP, after a warm-up pass, so
 * every answer comes from a warm L1). Every target has no L2 (`CACHE_L2=none`): what is compared
 * is the runtime, not a network. Not part of `bun test`.
 *
 * @example
 * ```sh
 * bun run bench -- --only workers          # or: bun bench/workers.ts --passes 3 --cold-starts 5
 * ```
 */
import { parseArgs } from "node:util";
import { Miniflare } from "miniflare";
import { buildWorker } from "../src/runtime/build-workers.ts";
import { workerOptions } from "../src/runtime/miniflare-options.ts";
import { BUN_SERVER, DENO_SERVER, measureColdStart, startVoxedge, type BenchServer } from "./lib/server-procs.ts";
import { formatMs, machineLine, markdownTable, median } from "./lib/server-report.ts";
import { FIRST_GATHER_PATH, benchCalls, gatherSigner, type SignedTurn } from "./lib/server-requests.ts";

const AUTH_TOKEN = "bench-auth-token";
const PUBLIC_BASE_URL = "https://bench.voxedge.test";
const ENV = { TWILIO_AUTH_TOKEN: AUTH_TOKEN, PUBLIC_BASE_URL, CACHE_L2: "none", CACHE_KEY_SECRET: "bench-key-secret-0123456789abcdef0123" };

interface Target {
  name: string;
  origin: string;
  stop(): Promise<void>;
  samples: number[];
}

async function startWorker(path: string): Promise<{ origin: string; mf: Miniflare }> {
  const mf = new Miniflare({ ...workerOptions(path, { ...ENV, LOG_LEVEL: "warn" }), host: "127.0.0.1", port: 0 });
  const url = await mf.ready;
  return { origin: url.origin, mf };
}

/** Milliseconds from `new Miniflare` (workerd spawned, bundle loaded) to the first 200 on `/health`. */
async function workerColdStart(path: string): Promise<number> {
  const started = performance.now();
  const { origin, mf } = await startWorker(path);
  try {
    const res = await fetch(`${origin}/health`);
    if (res.status !== 200) throw new Error(`the Worker answered /health with ${res.status}`);
    return performance.now() - started;
  } finally {
    await mf.dispose();
  }
}

async function turn(origin: string, webhook: SignedTurn): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${origin}${webhook.path}`, { method: "POST", headers: webhook.headers, body: webhook.body });
  const text = await res.text();
  if (res.status !== 200 || !text.includes("<Say")) throw new Error(`a gather turn answered ${res.status}: ${text.slice(0, 200)}`);
  return performance.now() - started;
}

const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Bun.argv.slice(2),
    options: { passes: { type: "string", default: "3" }, "cold-starts": { type: "string", default: "3" }, "no-deno": { type: "boolean", default: false } },
    allowPositionals: true,
  });
  const passes = Number(values.passes);
  const coldStarts = Number(values["cold-starts"]);
  const withDeno = !values["no-deno"] && Bun.which("deno") !== null;
  const progress = (line: string) => console.error(`  … ${line}`);

  const bundle = await buildWorker();
  // Each call's turns posted as first turns (no state in the URL): the same work on every runtime, replayable.
  const signer = gatherSigner({ publicBaseUrl: PUBLIC_BASE_URL, authToken: AUTH_TOKEN });
  const webhooks: SignedTurn[] = benchCalls()
    .flatMap((call) => call.turns)
    .slice(0, 200)
    .map((t) => ({ path: FIRST_GATHER_PATH, body: t.body, headers: signer.headers(FIRST_GATHER_PATH, t.params) }));

  progress(`cold starts (${coldStarts} each)`);
  const cold: Record<string, number[]> = { "Cloudflare Workers (workerd, miniflare)": [], Bun: [], ...(withDeno ? { Deno: [] } : {}) };
  for (let i = 0; i < coldStarts; i++) {
    cold["Cloudflare Workers (workerd, miniflare)"]!.push(await workerColdStart(bundle.path));
    cold.Bun!.push(await measureColdStart(ENV, 2, BUN_SERVER));
    if (withDeno) cold.Deno!.push(await measureColdStart(ENV, 2, DENO_SERVER));
  }

  progress("warm gather turns");
  const worker = await startWorker(bundle.path);
  const servers: BenchServer[] = [await startVoxedge(ENV, BUN_SERVER)];
  if (withDeno) servers.push(await startVoxedge(ENV, DENO_SERVER));
  const targets: Target[] = [
    { name: "Cloudflare Workers (workerd, miniflare)", origin: worker.origin, stop: () => worker.mf.dispose(), samples: [] },
    { name: "Bun", origin: servers[0]!.origin, stop: () => servers[0]!.stop(), samples: [] },
    ...(withDeno ? [{ name: "Deno", origin: servers[1]!.origin, stop: () => servers[1]!.stop(), samples: [] }] : []),
  ];
  try {
    // One unmeasured pass fills each target's L1 (and JIT); then passes take turns across targets.
    for (const target of targets) for (const webhook of webhooks) await turn(target.origin, webhook);
    for (let pass = 0; pass < passes; pass++) {
      for (const target of targets) for (const webhook of webhooks) target.samples.push(await turn(target.origin, webhook));
    }
  } finally {
    for (const target of targets) await target.stop();
  }

  const bunCold = median(cold.Bun!);
  const bunWarm = median(targets[1]!.samples);
  const rows = targets.map((target) => {
    const coldMs = median(cold[target.name]!);
    const warm = median(target.samples);
    return [
      target.name,
      `${formatMs(coldMs)} ms`,
      `${(coldMs / bunCold).toFixed(2)}×`,
      `${formatMs(warm)} ms`,
      `${formatMs(percentile(target.samples, 0.99))} ms`,
      `${(warm / bunWarm).toFixed(2)}×`,
    ];
  });
  console.log(`## Cloudflare Workers next to Bun${withDeno ? " and Deno" : ""}\n`);
  console.log(machineLine());
  console.log(`\nBundle: ${(bundle.rawBytes / 1024).toFixed(1)} KiB raw, ${(bundle.gzipBytes / 1024).toFixed(1)} KiB gzipped (limit 3 MiB free plan, goal 1 MiB).`);
  console.log(`Cold start: median of ${coldStarts}, start to the first 200 on /health. Warm gather turn: median and p99 of ${passes} × ${webhooks.length} sequential signed webhooks over loopback, after one warm-up pass; CACHE_L2=none everywhere. The Worker's figures include miniflare's entry worker, one more hop inside workerd before the bot's.\n`);
  console.log(markdownTable(["runtime", "cold start", "vs Bun", "warm gather turn (p50)", "p99", "vs Bun"], rows));
}

await main();
