/**
 * Launches a local Redis Cluster (masters plus replicas, one `redis-server` per node) on loopback
 * ports and joins it with `redis-cli --cluster create`, or takes charge of one that an earlier
 * process left running. Used by the tests and the cluster CLI. The cluster handle
 * (`local-cluster.ts`), the state file, the node descriptions and the slot arithmetic are their
 * own modules.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { currentNodePid, readClusterState, writeClusterState } from "./cluster-state.ts";
import { LocalCluster, type RedisClusterProcess } from "./local-cluster.ts";
import { findFreePortRange, LOOPBACK } from "./ports.ts";
import { requireRedisBinary } from "./process.ts";
import { adoptRedisServer, startRedisServer, type RedisServerOptions, type RedisServerProcess } from "./redis-server.ts";

export type { RedisClusterProcess } from "./local-cluster.ts";

// What the tests use next to a cluster; their modules own them.
export { findFreePortRange } from "./ports.ts";
export { keySlot } from "./slots.ts";

export interface RedisClusterOptions {
  /** Number of masters; redis-cli needs at least 3. Default 3. */
  masters?: number;
  /** Replicas per master. Default 1. */
  replicasPerMaster?: number;
  /** First of the consecutive ports; free ones are picked when omitted. */
  basePort?: number;
  /** Parent dir of the node dirs. A fresh temp dir, removed on stop, when omitted. */
  dir?: string;
  /** `cluster-node-timeout`: how long a node may be silent before failover. Default 5000 ms. */
  nodeTimeoutMs?: number;
  /** How long to wait for `cluster_state:ok` and synced replicas. Default 30000 ms. */
  readyTimeoutMs?: number;
  /** Start the nodes detached so they outlive this process (see `openRedisCluster`). */
  detached?: boolean;
}

/**
 * Starts `masters * (1 + replicasPerMaster)` nodes, creates the cluster and waits until every node
 * reports `cluster_state:ok` and every replica is in sync with its master.
 *
 * @example
 * const cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
 * const client = new Cluster(cluster.seeds.map((s) => ({ host: "127.0.0.1", port: Number(s.split(":")[1]) })));
 * await cluster.stop();
 */
export async function startRedisCluster(opts: RedisClusterOptions = {}): Promise<RedisClusterProcess> {
  const cli = requireRedisBinary("redis-cli");
  requireRedisBinary("redis-server");
  const masters = opts.masters ?? 3;
  const replicas = opts.replicasPerMaster ?? 1;
  if (!Number.isInteger(masters) || masters < 3) {
    throw new Error(`a Redis Cluster needs at least 3 masters (got ${masters})`);
  }
  if (!Number.isInteger(replicas) || replicas < 0) {
    throw new Error(`replicasPerMaster must be a non-negative integer (got ${replicas})`);
  }
  const size = masters * (1 + replicas);
  const nodeTimeoutMs = opts.nodeTimeoutMs ?? 5_000;
  const ownsDir = opts.dir === undefined;
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), "voxedge-cluster-"));
  mkdirSync(dir, { recursive: true });

  try {
    // Free ports can be taken between the check and the bind; pick new ones and try again then.
    const attempts = opts.basePort === undefined ? 3 : 1;
    let nodes: RedisServerProcess[] | undefined;
    let basePort = 0;
    for (let attempt = 1; !nodes; attempt++) {
      basePort = opts.basePort ?? (await findFreePortRange(size));
      try {
        nodes = await startNodes(dir, basePort, size, nodeTimeoutMs, opts.detached ?? false);
      } catch (error) {
        if (attempt >= attempts || !String(error).includes("already in use")) throw error;
      }
    }
    const cluster = new LocalCluster(nodes, dir, ownsDir);
    try {
      // Before the create step, so that a failed or interrupted start can still be stopped by dir.
      writeClusterState(dir, {
        version: 1,
        host: LOOPBACK,
        basePort,
        masters,
        replicasPerMaster: replicas,
        nodeTimeoutMs,
        startedAt: new Date().toISOString(),
        nodes: nodes.map((node) => ({ port: node.port, pid: node.pid })),
      });
      await createCluster(cli, nodes, replicas);
      await cluster.waitUntilHealthy(size, opts.readyTimeoutMs ?? 30_000);
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  } catch (error) {
    if (ownsDir) rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** How every node of a cluster is launched; `openRedisCluster` rebuilds the same options. */
function nodeOptions(
  dir: string,
  port: number,
  nodeTimeoutMs: number,
  detached: boolean,
): RedisServerOptions & { port: number; dir: string } {
  return {
    port,
    host: LOOPBACK,
    dir: join(dir, `node-${port}`),
    cluster: true,
    detached,
    // Without the delay a replica's first full sync starts at once instead of after 5 s.
    args: ["--cluster-node-timeout", String(nodeTimeoutMs), "--repl-diskless-sync-delay", "0"],
  };
}

async function startNodes(
  dir: string,
  basePort: number,
  size: number,
  nodeTimeoutMs: number,
  detached: boolean,
): Promise<RedisServerProcess[]> {
  const ports = Array.from({ length: size }, (_, i) => basePort + i);
  const results = await Promise.allSettled(
    ports.map((port) => {
      const options = nodeOptions(dir, port, nodeTimeoutMs, detached);
      removeStaleState(options.dir);
      return startRedisServer(options);
    }),
  );
  const started = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  const failure = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failure) {
    await Promise.all(started.map((node) => node.stop()));
    throw failure.reason;
  }
  return started;
}

/** A node that finds an old nodes.conf or data refuses to join a new cluster ("is not empty"). */
function removeStaleState(nodeDir: string): void {
  mkdirSync(nodeDir, { recursive: true });
  for (const name of readdirSync(nodeDir)) {
    if (/^nodes.*\.conf$|^dump\.rdb$|^appendonly/.test(name)) {
      rmSync(join(nodeDir, name), { recursive: true, force: true });
    }
  }
}

/**
 * Finds the cluster that a (possibly earlier, detached) `startRedisCluster` left in `dir` and takes
 * charge of its nodes: `stop()`, `nodeInfo()` and the rest work as on the original. A node counts
 * as running when its port answers from inside its own node dir. Undefined when `dir` holds no
 * state file.
 *
 * @example
 * const cluster = await openRedisCluster(".tmp/cluster");
 * if (cluster) await cluster.stop();
 */
export async function openRedisCluster(dir: string): Promise<RedisClusterProcess | undefined> {
  const state = readClusterState(dir);
  if (!state) return undefined;
  const nodes = await Promise.all(
    state.nodes.map(async ({ port, pid }) => {
      const options = nodeOptions(dir, port, state.nodeTimeoutMs, true);
      return adoptRedisServer(await currentNodePid(port, options.dir, pid), options);
    }),
  );
  return new LocalCluster(nodes, dir, false);
}

function createCluster(cli: string, nodes: RedisServerProcess[], replicas: number): Promise<void> {
  const args = [
    "--cluster", "create",
    ...nodes.map((node) => `${node.host}:${node.port}`),
    "--cluster-replicas", String(replicas),
    "--cluster-yes",
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(cli, args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`could not run redis-cli: ${error.message}`));
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else {
        const tail = output.trimEnd().split("\n").slice(-15).join("\n");
        reject(new Error(`redis-cli --cluster create failed (${code ?? signal}):\n${tail}`));
      }
    });
  });
}
