/**
 * Cache benchmarks: voxedge against bentocache, cache-manager, cacheable and raw ioredis, in one
 * process and one run, on the same values and key sets.
 *
 *   bun run bench:cache                       # every section (under a minute on 2 cores)
 *   bun bench/cache.ts --sections=l1,l2 # some of: l1, l2, stampede, cluster, memory
 *
 * Prints markdown tables (median ns/op over interleaved rounds, after a warm-up) with a verdict
 * under each, and writes the same text to `.tmp/bench-cache.md`. Redis servers are throwaway
 * processes on free loopback ports, stopped at the end. Not part of `bun test`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { metrics } from "@opentelemetry/api";
import { createCache as createCacheManager } from "cache-manager";
import { Cacheable, createKeyv } from "cacheable";
import { Cluster, Redis } from "ioredis";
import { Redis as Redis5 } from "ioredis5";
import QuickLRU from "quick-lru";
import { createCache, memoryL2, type Cache } from "../src/cache/index.ts";
import { redisClusterL2, redisL2 } from "../src/cache/redis.ts";
import { asBentoConnection, loadBentocache } from "./lib/bentocache.ts";
import { benchMetrics, filler, phoneKeys, prng, sampleBusiness, type BenchBusiness, type BenchMetrics } from "./lib/fixtures.ts";
import { asyncLoop, concurrently, interleavedLatency, median, syncLoop, timeRounds, type Latency, type Timing, type Variant } from "./lib/measure.ts";
import { formatMiB, formatNs, formatRatio, machineLine, markdownTable, verdict } from "./lib/report.ts";
import { benchRedisCluster, benchRedisServer, stopServer, stopServers } from "./lib/servers.ts";

const SECTIONS = ["l1", "l2", "stampede", "cluster", "memory"] as const;
type Section = (typeof SECTIONS)[number];

const HOUR_MS = 3_600_000;
const OUTPUT_FILE = join(import.meta.dir, "..", ".tmp", "bench-cache.md");

/** Everything opened during a run, closed in reverse order at the end whatever happens. */
const closers: Array<() => Promise<unknown> | unknown> = [];
function onClose(close: () => Promise<unknown> | unknown): void {
  closers.push(close);
}

const value = sampleBusiness();
/** Prebuilt loaders: an L1 hit must never call them, so counting calls costs the hit path nothing. */
let loaderCalls = 0;
const loader = (): BenchBusiness => {
  loaderCalls++;
  return value;
};
const asyncLoader = (): Promise<BenchBusiness> => {
  loaderCalls++;
  return Promise.resolve(value);
};

// ——— 1. L1 hit ———

