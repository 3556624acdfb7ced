/**
 * The cache's contract (tests/support/cache-conformance.ts), run against every real L2: the
 * in-process store, a single redis-server, a 3-master + 3-replica cluster, and the Upstash REST
 * endpoint in front of a real redis-server.
 */
import { Cluster, Redis } from "ioredis";
import { memoryL2, type L2Adapter } from "../../src/cache/index.ts";
import { redisClusterL2, redisL2 } from "../../src/cache/redis.ts";
import { upstashL2 } from "../../src/cache/upstash.ts";
import { runCacheConformance } from "../support/cache-conformance.ts";
import { sharedCluster, sharedRedis, sharedUpstash } from "../support/servers.ts";

/** The in-process store is one per process: two caches share it by holding the same instance, which only the first may close. */
function sharedView(store: L2Adapter): L2Adapter {
  return { ...store, kind: store.kind, bus: store.bus, describe: () => store.describe(), close: async () => undefined };
}

const memory = memoryL2();
runCacheConformance("memory", async () => ({ adapter: () => sharedView(memory) }));

runCacheConformance("redis", async () => {
  const { url } = await sharedRedis();
  return { adapter: () => redisL2({ url }), raw: new Redis(url) };
});

runCacheConformance("redis-cluster", async () => {
  const { seeds } = await sharedCluster();
  const nodes = seeds.map((s) => {
    const [host, port] = s.split(":");
    return { host: host as string, port: Number(port) };
  });
  return { adapter: () => redisClusterL2({ nodes: seeds }), raw: new Cluster(nodes) };
});

runCacheConformance("upstash", async () => {
  const { url, token, redisUrl } = await sharedUpstash();
  return { adapter: () => upstashL2({ url, token }), raw: new Redis(redisUrl) };
});
