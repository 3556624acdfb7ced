/**
 * The server under load: how many signed `POST /twilio/gather` webhooks the real server answers
 * per second with a warm cache, against a bare Hono route on the same runtime, with the memory,
 * Redis and Redis Cluster L2s; and how long a cold start takes. Not part of `bun test`.
 *
 * Every target runs in its own process on loopback and gets the same load (autocannon, in this
 * process, playing 60 simulated calls that each post their next turn to the `<Gather action>` the
 * previous reply gave, as Twilio does). Targets take turns in rounds, so a burst of noise on the
 * machine hits one round of each rather than all rounds of one; tables show medians. The L2
 * commands of each run are counted on the redis-server and every cluster master, and the figures
 * are compared with the committed baseline (`bench/baseline.json`; `--save-baseline` records one).
 *
 * @example
 * ```sh
 * bun bench/server.ts                       # about 2.5 minutes; writes .tmp/bench-server.md
 * bun bench/server.ts --duration 3 --rounds 1 --cold-starts 3   # a quick look
 * bun bench/server.ts --save-baseline      # this run becomes the baseline later runs compare with
 * ```
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { compareWithBaseline, saveBaseline } from "./lib/baseline.ts";
import { commandCounter, HOUSEKEEPING_COMMANDS, masterPorts, type CommandCounter } from "./lib/l2-commands.ts";
import { runLoad, type LoadResult } from "./lib/server-load.ts";
import {
  benchRedis,
  benchRedisCluster,
  measureColdStart,
  processCpuSeconds,
  startBareRoute,
  startVoxedge,
  stopAllRedis,
  type BenchServer,
  type VoxedgeEnv,
} from "./lib/server-procs.ts";
import { baselineFigures, summary } from "./lib/server-figures.ts";
import { formatMs, formatRate, machineLine, markdownTable, median } from "./lib/server-report.ts";
import { benchCalls, gatherSigner, recordCalls, type BenchCall, type GatherSigner, type SignedTurn } from "./lib/server-requests.ts";

/** Settings of one benchmark run. */
export interface ServerBenchOptions {
  connections: number;
  /** Seconds of measured load per target and round. */
  durationSec: number;
  /** Rounds of measured load; each round loads every target once. */
  rounds: number;
  /** Seconds of unmeasured load per target before the first round (JIT, connection pools). */
  warmupSec: number;
  /** Cold starts to time; the median is reported. */
  coldStarts: number;
  /** Where the markdown goes, besides stdout. */
  outFile: string;
  /** Record this run's figures as the baseline (bench/baseline.json, section `server`). */
  saveBaseline?: boolean;
  /** Progress lines (to stderr by default, so stdout is the report alone). */
  progress?: (line: string) => void;
}

/** Targets: the gather route must reach this share of the bare route's throughput (per target below). */
const MIN_THROUGHPUT_RATIO = 0.5;
/** Targets: p99 under load at most this multiple of the bare route's. */
const MAX_P99_TIMES_BARE = 2;
/** Targets: spawn to first answer. */
const MAX_COLD_START_MS = 300;

const AUTH_TOKEN = "bench-auth-token";
// A fixed public URL: signatures do not depend on the port, so one set of bodies serves every server.
const PUBLIC_BASE_URL = "https://bench.voxedge.test";

const DEFAULTS: ServerBenchOptions = {
  connections: 50,
  durationSec: 8,
  rounds: 3,
  warmupSec: 3,
  coldStarts: 5,
  outFile: resolve(import.meta.dir, "../.tmp/bench-server.md"),
};

interface Target {
  name: string;
  /** What the row is compared with: the bare route itself has no ratio. */
  baseline: boolean;
  server: BenchServer;
  /** Redis processes behind the server, whose CPU counts as part of its cost. */
  redisPids: number[];
  /** Counts the L2's commands (redis-server, or every cluster master); none for an in-process L2. */
  commands: CommandCounter | undefined;
  /** The throughput ratio this target must reach. */
  minRatio: number;
  /** The calls as recorded against this target (the bare route replays the first voxedge target's). */
  recorded: SignedTurn[][];
  results: Measured[];
}