async function benchL1(telemetry: BenchMetrics): Promise<string> {
  const { BentoCache, bentostore, memoryDriver } = await loadBentocache();
  const keys = phoneKeys(1024, "l1:");
  const MASK = keys.length - 1;
  const key = (i: number): string => keys[i & MASK] as string;

  // voxedge as the product runs it by default: memory L2, stats counters, metrics into an SDK meter.
  const cache = createCache({ prefix: "bench", l2: memoryL2(), namespaces: { x: { ttl: HOUR_MS } }, meter: telemetry.meter });
  onClose(() => cache.close());
  await busSettled(cache);
  const handle = cache.namespace<BenchBusiness>("x");
  for (const k of keys) await handle.set(k, value);

  // bentocache at its fastest: L1 only, entries kept as objects (no JSON round trip per hit).
  const bento = new BentoCache({
    default: "l1",
    stores: { l1: bentostore().useL1Layer(memoryDriver({ maxItems: 10_000, serialize: false })) },
  });
  onClose(() => bento.disconnect());
  for (const k of keys) await bento.set({ key: k, value, ttl: "1h" });

  const manager = createCacheManager({ ttl: HOUR_MS });
  onClose(() => manager.disconnect());
  for (const k of keys) await manager.set(k, value);

  // cacheable's memory store clones every value it returns by default; the others return the
  // stored reference, so the comparison turns cloning off and shows the default once, separately.
  const cacheable = new Cacheable({ primary: createKeyv({ useClone: false }), ttl: "1h" });
  const cacheableCloning = new Cacheable({ ttl: "1h" });
  onClose(() => cacheable.disconnect());
  onClose(() => cacheableCloning.disconnect());
  for (const k of keys) {
    await cacheable.set(k, value);
    await cacheableCloning.set(k, value);
  }

  const map = new Map<string, Promise<BenchBusiness>>();
  const lru = new QuickLRU<string, BenchBusiness>({ maxSize: 10_000 });
  for (const k of keys) lru.set(k, value);
  const resolved = Promise.resolve(value);
  for (const k of keys) map.set(k, resolved);

  await checkAllHit([
    ["voxedge", () => cache.namespace<BenchBusiness>("x").getOrSet(keys[0] as string, loader)],
    ["bentocache", () => bento.getOrSet({ key: keys[0] as string, factory: loader })],
    ["cache-manager", () => manager.wrap(keys[0] as string, loader, HOUR_MS)],
    ["cacheable", () => cacheable.getOrSet(keys[0] as string, asyncLoader)],
    ["cacheable (cloning)", () => cacheableCloning.get(keys[0] as string)],
  ]);

  const OPS = 1_000_000;
  const SLOW_OPS = 200_000;
  const ROUNDS = 7;
  const rows: Array<{ variant: Variant; library: string; op: string; ref: "get" | "getOrSet" }> = [
    {
      library: "voxedge",
      op: '`cache.namespace("x").getOrSet(key, loader)`',
      ref: "getOrSet",
      variant: { name: "voxedge getOrSet", loop: asyncLoop((i) => cache.namespace<BenchBusiness>("x").getOrSet(key(i), loader)) },
    },
    {
      library: "voxedge",
      op: "`handle.getOrSet(key, loader)` (handle kept)",
      ref: "getOrSet",
      variant: { name: "voxedge handle getOrSet", loop: asyncLoop((i) => handle.getOrSet(key(i), loader)) },
    },
    {
      library: "voxedge",
      op: '`cache.namespace("x").get(key)`',
      ref: "get",
      variant: { name: "voxedge get", loop: asyncLoop((i) => cache.namespace<BenchBusiness>("x").get(key(i))) },
    },
    {
      library: "voxedge",
      op: '`cache.namespace("x").peek(key)` (sync, no await)',
      ref: "getOrSet",
      variant: { name: "voxedge peek", loop: syncLoop((i) => cache.namespace<BenchBusiness>("x").peek(key(i))) },
    },
    {
      library: "bentocache 1.6.1",
      op: "`getOrSet({ key, factory })`, L1 `serialize: false`",
      ref: "getOrSet",
      variant: { name: "bentocache getOrSet", loop: asyncLoop((i) => bento.getOrSet({ key: key(i), factory: loader })) },
    },
    {
      library: "bentocache 1.6.1",
      op: "`get({ key })`, L1 `serialize: false`",
      ref: "get",
      variant: { name: "bentocache get", loop: asyncLoop((i) => bento.get({ key: key(i) })) },
    },
    {
      library: "cache-manager 7",
      op: "`wrap(key, loader, ttl)`, default store",
      ref: "getOrSet",
      variant: { name: "cache-manager wrap", loop: asyncLoop((i) => manager.wrap(key(i), loader, HOUR_MS)) },
    },
    {
      library: "cache-manager 7",
      op: "`get(key)`, default store",
      ref: "get",
      variant: { name: "cache-manager get", loop: asyncLoop((i) => manager.get(key(i))) },
    },
    {
      library: "cacheable 2",
      op: "`getOrSet(key, loader)`, memory store `useClone: false`",
      ref: "getOrSet",
      variant: { name: "cacheable getOrSet", ops: SLOW_OPS, loop: asyncLoop((i) => cacheable.getOrSet(key(i), asyncLoader)) },
    },
    {
      library: "cacheable 2",
      op: "`get(key)`, memory store `useClone: false`",
      ref: "get",
      variant: { name: "cacheable get", ops: SLOW_OPS, loop: asyncLoop((i) => cacheable.get(key(i))) },
    },
    {
      library: "cacheable 2",
      op: "`get(key)`, default store (clones each value)",
      ref: "get",
      variant: { name: "cacheable cloning get", ops: SLOW_OPS / 4, loop: asyncLoop((i) => cacheableCloning.get(key(i))) },
    },
    {
      library: "floor",
      op: "quick-lru `get(key)` (sync)",
      ref: "getOrSet",
      variant: { name: "quick-lru get", loop: syncLoop((i) => lru.get(key(i))) },
    },
    {
      library: "floor",
      op: "`await` of an already-resolved promise",
      ref: "getOrSet",
      variant: { name: "await resolved", loop: asyncLoop(() => resolved) },
    },
    {
      library: "floor",
      op: "`await` of `Map.get(key)` (a keyed lookup's floor)",
      ref: "getOrSet",
      variant: { name: "await map", loop: asyncLoop((i) => map.get(key(i))) },
    },
    {
      library: "floor",
      op: "`await` of a plain value",
      ref: "getOrSet",
      variant: { name: "await value", loop: asyncLoop(() => value) },
    },
  ];

  const hitsBefore = handle.counters.l1Hits;
  const missesBefore = handle.counters.l1Misses;
  const callsBefore = loaderCalls;
  const timings = await timeRounds(
    rows.map((row) => row.variant),
    { ops: OPS, rounds: ROUNDS, warmupOps: 200_000 },
  );
  const misses = handle.counters.l1Misses - missesBefore;
  const hits = handle.counters.l1Hits - hitsBefore;
  const metricCount = await telemetry.collectCount();

  const byName = new Map(timings.map((t) => [t.name, t]));
  const ns = (name: string): number => byName.get(name)?.medianNs ?? Number.NaN;
  const refs = { getOrSet: ns("voxedge getOrSet"), get: ns("voxedge get") };
  const table = markdownTable(
    ["library", "operation", "median", "min–max", "× voxedge (same op)"],
    rows.map((row, i) => {
      const t = timings[i] as Timing;
      return [row.library, row.op, formatNs(t.medianNs), `${formatNs(t.minNs)}–${formatNs(t.maxNs)}`, formatRatio(t.medianNs / refs[row.ref])];
    }),
    2,
  );

  const floor = ns("await resolved");
  const vsFloor = refs.getOrSet / floor;
  const keyedFloor = ns("await map");
  const bentoGetOrSet = ns("bentocache getOrSet") / refs.getOrSet;
  const bentoGet = ns("bentocache get") / refs.get;
  return [
    "## 1. L1 hit",
    "",
    `${OPS.toLocaleString("en-US")} operations per round (cacheable: ${SLOW_OPS.toLocaleString("en-US")}, its cloning store ${(SLOW_OPS / 4).toLocaleString("en-US")}) over ${keys.length} keys, ` +
      `${ROUNDS} interleaved rounds after a warm-up; every library holds the same object under the same keys. ` +
      `voxedge runs as configured by default (memory L2, stats counters) with an OpenTelemetry SDK MeterProvider (periodic in-memory reader, 1 s) passed as \`meter\` and installed globally. ` +
      `"× voxedge" compares \`get\` rows with voxedge \`get\` and every other row with voxedge \`getOrSet\` (first row).`,
    "",
    table,
    "",
    verdict(vsFloor <= 1.5, "voxedge L1-hit `getOrSet` within 1.5× of the `await` floor", `${formatRatio(vsFloor)}: ${formatNs(refs.getOrSet)} vs ${formatNs(floor)}`),
    `- for reference: voxedge \`getOrSet\` is ${formatRatio(refs.getOrSet / keyedFloor)} of \`await map.get(key)\` (${formatNs(keyedFloor)}), the least any keyed lookup plus \`await\` costs here; that floor alone is ${formatRatio(keyedFloor / floor)} of the bare \`await\`.`,
    verdict(bentoGetOrSet >= 10, "voxedge `getOrSet` ≥ 10× faster than bentocache `getOrSet`", `${formatRatio(bentoGetOrSet)} faster`),
    verdict(bentoGet >= 10, "voxedge `get` ≥ 10× faster than bentocache `get`", `${formatRatio(bentoGet)} faster`),
    `- check: voxedge counted ${hits.toLocaleString("en-US")} L1 hits and ${misses} misses during the timed loops; loaders ran ${loaderCalls - callsBefore} times; the SDK reader collected ${metricCount} cache metrics.`,
  ].join("\n");
}

