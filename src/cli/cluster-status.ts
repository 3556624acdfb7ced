/**
 * `bun run cluster status`: what every node of the local cluster is doing (role, slots, keys,
 * the master it follows), the cluster state and how to point voxedge at it; as JSON or a table.
 */
import { describeClusterNode, firstClusterState, type ClusterNodeInfo } from "../ops/cluster-nodes.ts";
import type { RedisClusterProcess } from "../ops/redis-cluster.ts";
import { countServedSlots, SLOT_COUNT } from "../ops/slots.ts";
import { renderTable } from "./table.ts";

/** A node as `status --json` prints it. `up: false` nodes carry only port and pid. */
export interface NodeStatus {
  port: number;
  pid: number;
  up: boolean;
  role?: "master" | "replica";
  id?: string;
  /** Slot ranges as CLUSTER NODES prints them ("0-5460"); empty for replicas. */
  slots?: string;
  keys?: number;
  /** Port of the master a replica follows. */
  masterPort?: number;
  /** Why an up node could not be described. */
  error?: string;
}

/** What `status --json` prints. */
export interface ClusterStatus {
  dir: string;
  /** cluster_state as the first answering node reports it, or "unreachable". */
  state: string;
  nodes: NodeStatus[];
  /** Distinct slots served by the masters. */
  slotsCovered: number;
  seeds: string[];
  /** The line to put in front of `bun run server`. */
  env: string;
}

/**
 * Asks every node of `cluster` about itself; a node that is down or cannot be described is
 * reported as such, never thrown.
 *
 * @example const report = await collectStatus(await openRedisCluster(dir)); report.state // "ok"
 */
export async function collectStatus(cluster: RedisClusterProcess): Promise<ClusterStatus> {
  const nodes = await Promise.all(
    cluster.nodes.map(async (node): Promise<NodeStatus> => {
      if (!node.isRunning()) return { port: node.port, pid: node.pid, up: false };
      try {
        return { pid: node.pid, up: true, ...withoutUndefined(await describeClusterNode(node.port)) };
      } catch (error) {
        return { port: node.port, pid: node.pid, up: true, error: (error as Error).message };
      }
    }),
  );
  const seeds = cluster.nodes.map((node) => `127.0.0.1:${node.port}`);
  return {
    dir: cluster.dir,
    state: await firstClusterState(nodes.filter((node) => node.up).map((node) => node.port)),
    nodes,
    slotsCovered: countServedSlots(nodes.flatMap((node) => (node.role === "master" && node.slots ? [node.slots] : []))),
    seeds,
    env: `CACHE_L2=redis-cluster REDIS_CLUSTER_NODES=${seeds.join(",")}`,
  };
}

/**
 * The status as a headline, a table of nodes and the env line.
 *
 * @example console.log(renderStatus(await collectStatus(cluster)));
 */
export function renderStatus(report: ClusterStatus): string {
  const up = report.nodes.filter((node) => node.up).length;
  const rows = [["PORT", "ROLE", "PID", "SLOTS", "KEYS", "MASTER"]];
  for (const node of report.nodes) {
    if (!node.up) rows.push([String(node.port), "down", "-", "-", "-", "-"]);
    else if (node.error) rows.push([String(node.port), "error", String(node.pid), node.error, "-", "-"]);
    else {
      rows.push([
        String(node.port),
        node.role ?? "?",
        String(node.pid),
        node.slots ? `${node.slots} (${countServedSlots([node.slots])})` : "-",
        String(node.keys ?? "-"),
        node.masterPort === undefined ? "-" : String(node.masterPort),
      ]);
    }
  }
  return [
    `Redis Cluster in ${report.dir}: cluster_state ${report.state}, ${up}/${report.nodes.length} nodes up, ` +
      `${report.slotsCovered}/${SLOT_COUNT} slots served`,
    ...renderTable(rows),
    "",
    report.env,
  ].join("\n");
}

function withoutUndefined(info: ClusterNodeInfo): ClusterNodeInfo {
  return Object.fromEntries(Object.entries(info).filter(([, value]) => value !== undefined)) as ClusterNodeInfo;
}