/** One measured run plus where the machine's CPU went during it. */
interface Measured extends LoadResult {
  /** Server CPU (user + system) per response, in microseconds. */
  serverCpuUsPerReq: number;
  /** Cores busy on average: the server, its Redis processes, and the load generator (this process). */
  serverCores: number;
  redisCores: number;
  generatorCores: number;
  /** L2 commands the server issued during the run (NaN without a counter). */
  l2Commands: number;
}

/** Runs the load against one target and accounts for the CPU each side used meanwhile. */
async function measure(target: Target, options: ServerBenchOptions): Promise<Measured> {
  const commandsBefore = (await target.commands?.total()) ?? Number.NaN;
  const redisCpu = () => target.redisPids.reduce((sum, pid) => sum + (processCpuSeconds(pid) ?? 0), 0);
  const serverBefore = target.server.cpuSeconds() ?? Number.NaN;
  const redisBefore = redisCpu();
  const generatorBefore = process.cpuUsage();
  const wallBefore = performance.now();
  const load = await runLoad({ origin: target.server.origin, calls: target.recorded, connections: options.connections, durationSec: options.durationSec });
  const wallSec = (performance.now() - wallBefore) / 1000;
  const generator = process.cpuUsage(generatorBefore);
  const serverSec = (target.server.cpuSeconds() ?? Number.NaN) - serverBefore;
  const commandsAfter = (await target.commands?.total()) ?? Number.NaN;
  return {
    l2Commands: commandsAfter - commandsBefore,
    ...load,
    serverCpuUsPerReq: (serverSec * 1e6) / load.requests,
    serverCores: serverSec / wallSec,
    redisCores: (redisCpu() - redisBefore) / wallSec,
    generatorCores: (generator.user + generator.system) / 1e6 / wallSec,
  };
}

/**
 * Runs the whole benchmark and returns the report as markdown (also written to `outFile`).
 *
 * @example
 * ```ts
 * const markdown = await runServerBench({ durationSec: 3, rounds: 1 });
 * ```
 */