// ——— 2. L2 hit, L1 missing ———

async function benchL2(telemetry: BenchMetrics): Promise<string> {
  const { BentoCache, bentostore, redisDriver, RedisDriver } = await loadBentocache();
  const server = await benchRedisServer();
  onClose(() => stopServer(server));
  const keys = phoneKeys(1000, "l2:");
  const key = (i: number): string => keys[i % keys.length] as string;

  // L1 bounded to one entry: quick-lru keeps at most two (its two generations), so cycling through
  // 1 000 keys makes every read an L1 miss and an L2 hit that refills L1, as a cold instance would.
  const cache = createCache({
    prefix: "bench",
    l2: redisL2({ url: server.url }),
    namespaces: { x: { ttl: HOUR_MS, l1MaxEntries: 1 } },
    meter: telemetry.meter,
  });
  onClose(() => cache.close());
  await busSettled(cache);
  const handle = cache.namespace<BenchBusiness>("x");
  await concurrently(keys.length, 50, (i) => handle.set(key(i), value));

  // bentocache with its Redis driver on its own ioredis 5 client, and no L1 layer.
  const redis5 = new Redis5({ host: server.host, port: server.port });
  onClose(() => redis5.disconnect());
  const connection = asBentoConnection(redis5);
  if (new RedisDriver({ connection }).getConnection() !== connection) throw new Error("bentocache did not take the ioredis 5 client");
  const bento = new BentoCache({ default: "l2", stores: { l2: bentostore().useL2Layer(redisDriver({ connection })) } });
  onClose(() => bento.disconnect());
  await concurrently(keys.length, 50, (i) => bento.set({ key: key(i), value, ttl: "1h" }));

  // Raw ioredis 6: default options, and with auto-pipelining as voxedge's adapter uses it.
  const raw = new Redis(server.url);
  const rawPiped = new Redis(server.url, { enableAutoPipelining: true });
  onClose(() => raw.quit());
  onClose(() => rawPiped.quit());
  const json = JSON.stringify(value);
  await concurrently(keys.length, 50, (i) => raw.set(`raw:${key(i)}`, json, "PX", HOUR_MS));

  await checkAllHit([
    ["voxedge", () => cache.namespace<BenchBusiness>("x").getOrSet(keys[0] as string, loader)],
    ["bentocache", () => bento.getOrSet({ key: keys[0] as string, factory: loader })],
    ["raw ioredis", async () => JSON.parse((await raw.get(`raw:${keys[0]}`)) ?? "null") as unknown],
  ]);

  const ops: Array<{ library: string; op: string; run: (i: number) => Promise<unknown> }> = [
    { library: "voxedge", op: '`cache.namespace("x").getOrSet(key, loader)`', run: (i) => cache.namespace<BenchBusiness>("x").getOrSet(key(i), loader) },
    // Half a key set ahead of getOrSet, so that when the two take turns neither reads what the other just put in L1.
    { library: "voxedge", op: '`cache.namespace("x").get(key)`', run: (i) => cache.namespace<BenchBusiness>("x").get(key(i + keys.length / 2)) },
    { library: "bentocache 1.6.1", op: "`getOrSet({ key, factory })`, L2 only", run: (i) => bento.getOrSet({ key: key(i), factory: loader }) },
    { library: "bentocache 1.6.1", op: "`get({ key })`, L2 only", run: (i) => bento.get({ key: key(i) }) },
    { library: "ioredis 6 (raw)", op: "`GET`, default options", run: (i) => raw.get(`raw:${key(i)}`) },
    { library: "ioredis 6 (raw)", op: "`GET`, auto-pipelining", run: (i) => rawPiped.get(`raw:${key(i)}`) },
    {
      library: "ioredis 6 (raw)",
      op: "`GET` + `JSON.parse`, auto-pipelining",
      run: async (i) => JSON.parse((await rawPiped.get(`raw:${key(i)}`)) ?? "null") as unknown,
    },
  ];
  const RAW = [4, 5];

  const before = { ...handle.counters };
  const callsBefore = loaderCalls;
  const SEQ_OPS = 5_000;
  const PAR_OPS = 4_000;
  const PAR_ROUNDS = 15;
  const IN_FLIGHT = 50;
  const sequential = await interleavedLatency(
    ops.map((o) => ({ name: `${o.library} ${o.op}`, op: o.run })),
    SEQ_OPS,
    1_000,
  );
  const parallel = await timeRounds(
    ops.map((o) => ({ name: `${o.library} ${o.op}`, loop: (n: number) => concurrently(n, IN_FLIGHT, o.run) })),
    { ops: PAR_OPS, rounds: PAR_ROUNDS, warmupOps: 5_000, gcBetween: false },
  );
  const l1Hits = handle.counters.l1Hits - before.l1Hits;
  const l2Hits = handle.counters.l2Hits - before.l2Hits;

  const refSeq = (sequential[0] as Latency).medianNs;
  const refPar = (parallel[0] as Timing).medianNs;
  const table = markdownTable(
    ["library", "operation", "sequential: median latency", "p10–p90", "× voxedge", `${IN_FLIGHT} in flight: time per op`, "ops/s", "× voxedge"],
    ops.map((o, i) => {
      const s = sequential[i] as Latency;
      const p = parallel[i] as Timing;
      return [
        o.library,
        o.op,
        formatNs(s.medianNs),
        `${formatNs(s.p10Ns)}–${formatNs(s.p90Ns)}`,
        formatRatio(s.medianNs / refSeq),
        formatNs(p.medianNs),
        Math.round(1e9 / p.medianNs).toLocaleString("en-US"),
        formatRatio(p.medianNs / refPar),
      ];
    }),
    2,
  );
  const bestRawSeq = Math.min(...RAW.map((i) => (sequential[i] as Latency).medianNs));
  const bestRawPar = Math.min(...RAW.map((i) => (parallel[i] as Timing).medianNs));
  const parsedPar = (parallel[6] as Timing).medianNs;
  return [
    "## 2. L2 hit with L1 missing (one local redis-server)",
    "",
    `voxedge reads through a namespace with \`l1MaxEntries: 1\` while cycling through ${keys.length} keys, so every read misses L1, reads and decodes the L2 envelope and refills L1 (what a cold instance pays); ` +
      `its redisL2 adapter uses ioredis 6 with auto-pipelining. bentocache has no L1 layer and its Redis driver runs on its own ioredis 5 client. Raw ioredis reads the same JSON under its own keys. ` +
      `Sequential: ${SEQ_OPS.toLocaleString("en-US")} awaited reads per library, one at a time, the libraries taking turns read by read (loopback latency here drifts between about 20 and 60 µs, and turns keep that drift out of the comparison). ` +
      `Concurrent: ${PAR_OPS.toLocaleString("en-US")} reads per round with ${IN_FLIGHT} in flight, ${PAR_ROUNDS} interleaved rounds, median. Targets compare with the faster of the two plain raw \`GET\` rows.`,
    "",
    table,
    "",
    verdict(refSeq / bestRawSeq <= 1.2, "voxedge L2-hit `getOrSet` within 1.2× of raw ioredis `GET`, sequential", `${formatRatio(refSeq / bestRawSeq)}: ${formatNs(refSeq)} vs ${formatNs(bestRawSeq)}`),
    verdict(refPar / bestRawPar <= 1.2, `voxedge L2-hit \`getOrSet\` within 1.2× of raw ioredis \`GET\`, ${IN_FLIGHT} in flight`, `${formatRatio(refPar / bestRawPar)}: ${formatNs(refPar)} vs ${formatNs(bestRawPar)} per op`),
    `- for reference: against raw \`GET\` + \`JSON.parse\` (every cache must decode what it reads), voxedge is at ${formatRatio(refPar / parsedPar)} with ${IN_FLIGHT} in flight.`,
    `- check: during the timed reads voxedge counted ${l1Hits} L1 hits and ${l2Hits.toLocaleString("en-US")} L2 hits; loaders ran ${loaderCalls - callsBefore} times.`,
  ].join("\n");
}

