/**
 * A local cluster as the tests and the CLI handle it: its nodes, its state, the master that
 * serves a key, and waiting for it to be healthy. `redis-cluster.ts` starts or finds one.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { sleep } from "../util/sleep.ts";
import { describeClusterNode, type ClusterNodeInfo } from "./cluster-nodes.ts";
import { CLUSTER_STATE_FILE } from "./cluster-state.ts";
import type { RedisServerProcess } from "./redis-process.ts";
import { infoField, redisCommand } from "./resp.ts";
import { keySlot, slotsContain } from "./slots.ts";

/** A running local Redis Cluster. */
export interface RedisClusterProcess {
  /** Every node, running or not, in port order. */
  readonly nodes: RedisServerProcess[];
  /** `"127.0.0.1:port"` of every node, for ioredis `Cluster` or `REDIS_CLUSTER_NODES`. */
  readonly seeds: string[];
  readonly dir: string;
  /** Stops every node (and removes the dir if the launcher created it). */
  stop(): Promise<void>;
  /** Role, slots and key count of every running node. */
  nodeInfo(): Promise<ClusterNodeInfo[]>;
  /** `cluster_state` as the first running node reports it ("ok" or "fail"). */
  clusterState(): Promise<string>;
  /** Resolves once every running node reports `state`; throws after `timeoutMs`. */
  waitForState(state: "ok" | "fail", timeoutMs: number): Promise<void>;
  /** The running master that serves the slot of `key` right now, e.g. to kill it. */
  masterFor(key: string): Promise<RedisServerProcess>;
  /** The node process listening on `port`. */
  nodeByPort(port: number): RedisServerProcess | undefined;
}

/**
 * The cluster made of `nodes` in `dir`; `ownsDir`: the launcher created the dir and removes it on stop.
 *
 * @example const cluster = new LocalCluster(nodes, dir, true); await cluster.waitForState("ok", 10_000);
 */
export class LocalCluster implements RedisClusterProcess {
  readonly seeds: string[];

  constructor(
    readonly nodes: RedisServerProcess[],
    readonly dir: string,
    private readonly ownsDir: boolean,
  ) {
    this.seeds = nodes.map((node) => `${node.host}:${node.port}`);
  }

  nodeByPort(port: number): RedisServerProcess | undefined {
    return this.nodes.find((node) => node.port === port);
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.stop()));
    if (this.ownsDir) rmSync(this.dir, { recursive: true, force: true });
    else rmSync(join(this.dir, CLUSTER_STATE_FILE), { force: true });
  }

  async nodeInfo(): Promise<ClusterNodeInfo[]> {
    const running = this.nodes.filter((node) => node.isRunning());
    const infos = await Promise.all(running.map((node) => describeClusterNode(node.port)));
    return infos.sort((a, b) => a.port - b.port);
  }

  async clusterState(): Promise<string> {
    const node = this.nodes.find((candidate) => candidate.isRunning());
    if (!node) throw new Error("no node of the cluster is running");
    const info = await redisCommand(node.port, ["CLUSTER", "INFO"]);
    return infoField(info, "cluster_state") ?? "unknown";
  }

  async waitForState(state: "ok" | "fail", timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let seen = "";
    while (Date.now() < deadline) {
      const states = await Promise.all(
        this.nodes
          .filter((node) => node.isRunning())
          .map(async (node) => {
            try {
              return infoField(await redisCommand(node.port, ["CLUSTER", "INFO"]), "cluster_state");
            } catch (error) {
              return `unreachable (${(error as Error).message})`;
            }
          }),
      );
      seen = states.join(", ");
      if (states.length > 0 && states.every((s) => s === state)) return;
      await sleep(100);
    }
    throw new Error(`cluster did not reach cluster_state:${state} within ${timeoutMs} ms (nodes: ${seen})`);
  }

  async masterFor(key: string): Promise<RedisServerProcess> {
    const slot = keySlot(key);
    const owner = (await this.nodeInfo()).find(
      (info) => info.role === "master" && slotsContain(info.slots, slot),
    );
    const node = owner && this.nodeByPort(owner.port);
    if (!node) throw new Error(`no running master serves slot ${slot} (key ${JSON.stringify(key)})`);
    return node;
  }

  /** Every node agrees the cluster is ok, knows all nodes, and every replica is in sync. */
  async waitUntilHealthy(size: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let problem = "not checked yet";
    while (Date.now() < deadline) {
      problem = (await this.healthProblem(size)) ?? "";
      if (!problem) return;
      await sleep(100);
    }
    throw new Error(`cluster did not become healthy within ${timeoutMs} ms: ${problem}`);
  }

  private async healthProblem(size: number): Promise<string | undefined> {
    for (const node of this.nodes) {
      try {
        const info = await redisCommand(node.port, ["CLUSTER", "INFO"]);
        if (infoField(info, "cluster_state") !== "ok") return `node ${node.port} is not ok yet`;
        if (infoField(info, "cluster_known_nodes") !== String(size)) {
          return `node ${node.port} knows ${infoField(info, "cluster_known_nodes")} of ${size} nodes`;
        }
        const replication = await redisCommand(node.port, ["INFO", "replication"]);
        if (infoField(replication, "role") === "slave" && infoField(replication, "master_link_status") !== "up") {
          return `replica ${node.port} is not in sync with its master yet`;
        }
      } catch (error) {
        return `node ${node.port}: ${(error as Error).message}`;
      }
    }
    return undefined;
  }
}