export async function runServerBench(overrides: Partial<ServerBenchOptions> = {}): Promise<string> {
  const options: ServerBenchOptions = { ...DEFAULTS, ...overrides };
  const progress = options.progress ?? ((line: string) => console.error(line));
  const header = machineLine();
  const startedAt = performance.now();
  const traffic: Traffic = { calls: benchCalls(), signer: gatherSigner({ publicBaseUrl: PUBLIC_BASE_URL, authToken: AUTH_TOKEN }) };
  const baseEnv: VoxedgeEnv = { TWILIO_AUTH_TOKEN: AUTH_TOKEN, PUBLIC_BASE_URL };

  const targets: Target[] = [];
  const notes: string[] = [];
  try {
    progress("starting redis-server and a 6-node Redis Cluster on free ports…");
    const [redis, cluster] = await Promise.all([benchRedis(), benchRedisCluster()]);

    progress("starting the bare route and three voxedge servers…");
    const clusterCounter = commandCounter(await masterPorts(cluster));
    const specs: Array<[string, boolean, () => Promise<BenchServer>, number[], CommandCounter | undefined, number]> = [
      ["bare Hono route (baseline)", true, startBareRoute, [], undefined, 1],
      ["gather, CACHE_L2=memory", false, () => startVoxedge({ ...baseEnv, CACHE_L2: "memory" }), [], undefined, MIN_THROUGHPUT_RATIO],
      ["gather, CACHE_L2=redis", false, () => startVoxedge({ ...baseEnv, CACHE_L2: "redis", REDIS_URL: redis.url }), [redis.pid], commandCounter([redis.port]), 0.45],
      [
        "gather, CACHE_L2=redis-cluster",
        false,
        () => startVoxedge({ ...baseEnv, CACHE_L2: "redis-cluster", REDIS_CLUSTER_NODES: cluster.seeds.join(",") }),
        cluster.nodes.map((node) => node.pid),
        clusterCounter,
        0.45,
      ],
    ];
    for (const [name, baseline, start, redisPids, commands, minRatio] of specs) targets.push({ name, baseline, server: await start(), redisPids, commands, minRatio, recorded: [], results: [] });

    for (const target of targets.filter((t) => !t.baseline)) {
      const check = await recordAndCheck(target.server.origin, traffic);
      if (check.problems.length > 0) throw new Error(`${target.name}: ${check.problems.join("; ")}`);
      target.recorded = check.recorded;
    }
    // The bare route answers no TwiML: it gets the same bytes as the first voxedge target.
    for (const target of targets.filter((t) => t.baseline)) target.recorded = targets.find((t) => !t.baseline)!.recorded;
    const turns = traffic.calls.reduce((sum, call) => sum + call.turns.length, 0);
    notes.push(
      `Every voxedge server played all ${traffic.calls.length} calls (${turns} turns, each posted to the action URL the reply before gave) with TwiML answers before the load (which also warmed its cache) and refused a tampered signature with 403.`,
    );

    progress(`warm-up: ${options.warmupSec} s of load per target…`);
    for (const target of targets) {
      await runLoad({ origin: target.server.origin, calls: target.recorded, connections: options.connections, durationSec: options.warmupSec });
    }

    for (let round = 0; round < options.rounds; round++) {
      // Rotating the order keeps any one target from always following the same neighbour.
      const order = targets.map((_, i) => targets[(i + round) % targets.length]!);
      for (const target of order) {
        const result = await measure(target, options);
        target.results.push(result);
        progress(
          `round ${round + 1}/${options.rounds} ${target.name}: ${formatRate(result.reqPerSec)} req/s, p50 ${formatMs(result.p50Ms)} ms, p99 ${formatMs(result.p99Ms)} ms, ` +
            `server ${result.serverCpuUsPerReq.toFixed(1)} µs CPU/req, cores server ${result.serverCores.toFixed(2)} redis ${result.redisCores.toFixed(2)} generator ${result.generatorCores.toFixed(2)}, ` +
            `non-2xx ${result.non2xx}, errors ${result.errors}` +
            (Number.isNaN(result.l2Commands) ? "" : `, L2 commands/turn ${(result.l2Commands / result.requests).toFixed(3)}`),
        );
      }
    }

    // The server answers its own failures on /twilio with a 200 apology, so status codes alone
    // cannot show that every answer was real: its log has to be clean too.
    let quiet = true;
    for (const target of targets) {
      const logged = target.server.stderrLines().filter((line) => /"level":"(error|warn)"/.test(line));
      if (logged.length === 0) continue;
      quiet = false;
      notes.push(`${target.name} logged ${logged.length} warning/error line(s), e.g. ${logged[0]}`);
    }
    if (quiet) notes.push("No server logged a warning or an error during the run (a failure inside a webhook is answered with a 200 apology and logged, so this is the check that every 200 was a real answer).");
  } finally {
    await Promise.all(targets.map((t) => t.server.stop()));
    await stopAllRedis();
  }

  progress(`cold start: ${options.coldStarts} × spawn → first 200 on /health…`);
  const coldStarts: number[] = [];
  for (let i = 0; i < options.coldStarts; i++) coldStarts.push(await measureColdStart({ ...baseEnv, CACHE_L2: "memory" }));

  const figures = baselineFigures(targets);
  if (options.saveBaseline) saveBaseline("server", figures, header);
  const comparison = compareWithBaseline("server", figures);
  if (comparison.dropped.length > 0) progress(`DROP of more than 15% against bench/baseline.json: ${comparison.dropped.join("; ")}`);
  const markdown = report({ header, options, targets, coldStarts, notes, comparison: comparison.markdown, totalSec: (performance.now() - startedAt) / 1000 });
  mkdirSync(dirname(options.outFile), { recursive: true });
  writeFileSync(options.outFile, markdown);
  return markdown;
}