// ——— 3. Stampede ———

async function benchStampede(telemetry: BenchMetrics, redisUrl: string | undefined): Promise<string> {
  const { BentoCache, bentostore, memoryDriver } = await loadBentocache();
  const CALLERS = 1_000;
  const LOADER_MS = 20;
  const TRIALS = 5;

  const voxedge = createCache({ prefix: "bench-stampede", l2: memoryL2(), namespaces: { x: { ttl: HOUR_MS } }, meter: telemetry.meter });
  onClose(() => voxedge.close());
  await busSettled(voxedge);
  const voxedgeRedis =
    redisUrl === undefined
      ? undefined
      : createCache({ prefix: "bench-stampede", l2: redisL2({ url: redisUrl }), namespaces: { x: { ttl: HOUR_MS } }, meter: telemetry.meter });
  if (voxedgeRedis !== undefined) {
    onClose(() => voxedgeRedis.close());
    await busSettled(voxedgeRedis);
  }
  const bento = new BentoCache({
    default: "l1",
    stores: { l1: bentostore().useL1Layer(memoryDriver({ maxItems: 10_000, serialize: false })) },
  });
  onClose(() => bento.disconnect());
  const manager = createCacheManager({ ttl: HOUR_MS });
  onClose(() => manager.disconnect());
  const cacheable = new Cacheable({ ttl: "1h" });
  onClose(() => cacheable.disconnect());

  let runs = 0;
  const slowLoader = async (): Promise<BenchBusiness> => {
    runs++;
    await Bun.sleep(LOADER_MS);
    return value;
  };
  const contenders: Array<{ library: string; op: string; call: (key: string) => Promise<unknown> }> = [
    { library: "voxedge", op: "`getOrSet`, memory L2", call: (k) => voxedge.namespace<BenchBusiness>("x").getOrSet(k, slowLoader) },
    ...(voxedgeRedis === undefined
      ? []
      : [{ library: "voxedge", op: "`getOrSet`, redis L2", call: (k: string) => voxedgeRedis.namespace<BenchBusiness>("x").getOrSet(k, slowLoader) }]),
    { library: "bentocache 1.6.1", op: "`getOrSet`, L1 `serialize: false`", call: (k) => bento.getOrSet({ key: k, factory: slowLoader }) },
    { library: "cache-manager 7", op: "`wrap`", call: (k) => manager.wrap(k, slowLoader, HOUR_MS) },
    { library: "cacheable 2", op: "`getOrSet`", call: (k) => cacheable.getOrSet(k, slowLoader) },
  ];

  const results = contenders.map(() => ({ walls: [] as number[], runs: [] as number[], wrong: 0 }));
  for (let trial = 0; trial < TRIALS; trial++) {
    for (const [c, contender] of contenders.entries()) {
      const k = `stampede:${trial}:${c}`;
      runs = 0;
      Bun.gc(true);
      const started = Bun.nanoseconds();
      const answers = await Promise.all(Array.from({ length: CALLERS }, () => contender.call(k)));
      const wall = Bun.nanoseconds() - started;
      const result = results[c] as (typeof results)[number];
      result.walls.push(wall);
      result.runs.push(runs);
      result.wrong += answers.filter((a) => (a as BenchBusiness | undefined)?.id !== value.id).length;
    }
  }

  const table = markdownTable(
    ["library", "operation", "loader runs per trial", "median wall time", `over the loader's ${LOADER_MS} ms`, "wrong answers"],
    contenders.map((c, i) => {
      const r = results[i] as (typeof results)[number];
      const wall = median(r.walls);
      return [c.library, c.op, [...new Set(r.runs)].join(", "), formatNs(wall), formatNs(wall - LOADER_MS * 1e6), String(r.wrong)];
    }),
    2,
  );
  const voxedgeRuns = results.filter((_, i) => contenders[i]?.library === "voxedge").flatMap((r) => r.runs);
  return [
    `## 3. Stampede: ${CALLERS.toLocaleString("en-US")} concurrent callers of one cold key, ${LOADER_MS} ms loader`,
    "",
    `Each trial uses a new key; ${TRIALS} trials per library, interleaved. Wall time runs from the first call to the last answer.`,
    "",
    table,
    "",
    verdict(voxedgeRuns.every((n) => n === 1), "voxedge runs the loader exactly once per stampede", `runs per trial: ${[...new Set(voxedgeRuns)].join(", ")}`),
  ].join("\n");
}

