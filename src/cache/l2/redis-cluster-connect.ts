/**
 * Connecting to a Redis Cluster: the client options that keep a failing shard's calls short, the
 * probe that tells a cluster seed from a plain Redis, and waiting for a shared client to be ready.
 *
 * @example
 * ```ts
 * if ((await probeSeed({ host: "10.0.0.5", port: 7000 }, 250, 1_000)) === "cluster") new Cluster(seeds, clusterOptions(250, 1_000));
 * ```
 */
import { Cluster, Redis } from "ioredis";
import { reconnectDelay, withDeadline } from "./ioredis-shared.ts";

export type Seed = { host: string; port: number };
export type ProbeAnswer = "cluster" | "single" | "unreachable";

const CLUSTER_DISABLED = /cluster support disabled/i;

/** Cluster client options: few, quick retries, every command bounded by `commandTimeoutMs`. */
export function clusterOptions(commandTimeoutMs: number, connectTimeoutMs: number): ConstructorParameters<typeof Cluster>[1] {
  return {
    lazyConnect: true,
    enableAutoPipelining: true,
    enableOfflineQueue: true,
    // Few, quick retries: while a shard fails over, calls should fail within the command timeout
    // and leave the waiting to the cache's breaker, not pile up inside the client.
    maxRedirections: 4,
    retryDelayOnFailover: 100,
    retryDelayOnClusterDown: 100,
    retryDelayOnTryAgain: 100,
    slotsRefreshTimeout: connectTimeoutMs,
    clusterRetryStrategy: (times: number) => reconnectDelay(times),
    redisOptions: {
      commandTimeout: commandTimeoutMs,
      connectTimeout: connectTimeoutMs,
      maxRetriesPerRequest: 1,
    },
  };
}

/**
 * Asks one seed, over a throwaway plain connection, whether it runs in cluster mode. Any answer
 * other than "cluster support disabled" counts as cluster mode, so the Cluster client reports
 * real problems (auth, cluster down) itself.
 */
export async function probeSeed(seed: Seed, commandTimeoutMs: number, connectTimeoutMs: number): Promise<ProbeAnswer> {
  const probe = new Redis({
    host: seed.host,
    port: seed.port,
    lazyConnect: true,
    retryStrategy: null,
    maxRetriesPerRequest: 0,
    connectTimeout: connectTimeoutMs,
    commandTimeout: commandTimeoutMs * 4,
  });
  probe.on("error", () => {});
  try {
    await withDeadline(probe.connect(), connectTimeoutMs + commandTimeoutMs);
  } catch {
    probe.disconnect();
    return "unreachable";
  }
  try {
    await probe.cluster("INFO");
    return "cluster";
  } catch (error) {
    const message = error instanceof Error ? error.message : "";
    if (CLUSTER_DISABLED.test(message)) return "single";
    return /timed out/i.test(message) ? "unreachable" : "cluster";
  } finally {
    probe.disconnect();
  }
}

/**
 * Resolves once the cluster is ready (connecting a lazy shared client), or after `ms` either way:
 * the caller's own command timeouts decide what happens next.
 */
export function whenReady(cluster: Cluster, ms: number): Promise<void> {
  if (cluster.status === "ready") return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      cluster.off("ready", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    cluster.once("ready", done);
    if (cluster.status === "wait") cluster.connect().catch(() => {});
  });
}
