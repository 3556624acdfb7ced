/**
 * What a cluster node says about itself: role, slots, key count and the master it follows, read
 * from CLUSTER NODES and DBSIZE, and the state of the cluster as the first answering node sees it.
 */
import { infoField, redisCommand } from "./resp.ts";

/** One node as the cluster currently sees it. */
export interface ClusterNodeInfo {
  port: number;
  id: string;
  role: "master" | "replica";
  /** Slot ranges served, as CLUSTER NODES prints them ("0-5460"); empty for replicas. */
  slots: string;
  /** DBSIZE of the node. */
  keys: number;
  /** Port of the master a replica follows. */
  masterPort?: number;
}

/**
 * Role, slots and key count of the cluster node on `port`, as that node sees itself.
 *
 * @example (await describeClusterNode(7000)).role // "master"
 */
export async function describeClusterNode(port: number): Promise<ClusterNodeInfo> {
  const [nodesReply, keys] = await Promise.all([
    redisCommand(port, ["CLUSTER", "NODES"]),
    redisCommand(port, ["DBSIZE"]),
  ]);
  const lines = String(nodesReply).trim().split("\n").map((line) => line.trim().split(" "));
  const portOfId = new Map(lines.map((f) => [f[0] ?? "", Number((f[1] ?? "").split("@")[0]?.split(":").pop())]));
  const myself = lines.find((f) => (f[2] ?? "").split(",").includes("myself"));
  if (!myself) throw new Error(`node ${port} did not list itself in CLUSTER NODES`);
  const isReplica = (myself[2] ?? "").split(",").includes("slave");
  const masterId = myself[3] ?? "-";
  const info: ClusterNodeInfo = {
    port,
    id: myself[0] ?? "",
    role: isReplica ? "replica" : "master",
    // Slot fields start at index 8; "[slot->-id]" entries are migrations in flight, not ownership.
    slots: myself.slice(8).filter((field) => !field.startsWith("[")).join(" "),
    keys: typeof keys === "number" ? keys : Number(keys),
  };
  const masterPort = portOfId.get(masterId);
  if (isReplica && masterPort !== undefined) info.masterPort = masterPort;
  return info;
}

/**
 * `cluster_state` as the first node of `ports` that answers reports it ("ok" or "fail");
 * "unreachable" when none answers.
 *
 * @example await firstClusterState([7000, 7001]) // "ok"
 */
export async function firstClusterState(ports: readonly number[], opts: { timeoutMs?: number } = {}): Promise<string> {
  for (const port of ports) {
    try {
      const state = infoField(await redisCommand(port, ["CLUSTER", "INFO"], opts), "cluster_state");
      if (state) return state;
    } catch {
      // ask the next node
    }
  }
  return "unreachable";
}