// ——— 4. getMany on a cluster ———

async function benchClusterGetMany(telemetry: BenchMetrics): Promise<string> {
  const cluster = await benchRedisCluster({ masters: 3, replicasPerMaster: 1 });
  onClose(() => stopServer(cluster));
  const nodes = cluster.seeds;
  const BATCH = 100;
  const OPS = 10;
  const ROUNDS = 21;
  const WARMUP = 10;
  const sets = WARMUP + OPS * ROUNDS;
  const keySets = Array.from({ length: sets }, (_, s) => phoneKeys(BATCH, `gm${s}:`));

  // Another instance wrote the values, so the reader's L1 starts cold for every key.
  const writer = createCache({ prefix: "bench", l2: redisClusterL2({ nodes }), bus: { enabled: false }, namespaces: { x: { ttl: HOUR_MS } } });
  const reader = createCache({ prefix: "bench", l2: redisClusterL2({ nodes }), namespaces: { x: { ttl: HOUR_MS } }, meter: telemetry.meter });
  onClose(() => writer.close());
  onClose(() => reader.close());
  const allKeys = keySets.flat();
  await concurrently(allKeys.length, 200, (i) => writer.namespace<BenchBusiness>("x").set(allKeys[i] as string, value));
  await busSettled(reader);

  const parse = (seed: string): { host: string; port: number } => ({ host: "127.0.0.1", port: Number(seed.split(":")[1]) });
  const raw = new Cluster(nodes.map(parse));
  const rawPiped = new Cluster(nodes.map(parse), { enableAutoPipelining: true });
  onClose(() => raw.quit());
  onClose(() => rawPiped.quit());
  await Promise.all([raw.get("warm"), rawPiped.get("warm")]);
  const full = (k: string): string => `bench:x:${k}`;

  const first = await reader.namespace<BenchBusiness>("x").getMany(keySets[0] as string[]);
  if (first.some((v) => v?.id !== value.id)) throw new Error("voxedge getMany did not return every value from L2");
  const cursor = { voxedge: 1, seq: 0, par: 0, piped: 0, parsed: 0 };
  const next = (which: keyof typeof cursor): string[] => keySets[cursor[which]++ % sets] as string[];
  const variants: Array<{ library: string; op: string; variant: Variant }> = [
    {
      library: "voxedge",
      op: '`cache.namespace("x").getMany(keys)`, cold L1',
      variant: { name: "voxedge", loop: asyncLoop(() => reader.namespace<BenchBusiness>("x").getMany(next("voxedge"))) },
    },
    {
      library: "ioredis 6 Cluster (raw)",
      op: `${BATCH} sequential \`GET\`s`,
      variant: {
        name: "seq",
        loop: asyncLoop(async () => {
          for (const k of next("seq")) await raw.get(full(k));
        }),
      },
    },
    {
      library: "ioredis 6 Cluster (raw)",
      op: `${BATCH} parallel \`GET\`s, default options`,
      variant: { name: "par", loop: asyncLoop(() => Promise.all(next("par").map((k) => raw.get(full(k))))) },
    },
    {
      library: "ioredis 6 Cluster (raw)",
      op: `${BATCH} parallel \`GET\`s, auto-pipelining`,
      variant: { name: "piped", loop: asyncLoop(() => Promise.all(next("piped").map((k) => rawPiped.get(full(k))))) },
    },
    {
      library: "ioredis 6 Cluster (raw)",
      op: `${BATCH} parallel \`GET\` + \`JSON.parse\`, auto-pipelining`,
      variant: {
        name: "parsed",
        // The stored text is voxedge's envelope: a 3-character format tag, then JSON.
        loop: asyncLoop(() => Promise.all(next("parsed").map(async (k) => JSON.parse(((await rawPiped.get(full(k))) ?? "vx1null").slice(3)) as unknown))),
      },
    },
  ];
  const l1HitsBefore = reader.namespace("x").counters.l1Hits;
  // The voxedge cursor starts at 1 (set 0 was the check) and must never wrap to a warm set.
  const timings = await timeRounds(
    variants.map((v) => v.variant),
    { ops: OPS, rounds: ROUNDS, warmupOps: WARMUP - 1, gcBetween: false },
  );
  const l1HitsDuring = reader.namespace("x").counters.l1Hits - l1HitsBefore;
  const ref = (timings[0] as Timing).medianNs;
  const table = markdownTable(
    ["library", "operation", "median per batch of 100", "per key", "× voxedge"],
    variants.map((v, i) => {
      const t = timings[i] as Timing;
      return [v.library, v.op, formatNs(t.medianNs), formatNs(t.medianNs / BATCH), formatRatio(t.medianNs / ref)];
    }),
    2,
  );
  const bestParallel = Math.min((timings[2] as Timing).medianNs, (timings[3] as Timing).medianNs);
  const sequential = (timings[1] as Timing).medianNs;
  return [
    `## 4. \`getMany\` of ${BATCH} keys on a 3-master cluster (3 replicas)`,
    "",
    `Values were written by another cache instance; every voxedge batch reads ${BATCH} keys it has never seen (a fresh key set per call), so L1 is cold and all ${BATCH} come from L2 ` +
      `(auto-pipelined single-key GETs, one round trip per node). Keys spread over all slots. ${OPS} batches per round, ${ROUNDS} interleaved rounds.`,
    "",
    table,
    "",
    verdict(ref < sequential, "voxedge `getMany` faster than 100 sequential raw GETs", `${formatRatio(sequential / ref)} faster`),
    verdict(
      ref / bestParallel <= 1.2,
      "voxedge `getMany` within 1.2× of the faster 100 parallel raw GETs (no target was set for batches; this applies the L2 one)",
      `${formatRatio(ref / bestParallel)}`,
    ),
    `- for reference: against 100 parallel raw \`GET\` + \`JSON.parse\`, voxedge is at ${formatRatio(ref / (timings[4] as Timing).medianNs)}.`,
    `- check: voxedge L1 hits during the timed batches: ${l1HitsDuring} (0 means every batch was cold).`,
  ].join("\n");
}