/**
 * Records the calls against the server (warming its cache and checking every reply, see
 * `recordCalls`), then sends one tampered signature, which must get a 403.
 */
async function recordAndCheck(origin: string, traffic: Traffic): Promise<{ recorded: SignedTurn[][]; problems: string[] }> {
  const { recorded, problems } = await recordCalls(origin, traffic.calls, traffic.signer);
  const first = recorded[0]![0]!;
  const tampered = await fetch(origin + first.path, {
    method: "POST",
    headers: { ...first.headers, "x-twilio-signature": "AAAAAAAAAAAAAAAAAAAAAAAAAAA=" },
    body: first.body,
  });
  await tampered.arrayBuffer();
  if (tampered.status !== 403) problems.push(`a tampered signature got ${tampered.status}, not 403: signatures are not being checked`);
  return { recorded, problems };
}

/** What the load generator is given: the calls, and the signer that follows their action URLs. */
interface Traffic {
  calls: readonly BenchCall[];
  signer: GatherSigner;
}

function report(input: {
  header: string;
  options: ServerBenchOptions;
  targets: Target[];
  coldStarts: number[];
  notes: string[];
  comparison: string;
  totalSec: number;
}): string {
  const { header, options, targets, coldStarts, notes } = input;
  const baseline = targets.find((t) => t.baseline);
  const rounds = baseline?.results.length ?? 0;

  const rows = targets.map((target) => {
    const rates = target.results.map((r) => r.reqPerSec);
    // Each round's ratio compares runs a few seconds apart, which cancels most of the machine's drift.
    const against = baseline && !target.baseline ? summary(target, baseline) : undefined;
    const ratio = against?.ratio ?? Number.NaN;
    const non2xx = target.results.reduce((sum, r) => sum + r.non2xx, 0);
    const errors = target.results.reduce((sum, r) => sum + r.errors, 0);
    const total = target.results.reduce((sum, r) => sum + r.requests, 0);
    const l2PerTurn = against === undefined || Number.isNaN(against.l2PerTurn) ? "–" : against.l2PerTurn.toFixed(3);
    const met = against !== undefined && ratio >= target.minRatio && against.p99TimesBare <= MAX_P99_TIMES_BARE && !(against.l2PerTurn > 0);
    const verdict = target.baseline ? "baseline" : `${met ? "met" : "NOT met"} (≥ ${target.minRatio}, p99 ≤ ${MAX_P99_TIMES_BARE}×${Number.isNaN(against?.l2PerTurn ?? Number.NaN) ? "" : ", 0 L2"})`;
    const cores = (pick: (r: Measured) => number) => median(target.results.map(pick)).toFixed(2);
    return [
      target.name,
      formatRate(median(rates)),
      rates.length > 1 ? `${formatRate(Math.min(...rates))}–${formatRate(Math.max(...rates))}` : "",
      target.baseline ? "1.00" : ratio.toFixed(2),
      formatMs(median(target.results.map((r) => r.p50Ms))),
      formatMs(median(target.results.map((r) => r.p99Ms))),
      against === undefined ? "1.00" : against.p99TimesBare.toFixed(2),
      l2PerTurn,
      median(target.results.map((r) => r.serverCpuUsPerReq)).toFixed(1),
      `${cores((r) => r.serverCores)} / ${target.redisPids.length > 0 ? cores((r) => r.redisCores) : "–"} / ${cores((r) => r.generatorCores)}`,
      total.toLocaleString("en-US"),
      `${non2xx} / ${errors}`,
      verdict,
    ];
  });

  const coldMedian = median(coldStarts);
  const lines = [
    "# voxedge server benchmark",
    "",
    header,
    "",
    `The load generator (autocannon, ${options.connections} connections, in the benchmark's own Bun process) shares the machine's ${cpus().length} cores with the server under test, so absolute figures understate a dedicated server, and the throughput target is a ratio to a bare Hono route measured the same way. Server CPU per request (user + system time of the server process over the responses it sent) is the steadier figure on a noisy machine; the cores column shows where the CPU went during the runs.`,
    "",
    `## Webhook throughput: ${rounds} round(s) × ${options.durationSec} s per target after ${options.warmupSec} s of warm-up`,
    "",
    `\`POST /twilio/gather\`, 60 simulated calls (20 caller utterances to the 3 sample businesses: 19 paraphrased FAQ questions and one opening-hours question; each call asks its business all of its questions, one CallSid per call), one call per connection, every turn posted to the \`<Gather action>\` the previous reply gave and signed over that URL (recorded by playing each call once before the load, so the generator replays bytes), warm cache, loopback. Targets per row: the throughput ratio, p99 at most ${MAX_P99_TIMES_BARE}× the bare route's, and no L2 command per turn. Figures are medians over the rounds; ratios are medians of per-round ratios. L2 commands per turn: \`INFO commandstats\` on the redis-server or every cluster master, before and after each timed run, over the responses (left out: ${HOUSEKEEPING_COMMANDS.join(", ")}).`,
    "",
    markdownTable(
      ["target", "req/s", "range", "ratio to bare", "p50 ms", "p99 ms", "p99 × bare", "L2 commands / turn", "server CPU µs/req", "cores: server / redis / load gen", "responses", "non-2xx / errors", "target"],
      rows,
    ),
    "",
    `## Cold start: spawn of \`bun src/server.ts\` to the first 200 on /health (CACHE_L2=memory)`,
    "",
    markdownTable(
      ["runs", "median ms", "min ms", "max ms", "each ms", "target"],
      [
        [
          String(coldStarts.length),
          formatMs(coldMedian),
          formatMs(Math.min(...coldStarts)),
          formatMs(Math.max(...coldStarts)),
          coldStarts.map((ms) => ms.toFixed(0)).join(", "),
          coldMedian < MAX_COLD_START_MS ? `met (< ${MAX_COLD_START_MS})` : `NOT met (< ${MAX_COLD_START_MS})`,
        ],
      ],
    ),
    "",
    "## Against the baseline",
    "",
    input.comparison,
    "",
    ...notes.map((note) => `- ${note}`),
    "- The Redis Cluster is 3 masters with 1 replica each; like the single redis-server, it runs on this machine and its CPU is in the redis column.",
    `- Whole run: ${input.totalSec.toFixed(0)} s.`,
    "",
  ];
  return lines.join("\n");
}

