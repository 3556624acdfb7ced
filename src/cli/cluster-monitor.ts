/**
 * The `bun run cluster monitor` view: ops/s, memory, keys and clients per node, sampled from INFO
 * once per interval and drawn as a table.
 */
import { firstClusterState } from "../ops/cluster-nodes.ts";
import { infoField, redisCommand } from "../ops/resp.ts";
import { sleep } from "../util/sleep.ts";
import { renderTable } from "./table.ts";

/** One node at one moment; `up: false` when it did not answer. */
export interface NodeSample {
  port: number;
  up: boolean;
  role?: "master" | "replica";
  /** Commands per second since the previous sample (Redis's own estimate on the first one). */
  opsPerSec?: number;
  memoryBytes?: number;
  keys?: number;
  clients?: number;
  /** total_commands_processed, to compute the next ops/s. */
  commandsTotal?: number;
  /** performance.now() when the sample was taken. */
  takenAt: number;
}

/** What `monitorCluster` needs to know about the cluster and where to draw. */
export interface MonitorOptions {
  ports: readonly number[];
  dir: string;
  /** How many frames to draw; Infinity until `signal` aborts. */
  iterations: number;
  intervalMs: number;
  /** Receives each frame (a multi-line string without the trailing newline). */
  write: (frame: string) => void;
  /** Redraw in place (a terminal) instead of printing frames one after another (a pipe, a log). */
  redrawInPlace: boolean;
  signal?: AbortSignal;
}

/**
 * Draws `iterations` frames, one per `intervalMs`, or until `signal` aborts (Ctrl-C).
 *
 * @example
 * await monitorCluster({ ports: [7000, 7001], dir, iterations: 1, intervalMs: 1000, write: console.log, redrawInPlace: false });
 */
export async function monitorCluster(opts: MonitorOptions): Promise<void> {
  let previous = new Map<number, NodeSample>();
  for (let frame = 0; frame < opts.iterations && !opts.signal?.aborted; frame++) {
    if (frame > 0) await sleep(opts.intervalMs, opts.signal);
    if (opts.signal?.aborted) break;
    const [samples, state] = await Promise.all([
      Promise.all(opts.ports.map((port) => sampleNode(port, previous.get(port)))),
      firstClusterState(opts.ports, { timeoutMs: 1_000 }),
    ]);
    previous = new Map(samples.map((sample) => [sample.port, sample]));
    const text = renderFrame(samples, `${opts.dir} — cluster_state ${state} — ${new Date().toLocaleTimeString()}`);
    opts.write(opts.redrawInPlace ? `\x1b[H\x1b[2J${text}\n(Ctrl-C to quit)` : frame > 0 ? `\n${text}` : text);
  }
}

/**
 * Reads one node's INFO; a node that does not answer is `up: false`, never an error.
 *
 * @example const sample = await sampleNode(7000);
 */
export async function sampleNode(port: number, previous?: NodeSample): Promise<NodeSample> {
  const takenAt = performance.now();
  let info;
  try {
    info = await redisCommand(port, ["INFO"], { timeoutMs: 1_000 });
  } catch {
    return { port, up: false, takenAt };
  }
  const number = (field: string) => {
    const value = Number(infoField(info, field));
    return Number.isFinite(value) ? value : undefined;
  };
  const commandsTotal = number("total_commands_processed");
  const seconds = previous ? (takenAt - previous.takenAt) / 1_000 : 0;
  const opsPerSec =
    previous?.commandsTotal !== undefined && commandsTotal !== undefined && seconds > 0
      ? Math.max(0, Math.round((commandsTotal - previous.commandsTotal) / seconds))
      : number("instantaneous_ops_per_sec");
  const keys = Number(/keys=(\d+)/.exec(infoField(info, "db0") ?? "")?.[1] ?? 0);
  const sample: NodeSample = { port, up: true, keys, takenAt };
  sample.role = infoField(info, "role") === "slave" ? "replica" : "master";
  if (opsPerSec !== undefined) sample.opsPerSec = opsPerSec;
  const memoryBytes = number("used_memory");
  if (memoryBytes !== undefined) sample.memoryBytes = memoryBytes;
  const clients = number("connected_clients");
  if (clients !== undefined) sample.clients = clients;
  if (commandsTotal !== undefined) sample.commandsTotal = commandsTotal;
  return sample;
}

/**
 * The table for one frame: a header line, a row per node (port first), a total row.
 *
 * @example renderFrame([{ port: 7000, up: true, role: "master", keys: 3, takenAt: 0 }], "demo")
 */
export function renderFrame(samples: readonly NodeSample[], header: string): string {
  const rows = [["PORT", "ROLE", "OPS/S", "MEMORY", "KEYS", "CLIENTS"]];
  for (const s of samples) {
    rows.push(
      s.up
        ? [String(s.port), s.role ?? "?", show(s.opsPerSec), bytes(s.memoryBytes), show(s.keys), show(s.clients)]
        : [String(s.port), "down", "-", "-", "-", "-"],
    );
  }
  const up = samples.filter((s) => s.up);
  const sum = (pick: (s: NodeSample) => number | undefined) => up.reduce((total, s) => total + (pick(s) ?? 0), 0);
  rows.push([
    "total",
    `${up.length}/${samples.length} up`,
    String(sum((s) => s.opsPerSec)),
    bytes(sum((s) => s.memoryBytes)),
    // Replicas hold copies: count the keys of masters only.
    String(sum((s) => (s.role === "master" ? s.keys : 0))),
    String(sum((s) => s.clients)),
  ]);
  return [header, ...renderTable(rows)].join("\n");
}

const show = (value: number | undefined) => (value === undefined ? "-" : String(value));

function bytes(value: number | undefined): string {
  if (value === undefined) return "-";
  if (value < 1024) return `${value}B`;
  const units = ["K", "M", "G", "T"];
  let scaled = value / 1024;
  let unit = 0;
  while (scaled >= 1024 && unit < units.length - 1) {
    scaled /= 1024;
    unit++;
  }
  return `${scaled.toFixed(2)}${units[unit]}`;
}