// ——— 5. Memory ———

async function benchMemory(): Promise<string> {
  const MAX_ENTRIES = 100_000;
  const VALUE_BYTES = 1_024;
  const MIXED_OPS = 1_000_000;
  // L1 only, so the figures are the L1's: a memory or Redis L2 would hold its own copy of every value.
  const cache = createCache({ prefix: "bench-memory", l1: { maxEntries: MAX_ENTRIES }, namespaces: { x: { ttl: HOUR_MS } } });
  onClose(() => cache.close());
  const handle = cache.namespace<{ id: number; answer: string }>("x");

  const snapshots: Array<{ label: string; rss: number; heap: number; l1: number }> = [];
  const snap = (label: string): void => {
    Bun.gc(true);
    const { rss, heapUsed } = process.memoryUsage();
    snapshots.push({ label, rss, heap: heapUsed, l1: handle.l1Size });
  };

  snap("before filling");
  for (let i = 0; i < MAX_ENTRIES; i++) await handle.set(`k${i}`, filler(i, VALUE_BYTES));
  snap(`after filling ${MAX_ENTRIES.toLocaleString("en-US")} entries of ~1 KB`);

  // 60 % reads of known keys (a miss loads a new value), 20 % overwrites, 20 % keys never seen.
  const random = prng(42);
  let fresh = MAX_ENTRIES;
  const produce = ({ key }: { key: string }): { id: number; answer: string } => filler(Number(key.slice(1)), VALUE_BYTES);
  const mixed = async (count: number): Promise<void> => {
    for (let i = 0; i < count; i++) {
      const roll = random();
      if (roll < 0.6) await handle.getOrSet(`k${Math.floor(random() * fresh)}`, produce);
      else if (roll < 0.8) {
        const id = Math.floor(random() * fresh);
        await handle.set(`k${id}`, filler(id, VALUE_BYTES));
      } else {
        const id = fresh++;
        await handle.getOrSet(`k${id}`, produce);
      }
    }
  };
  await mixed(MIXED_OPS / 2);
  snap(`after ${(MIXED_OPS / 2).toLocaleString("en-US")} mixed operations`);
  await mixed(MIXED_OPS / 2);
  snap(`after ${MIXED_OPS.toLocaleString("en-US")} mixed operations`);

  const base = snapshots[0] as (typeof snapshots)[number];
  const filled = snapshots[1] as (typeof snapshots)[number];
  const last = snapshots[snapshots.length - 1] as (typeof snapshots)[number];
  const perEntry = (filled.heap - base.heap) / Math.max(1, filled.l1);
  const bound = MAX_ENTRIES * 2;
  const heapBound = base.heap + bound * perEntry * 1.1;
  const table = markdownTable(
    ["point", "`l1Size`", "RSS", "heap used", "heap over baseline"],
    snapshots.map((s) => [s.label, s.l1.toLocaleString("en-US"), formatMiB(s.rss), formatMiB(s.heap), formatMiB(s.heap - base.heap)]),
  );
  const evictions = handle.counters.l1Evictions;
  const half = snapshots[2] as (typeof snapshots)[number];
  return [
    "## 5. Memory of a bounded L1",
    "",
    `One namespace with \`l1.maxEntries: ${MAX_ENTRIES.toLocaleString("en-US")}\` and no L2; each value is a distinct object holding a ~1 KB string. ` +
      `The bound: L1 is per namespace, and quick-lru keeps up to 2 × maxEntries (${bound.toLocaleString("en-US")}) across its two generations. ` +
      `Mixed operations: 60 % \`getOrSet\` of known keys, 20 % \`set\`, 20 % \`getOrSet\` of new keys (${(fresh - MAX_ENTRIES).toLocaleString("en-US")} new keys in all). ` +
      `Figures after \`Bun.gc(true)\`; about ${Math.round(perEntry).toLocaleString("en-US")} bytes of heap per entry. ` +
      `\`l1Size\` is quick-lru's \`size\`, which never reports more than maxEntries although up to twice that may be held; the heap shows what is really kept. ` +
      `RSS also holds memory the allocator keeps after the churn (at least ${formatMiB(MIXED_OPS * 0.4 * VALUE_BYTES)} of values were created and dropped), so it plateaus rather than tracking the heap.`,
    "",
    table,
    "",
    verdict(last.heap <= heapBound, "heap after 1,000,000 mixed operations within the bound (baseline + 2 × maxEntries × per-entry cost, +10 %)", `${formatMiB(last.heap)} ≤ ${formatMiB(heapBound)}`),
    `- check: ${evictions.toLocaleString("en-US")} L1 evictions counted; \`l1Size\` at the end ${last.l1.toLocaleString("en-US")}; ` +
      `heap over the second 500,000 operations ${formatMiB(half.heap)} → ${formatMiB(last.heap)}, RSS ${formatMiB(half.rss)} → ${formatMiB(last.rss)} (RSS is not a target: it follows the allocator, not the cache).`,
  ].join("\n");
}

