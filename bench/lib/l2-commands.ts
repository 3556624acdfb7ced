/**
 * Counts the commands an L2 ran, from `INFO commandstats` on a redis-server or on every master of
 * a Redis Cluster, so the benchmark can print L2 commands per webhook turn. Housekeeping that no
 * webhook causes (the INFO itself, replication acknowledgements, cluster topology refreshes,
 * connection set-up, health pings) is left out, and listed, so the count is what turns cost.
 */
import type { RedisClusterProcess } from "../../src/ops/redis-cluster.ts";
import { redisCommand } from "../../src/ops/redis-server.ts";

/** Commands no webhook turn issues: the counter's own INFO, replication, topology, connection set-up and pings. */
export const HOUSEKEEPING_COMMANDS: readonly string[] = ["info", "replconf", "psync", "sync", "cluster", "command", "client", "hello", "select", "ping", "readonly", "auth"];

/** Where to count: the ports of the redis-server, or of the cluster's masters. */
export interface CommandCounter {
  /** Data commands run so far, summed over the nodes. */
  total(): Promise<number>;
}

/**
 * A counter over the given nodes' `INFO commandstats`.
 *
 * @example
 * ```ts
 * const counter = commandCounter([redis.port]);
 * const before = await counter.total();
 * // … load …
 * const perTurn = ((await counter.total()) - before) / turns;
 * ```
 */
export function commandCounter(ports: readonly number[]): CommandCounter {
  return {
    async total() {
      let sum = 0;
      for (const port of ports) {
        const reply = await redisCommand(port, ["INFO", "commandstats"]);
        if (typeof reply !== "string") throw new Error(`INFO commandstats on port ${port} answered ${String(reply)}`);
        sum += dataCommands(reply);
      }
      return sum;
    },
  };
}

/**
 * The ports of the cluster's masters right now (the nodes that take writes and reads from the app;
 * replicas re-run what their master ran and would count it twice).
 *
 * @example
 * ```ts
 * const counter = commandCounter(await masterPorts(cluster));
 * ```
 */
export async function masterPorts(cluster: RedisClusterProcess): Promise<number[]> {
  return (await cluster.nodeInfo()).filter((node) => node.role === "master").map((node) => node.port);
}

/** The sum of `calls=` over `cmdstat_*` lines, housekeeping left out. */
export function dataCommands(info: string): number {
  let total = 0;
  for (const [, name, calls] of info.matchAll(/^cmdstat_([^:|]+)(?:\|[^:]+)?:calls=(\d+)/gm)) {
    if (!HOUSEKEEPING_COMMANDS.includes(name!.toLowerCase())) total += Number(calls);
  }
  return total;
}