function parseOptions(argv: string[]): Partial<ServerBenchOptions> {
  const { values } = parseArgs({
    args: argv,
    options: {
      connections: { type: "string" },
      duration: { type: "string" },
      rounds: { type: "string" },
      warmup: { type: "string" },
      "cold-starts": { type: "string" },
      out: { type: "string" },
      "save-baseline": { type: "boolean" },
    },
  });
  const positive = (name: string, raw: string | undefined): number | undefined => {
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer, got ${raw}`);
    return value;
  };
  const parsed: Partial<ServerBenchOptions> = {};
  const set = <K extends keyof ServerBenchOptions>(key: K, value: ServerBenchOptions[K] | undefined) => {
    if (value !== undefined) parsed[key] = value;
  };
  set("connections", positive("connections", values.connections));
  set("durationSec", positive("duration", values.duration));
  set("rounds", positive("rounds", values.rounds));
  set("warmupSec", positive("warmup", values.warmup));
  set("coldStarts", positive("cold-starts", values["cold-starts"]));
  set("outFile", values.out === undefined ? undefined : resolve(values.out));
  set("saveBaseline", values["save-baseline"]);
  return parsed;
}

if (import.meta.main) {
  const markdown = await runServerBench(parseOptions(process.argv.slice(2)));
  console.log(markdown);
  // Keep-alive sockets of the load generator may linger; the report is written, so leave now.
  process.exit(0);
}
