/**
 * `bun run cluster <command>`: a local Redis Cluster for development, made of `redis-server`
 * processes (no Docker) started by the same launcher as the tests. The nodes run detached, so the
 * cluster outlives the command; `<dir>/cluster.json` records where they are for the next command.
 *
 * @example
 * bun src/cli/cluster.ts start            # 3 masters + 3 replicas on 7000-7005
 * bun src/cli/cluster.ts status --json
 * bun src/cli/cluster.ts stop
 */
import { resolve } from "node:path";
import { flushMasters } from "../ops/cluster-nodes.ts";
import { readClusterState } from "../ops/cluster-state.ts";
import { CLUSTER_BUS_OFFSET, takenClusterPorts } from "../ops/ports.ts";
import { requireRedisBinary } from "../ops/process.ts";
import { openRedisCluster, startRedisCluster, type RedisClusterProcess } from "../ops/redis-cluster.ts";
import { SLOT_COUNT } from "../ops/slots.ts";
import { intFlag, parseCommandLine, UsageError, type ParsedCommandLine } from "./args.ts";
import { monitorCluster } from "./cluster-monitor.ts";
import { renderSlotTestReport, runSlotTest, type SlotTestReport } from "./cluster-slot-test.ts";
import { collectStatus, renderStatus } from "./cluster-status.ts";

export type { ClusterStatus, NodeStatus } from "./cluster-status.ts";

/** Where the cluster lives unless `--dir` says otherwise: `.tmp/cluster` in the checkout (git-ignored). */
export const DEFAULT_CLUSTER_DIR = resolve(import.meta.dir, "..", "..", ".tmp", "cluster");
const DEFAULT_BASE_PORT = 7000;

const USAGE = `Usage: bun run cluster <command> [options]

A local Redis Cluster from redis-server binaries, for running voxedge with CACHE_L2=redis-cluster.
The nodes keep running after the command exits; data is not persisted.

Commands:
  start     start the nodes (3 masters + 3 replicas by default), create the cluster, print the seeds
  stop      stop every node of the cluster
  restart   stop (if running) and start afresh with the same ports and shape
  status    nodes, roles, slot ranges, keys per node, cluster state (exit 1 unless state is ok)
  test      write and read one key in each of the 16384 slots through an ioredis Cluster
  monitor   live ops/s, memory and keys per node, refreshed each second until Ctrl-C
  reset     FLUSHALL on every master (replicas follow)
  help      this text

Options:
  --dir <path>         cluster directory: node dirs, logs, cluster.json
                       (default: .tmp/cluster in the repository)
  --base-port <port>   first node port; nodes use base…base+n-1 and the bus ports +10000 (default 7000)
  --masters <n>        number of masters, at least 3 (default 3)
  --replicas <n>       replicas per master (default 1)
  --json               status and test: print JSON
  --once               monitor: print one sample and exit
  --iterations <n>     monitor: print n samples, one per second, and exit

Exit codes: 0 ok, 1 failure, 2 usage error.`;

const FLAGS = {
  dir: "string",
  "base-port": "string",
  masters: "string",
  replicas: "string",
  json: "boolean",
  once: "boolean",
  iterations: "string",
  help: "boolean",
} as const;

/** Where the CLI writes; tests and embedders can capture it. */
export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

/** A failure to report plainly (no stack): exit code 1. */
class CliFailure extends Error {}

interface Context {
  dir: string;
  flags: ParsedCommandLine["flags"];
  io: CliOutput;
}

const consoleOutput: CliOutput = {
  out: (text) => console.log(text),
  err: (text) => console.error(text),
};

/**
 * Runs one CLI invocation and returns its exit code (0 ok, 1 failure, 2 usage error).
 *
 * @example process.exitCode = await runClusterCli(["status", "--json"]);
 */