// ——— plumbing ———

/** Waits until the cache's invalidation bus is up (or off): its coming up bumps the L1 epoch. */
async function busSettled(cache: Cache): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    const state = cache.stats().bus.state;
    if (state === "up" || state === "off") return;
    await Bun.sleep(10);
  }
  throw new Error(`the cache's bus did not come up (state ${cache.stats().bus.state})`);
}

/** Each contender must answer from its cache with the stored value before it is timed. */
async function checkAllHit(checks: Array<[string, () => Promise<unknown>]>): Promise<void> {
  const before = loaderCalls;
  for (const [name, read] of checks) {
    const answer = (await read()) as BenchBusiness | undefined;
    if (answer?.id !== value.id) throw new Error(`${name} did not return the stored value`);
  }
  if (loaderCalls !== before) throw new Error("a loader ran during the hit check: some library did not hold the stored value");
}

function parseSections(argv: readonly string[]): Section[] {
  const flag = argv.find((a) => a.startsWith("--sections="));
  if (flag === undefined) return [...SECTIONS];
  const wanted = flag.slice("--sections=".length).split(",").filter(Boolean);
  const unknown = wanted.filter((w) => !(SECTIONS as readonly string[]).includes(w));
  if (unknown.length > 0) throw new Error(`unknown section(s) ${unknown.join(", ")}; choose from ${SECTIONS.join(", ")}`);
  return wanted as Section[];
}

