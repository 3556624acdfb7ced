/**
 * Throwaway Redis servers for the benchmarks: started on free loopback ports, stopped at the end,
 * and killed on Ctrl-C or an early exit so that no redis-server outlives a run.
 */
import { startRedisCluster, type RedisClusterOptions, type RedisClusterProcess } from "../../src/ops/redis-cluster.ts";
import { startRedisServer, type RedisServerProcess } from "../../src/ops/redis-server.ts";

const running = new Set<RedisServerProcess>();
const clusters = new Set<RedisClusterProcess>();
let hooked = false;

function killAllNow(): void {
  for (const server of running) {
    try {
      if (server.isRunning()) process.kill(server.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  running.clear();
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on("exit", killAllNow);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      killAllNow();
      process.exit(130);
    });
  }
}

/**
 * A single redis-server on a free port, tracked for cleanup.
 *
 * @example
 * ```ts
 * const server = await benchRedisServer();
 * const redis = new Redis(server.url);
 * await stopServers();
 * ```
 */
export async function benchRedisServer(): Promise<RedisServerProcess> {
  hookExit();
  const server = await startRedisServer();
  running.add(server);
  return server;
}

/**
 * A local Redis Cluster (default 3 masters with one replica each), tracked for cleanup.
 *
 * @example
 * ```ts
 * const cluster = await benchRedisCluster();
 * const client = new Cluster(cluster.seeds.map(parseSeed));
 * ```
 */
export async function benchRedisCluster(options: RedisClusterOptions = {}): Promise<RedisClusterProcess> {
  hookExit();
  const cluster = await startRedisCluster(options);
  clusters.add(cluster);
  for (const node of cluster.nodes) running.add(node);
  return cluster;
}

/** Stops one tracked server or cluster before the end of the run. */
export async function stopServer(server: RedisServerProcess | RedisClusterProcess): Promise<void> {
  await server.stop();
  if ("nodes" in server) {
    clusters.delete(server);
    for (const node of server.nodes) running.delete(node);
  } else running.delete(server);
}

/** Stops every server still running (the clean path; the exit hook is the fallback). */
export async function stopServers(): Promise<void> {
  // A cluster's own stop also removes its directory; servers left after that are single nodes.
  for (const cluster of clusters) {
    await cluster.stop().catch(() => undefined);
    for (const node of cluster.nodes) running.delete(node);
  }
  clusters.clear();
  await Promise.all([...running].map((server) => server.stop().catch(() => undefined)));
  running.clear();
}