export async function runClusterCli(argv: readonly string[], io: CliOutput = consoleOutput): Promise<number> {
  try {
    const { positionals, flags } = parseCommandLine(argv, FLAGS);
    const [command, ...extra] = positionals;
    if (flags.help || command === "help") {
      io.out(USAGE);
      return 0;
    }
    if (!command) throw new UsageError("no command given");
    if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
    const run = COMMANDS[command];
    if (!run) throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    const dir = resolve(typeof flags.dir === "string" ? flags.dir : DEFAULT_CLUSTER_DIR);
    return await run({ dir, flags, io });
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`error: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    io.err(`error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

const COMMANDS: Record<string, (ctx: Context) => Promise<number>> = {
  start: (ctx) => start(ctx, readShape(ctx.flags)),
  stop,
  restart,
  status,
  test,
  monitor,
  reset,
};

interface ClusterShape {
  basePort: number;
  masters: number;
  replicas: number;
}

function readShape(flags: ParsedCommandLine["flags"], recorded?: ClusterShape): ClusterShape {
  const masters = intFlag(flags, "masters", recorded?.masters ?? 3, { min: 3, max: 100 });
  const replicas = intFlag(flags, "replicas", recorded?.replicas ?? 1, { min: 0, max: 5 });
  const size = masters * (1 + replicas);
  const basePort = intFlag(flags, "base-port", recorded?.basePort ?? DEFAULT_BASE_PORT, {
    min: 1024,
    max: 65_535 - CLUSTER_BUS_OFFSET - size + 1,
  });
  return { basePort, masters, replicas };
}

/** `--dir …` to repeat in hints when the cluster is not in the default place. */
function dirHint(dir: string): string {
  return dir === DEFAULT_CLUSTER_DIR ? "" : ` --dir ${dir}`;
}

async function start(ctx: Context, shape: ClusterShape): Promise<number> {
  requireRedisBinary("redis-server");
  requireRedisBinary("redis-cli");
  const existing = await openRedisCluster(ctx.dir);
  const running = existing?.nodes.filter((node) => node.isRunning()) ?? [];
  if (running.length > 0) {
    throw new CliFailure(
      `a cluster is already running in ${ctx.dir} (ports ${portList(running.map((node) => node.port))}). ` +
        `Use \`bun run cluster restart${dirHint(ctx.dir)}\` or \`bun run cluster stop${dirHint(ctx.dir)}\` first.`,
    );
  }
  const size = shape.masters * (1 + shape.replicas);
  await ensurePortsFree(shape.basePort, size);

  const began = performance.now();
  const cluster = await startRedisCluster({
    dir: ctx.dir,
    basePort: shape.basePort,
    masters: shape.masters,
    replicasPerMaster: shape.replicas,
    detached: true,
  });
  const seconds = ((performance.now() - began) / 1_000).toFixed(1);
  const report = await collectStatus(cluster);
  const masters = report.nodes.filter((node) => node.role === "master").map((node) => node.port);
  ctx.io.out(
    [
      `Redis Cluster running: ${shape.masters} masters, ${shape.masters * shape.replicas} replicas, ` +
        `${report.slotsCovered}/${SLOT_COUNT} slots served, cluster_state ${report.state} (${seconds} s)`,
      `  dir:     ${ctx.dir}`,
      `  nodes:   127.0.0.1:${portList(cluster.nodes.map((node) => node.port))} (masters ${masters.join(" ")})`,
      `  logs:    ${ctx.dir}/node-<port>/redis.log`,
      `  seeds:   ${report.seeds.join(",")}`,
      "",
      "Point voxedge at it:",
      `  ${report.env}`,
      "",
      `It keeps running after this command; stop it with \`bun run cluster stop${dirHint(ctx.dir)}\`.`,
    ].join("\n"),
  );
  return 0;
}

/** Every node port and bus port must be bindable; says which are not and, if it can, by what. */
async function ensurePortsFree(basePort: number, size: number): Promise<void> {
  const taken = await takenClusterPorts(basePort, size);
  if (taken.length === 0) return;
  throw new CliFailure(
    `cannot start the cluster: ${taken.join("; ")}.\n` +
      `Free those ports, or pick others with --base-port (the nodes need ${basePort}-${basePort + size - 1} ` +
      `and ${basePort + CLUSTER_BUS_OFFSET}-${basePort + CLUSTER_BUS_OFFSET + size - 1}).`,
  );
}

/** The cluster in `dir` with at least one node running, or a failure that says what to do. */
async function openRunning(dir: string): Promise<RedisClusterProcess> {
  const cluster = await openRedisCluster(dir);
  if (!cluster) {
    throw new CliFailure(
      `no cluster is running: ${dir} holds no cluster.json. Start one with \`bun run cluster start${dirHint(dir)}\`.`,
    );
  }
  if (!cluster.nodes.some((node) => node.isRunning())) {
    throw new CliFailure(
      `the cluster in ${dir} is not running: no node is up on ports ${portList(cluster.nodes.map((node) => node.port))}. ` +
        `Start it with \`bun run cluster start${dirHint(dir)}\`.`,
    );
  }
  return cluster;
}

async function stop(ctx: Context): Promise<number> {
  const cluster = await openRedisCluster(ctx.dir);
  if (!cluster) {
    throw new CliFailure(`no cluster is running: ${ctx.dir} holds no cluster.json, so there is nothing to stop.`);
  }
  const running = cluster.nodes.filter((node) => node.isRunning());
  // Removes the stale state file too, so that the next start begins clean.
  await cluster.stop();
  if (running.length === 0) {
    throw new CliFailure(`the cluster in ${ctx.dir} was not running (no node was up); removed its stale state.`);
  }
  ctx.io.out(
    `Stopped ${running.length} node${running.length === 1 ? "" : "s"} ` +
      `(ports ${portList(running.map((node) => node.port))}, pids ${running.map((node) => node.pid).join(" ")}).`,
  );
  return 0;
}

async function restart(ctx: Context): Promise<number> {
  const recorded = readClusterState(ctx.dir);
  const shape = readShape(
    ctx.flags,
    recorded && { basePort: recorded.basePort, masters: recorded.masters, replicas: recorded.replicasPerMaster },
  );
  const cluster = await openRedisCluster(ctx.dir);
  const running = cluster?.nodes.filter((node) => node.isRunning()) ?? [];
  if (cluster) await cluster.stop();
  ctx.io.out(
    running.length > 0
      ? `Stopped ${running.length} nodes; starting again.`
      : "No cluster was running; starting one.",
  );
  return start(ctx, shape);
}

async function status(ctx: Context): Promise<number> {
  const report = await collectStatus(await openRunning(ctx.dir));
  if (ctx.flags.json) ctx.io.out(JSON.stringify(report, null, 2));
  else ctx.io.out(renderStatus(report));
  return report.state === "ok" ? 0 : 1;
}

async function test(ctx: Context): Promise<number> {
  const cluster = await openRunning(ctx.dir);
  const seeds = cluster.nodes.filter((node) => node.isRunning()).map((node) => `127.0.0.1:${node.port}`);
  let report: SlotTestReport;
  try {
    report = await runSlotTest(seeds);
  } catch (error) {
    throw new CliFailure(`could not connect to the cluster through ${seeds.join(",")}: ${(error as Error).message}`);
  }
  if (ctx.flags.json) ctx.io.out(JSON.stringify(report, null, 2));
  else ctx.io.out(renderSlotTestReport(report, seeds.length, `bun run cluster reset${dirHint(ctx.dir)}`));
  return report.ok ? 0 : 1;
}

async function monitor(ctx: Context): Promise<number> {
  const iterations = ctx.flags.once ? 1 : intFlag(ctx.flags, "iterations", Number.POSITIVE_INFINITY, { min: 1, max: 1e9 });
  const cluster = await openRunning(ctx.dir);
  const interrupted = new AbortController();
  const onInterrupt = () => interrupted.abort();
  process.on("SIGINT", onInterrupt);
  try {
    await monitorCluster({
      ports: cluster.nodes.map((node) => node.port),
      dir: ctx.dir,
      iterations,
      intervalMs: 1_000,
      write: ctx.io.out,
      redrawInPlace: Boolean(process.stdout.isTTY) && iterations > 1,
      signal: interrupted.signal,
    });
  } finally {
    process.off("SIGINT", onInterrupt);
  }
  return 0;
}

async function reset(ctx: Context): Promise<number> {
  const cluster = await openRunning(ctx.dir);
  const masters = await flushMasters(cluster.nodes.filter((node) => node.isRunning()).map((node) => node.port));
  if (masters.length === 0) throw new CliFailure(`no master of the cluster in ${ctx.dir} answers`);
  ctx.io.out(`Flushed ${masters.length} masters: ${masters.map((master) => `${master.port} (${master.keys} keys)`).join(", ")}.`);
  return 0;
}

/** "7000-7005" for consecutive ports, else a comma list. */
function portList(ports: readonly number[]): string {
  const sorted = [...ports].sort((a, b) => a - b);
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  if (first === undefined || last === undefined) return "(none)";
  if (sorted.length > 1 && last - first === sorted.length - 1) return `${first}-${last}`;
  return sorted.join(",");
}

if (import.meta.main) {
  process.exitCode = await runClusterCli(process.argv.slice(2));
}
