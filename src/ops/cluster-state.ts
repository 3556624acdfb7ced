/**
 * The state file a local cluster leaves in its directory (`<dir>/cluster.json`), so that a later
 * process (the next `bun run cluster` command) can find the detached nodes again, and the check
 * that tells which pid serves a recorded node now.
 */
import { readFileSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isRedisServerPid } from "./process.ts";
import { infoField, redisCommand } from "./resp.ts";

/**
 * What `<dir>/cluster.json` records about the cluster started in `dir`, so that a later process
 * can find it again (`openRedisCluster`). Written once the nodes run, removed by `stop()`.
 */
export interface ClusterStateFile {
  version: 1;
  host: string;
  basePort: number;
  masters: number;
  replicasPerMaster: number;
  nodeTimeoutMs: number;
  /** ISO time of the start. */
  startedAt: string;
  /** Pids as started; a node restarted since has another one, found through its port. */
  nodes: Array<{ port: number; pid: number }>;
}

/** Name of the state file inside the cluster dir. */
export const CLUSTER_STATE_FILE = "cluster.json";

/**
 * Records the cluster started in `dir`.
 *
 * @example writeClusterState(dir, { version: 1, host: "127.0.0.1", basePort: 7000, ... });
 */
export function writeClusterState(dir: string, state: ClusterStateFile): void {
  writeFileSync(join(dir, CLUSTER_STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
}

/**
 * The state file of the cluster started in `dir`, or undefined when there is none. Throws when the
 * file exists but cannot be understood.
 *
 * @example readClusterState(".tmp/cluster")?.basePort // 7000
 */
export function readClusterState(dir: string): ClusterStateFile | undefined {
  const path = join(dir, CLUSTER_STATE_FILE);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
  let state: Partial<ClusterStateFile>;
  try {
    state = JSON.parse(text) as Partial<ClusterStateFile>;
  } catch (error) {
    throw new Error(`${path} is not valid JSON (${(error as Error).message}); delete it to start over`);
  }
  if (state.version !== 1 || !Array.isArray(state.nodes) || typeof state.basePort !== "number") {
    throw new Error(`${path} is not a cluster state file this version understands; delete it to start over`);
  }
  return state as ClusterStateFile;
}

/**
 * The pid serving `port` from `nodeDir` now; else the recorded one if it is still a redis-server;
 * else -1. A node restarted since the state file was written has another pid than the recorded one.
 *
 * @example const pid = await currentNodePid(7000, ".tmp/cluster/node-7000", state.nodes[0].pid);
 */
export async function currentNodePid(port: number, nodeDir: string, recordedPid: number): Promise<number> {
  try {
    const [server, dirReply] = await Promise.all([
      redisCommand(port, ["INFO", "server"], { timeoutMs: 1_000 }),
      redisCommand(port, ["CONFIG", "GET", "dir"], { timeoutMs: 1_000 }),
    ]);
    const pid = Number(infoField(server, "process_id"));
    if (Array.isArray(dirReply) && samePath(String(dirReply[1]), nodeDir) && pid > 0) return pid;
  } catch {
    // Not answering: stopped, or hung (then the recorded pid is the way to stop it).
  }
  // Never signal a pid that was recycled for something else.
  return isRedisServerPid(recordedPid) ? recordedPid : -1;
}

function samePath(a: string, b: string): boolean {
  const real = (path: string) => {
    try {
      return realpathSync(path);
    } catch {
      return path;
    }
  };
  return real(a) === real(b);
}
