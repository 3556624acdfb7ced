/**
 * What a cluster node says about itself: role, slots, key count and the master it follows, read
 * from CLUSTER NODES and DBSIZE; the state of the cluster as the first answering node sees it; and
 * emptying every master.
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

/**
 * FLUSHALL on every master among `ports`, each waiting (up to 5 s) until its replicas have it too,
 * so that reads from replicas see the empty state as soon as this returns. Returns the masters as
 * they were before the flush; none when no master answers.
 *
 * @example (await flushMasters([7000, 7001, 7002])).map((m) => m.keys) // keys each master held
 */
export async function flushMasters(ports: readonly number[]): Promise<ClusterNodeInfo[]> {
  const described = await Promise.all(ports.map((port) => describeClusterNode(port).catch(() => undefined)));
  const masters = described.filter((info): info is ClusterNodeInfo => info?.role === "master");
  const replicasOf = (port: number) => described.filter((info) => info?.masterPort === port).length;
  await Promise.all(
    masters.map(async (master) => {
      try {
        await redisCommand(master.port, ["FLUSHALL"], { timeoutMs: 10_000 });
        const replicas = replicasOf(master.port);
        if (replicas > 0) await redisCommand(master.port, ["WAIT", String(replicas), "5000"], { timeoutMs: 10_000 });
      } catch (error) {
        throw new Error(`FLUSHALL on ${master.port} failed: ${(error as Error).message}`);
      }
    }),
  );
  return masters;
}