async function main(): Promise<void> {
  const sections = parseSections(Bun.argv.slice(2));
  const started = performance.now();
  const telemetry = benchMetrics();
  const installed = metrics.setGlobalMeterProvider(telemetry.provider);
  onClose(() => telemetry.shutdown());
  onClose(() => metrics.disable());

  const header = [`# voxedge cache benchmarks`, "", `Machine: ${machineLine()}.`, ""];
  console.log(header.join("\n"));
  const parts: string[] = [];
  const emit = (text: string): void => {
    parts.push(text);
    console.log(`${text}\n`);
  };
  try {
    if (!installed) throw new Error("could not install the OpenTelemetry meter provider globally");
    if (sections.includes("l1")) emit(await benchL1(telemetry));
    let redisUrl: string | undefined;
    if (sections.includes("l2")) emit(await benchL2(telemetry));
    if (sections.includes("stampede")) {
      const server = await benchRedisServer();
      onClose(() => stopServer(server));
      redisUrl = server.url;
      emit(await benchStampede(telemetry, redisUrl));
    }
    if (sections.includes("cluster")) emit(await benchClusterGetMany(telemetry));
    if (sections.includes("memory")) emit(await benchMemory());
  } finally {
    for (const close of closers.reverse()) {
      try {
        await close();
      } catch {
        // Keep closing the rest.
      }
    }
    await stopServers();
  }
  const footer = `_Total run time ${((performance.now() - started) / 1000).toFixed(0)} s; sections: ${sections.join(", ")}._`;
  console.log(footer);
  mkdirSync(join(OUTPUT_FILE, ".."), { recursive: true });
  writeFileSync(OUTPUT_FILE, `${[...header, parts.join("\n\n"), "", footer].join("\n")}\n`);
  console.log(`Written to ${OUTPUT_FILE}`);
}

await main();
process.exit(0);
