import { L2UnavailableError } from "../errors.ts";
import { Cluster, Redis } from "ioredis";
import { l2Error } from "./support.ts";
import { ioredisBus } from "./ioredis-bus.ts";
import {
  connectTimeoutFor,
  DEFAULT_COMMAND_TIMEOUT_MS,
  ioredisAdapter,
  parseHostPort,
  reconnectDelay,
  withDeadline,
} from "./ioredis-shared.ts";
import { clusterOptions, probeSeed, whenReady, type Seed } from "./redis-cluster-connect.ts";
import { singleNodeAdapter } from "./redis.ts";
import type { L2Adapter, L2Bus, L2Description } from "./types.ts";

export interface RedisClusterL2Options {
  /** Seed nodes as `host:port`; any reachable node is enough, the rest is discovered. */
  nodes?: string[];
  /** An existing ioredis Cluster to share; the adapter never closes it and skips the seed probe. */
  client?: Cluster;
  /** Bound on every command; also how soon a command to a dead shard gives up. Default 250 ms. */
  commandTimeoutMs?: number;
}


/**
 * L2 on a Redis Cluster through ioredis `Cluster`. Reads of many keys are auto-pipelined single-key
 * GETs (one round trip per node, never CROSSSLOT); deletes go key by key; prefix deletes scan every
 * master. A killed master's slots make calls fail after the command timeout (not the client's
 * default second) so the cache's breaker takes over while the replica is promoted.
 *
 * On first use the first reachable seed is probed with a plain connection. When it answers that
 * cluster support is disabled, the adapter runs against that node as a single Redis instead, and
 * `describe()` says so (`mode: "single"` with a note), so a one-node dev setup still works.
 *
 * @example
 * ```ts
 * const l2 = redisClusterL2({ nodes: ["10.0.0.5:7000", "10.0.0.6:7000"] });
 * await l2.getMany(["voxedge:business:+1555…", "voxedge:kb:bella-pizza:parking"]);
 * l2.describe(); // { kind: "redis-cluster", mode: "cluster", target: "10.0.0.5:7000,10.0.0.6:7000" }
 * ```
 */
export function redisClusterL2(options: RedisClusterL2Options = {}): L2Adapter {
  const commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const connectTimeoutMs = connectTimeoutFor(commandTimeoutMs);
  const shared = options.client;
  const seeds: Seed[] = shared ? [] : (options.nodes ?? ["127.0.0.1:7000"]).map(parseHostPort);
  const seedList = seeds.map((seed) => `${seed.host}:${seed.port}`).join(",");

  let impl: L2Adapter | undefined;
  let connecting: Promise<L2Adapter> | undefined;
  let closed = false;

  /** Probes, connects and builds the adapter once; a failed attempt is forgotten so the next call tries again. */
  function resolveImpl(): Promise<L2Adapter> {
    if (impl !== undefined) return Promise.resolve(impl);
    if (closed) return Promise.reject(new L2UnavailableError("redis-cluster L2 is closed"));
    connecting ??= build().then(
      (built) => {
        connecting = undefined;
        if (closed) {
          void built.close();
          throw new L2UnavailableError("redis-cluster L2 is closed");
        }
        impl = built;
        return built;
      },
      (error: unknown) => {
        connecting = undefined;
        throw error;
      },
    );
    return connecting;
  }

  async function build(): Promise<L2Adapter> {
    if (shared) return clusterAdapter(shared, false, "shared cluster client");
    for (const seed of seeds) {
      const answer = await probeSeed(seed, commandTimeoutMs, connectTimeoutMs);
      if (answer === "unreachable") continue;
      const target = `${seed.host}:${seed.port}`;
      if (answer === "single") {
        return singleNodeAdapter({
          kind: "redis-cluster",
          connect: seed,
          commandTimeoutMs,
          description: {
            kind: "redis-cluster",
            mode: "single",
            target,
            note: `cluster support disabled on seed ${target}; using it as a single node`,
          },
        });
      }
      const cluster = new Cluster(seeds, clusterOptions(commandTimeoutMs, connectTimeoutMs));
      cluster.on("error", () => {
        // Node errors are retried by ioredis and surface as failed calls.
      });
      try {
        await withDeadline(cluster.connect(), connectTimeoutMs + commandTimeoutMs);
      } catch (error) {
        cluster.disconnect();
        throw error;
      }
      return clusterAdapter(cluster, true, seedList);
    }
    throw new Error("no seed node reachable");
  }

  function clusterAdapter(cluster: Cluster, owned: boolean, target: string): L2Adapter {
    const bus = ioredisBus({
      kind: "redis-cluster",
      publish: (channel, message) => publishInOrder(cluster, channel, message),
      openSubscriber: (attempt) => {
        // Classic pub/sub reaches every node of a cluster, so any node will do; rotating through
        // them moves the subscription off a node that died.
        const candidates = uniqueNodes([...cluster.nodes("all").map(nodeAddress), ...seeds]);
        const node = candidates[attempt % Math.max(1, candidates.length)] ?? { host: "127.0.0.1", port: 7000 };
        const base = cluster.options.redisOptions ?? {};
        return new Redis({
          ...base,
          host: node.host,
          port: node.port,
          lazyConnect: true,
          retryStrategy: null,
          enableAutoPipelining: false,
          commandTimeout: commandTimeoutMs,
          connectTimeout: connectTimeoutMs,
        });
      },
      firstAttemptWaitMs: connectTimeoutMs,
    });
    const description: L2Description = { kind: "redis-cluster", mode: "cluster", target };
    return ioredisAdapter({
      kind: "redis-cluster",
      topology: "cluster",
      // A lazy shared client connects on its first command; commands need no readiness wait.
      client: async () => cluster,
      scanNodes: async (client) => {
        await whenReady(client, connectTimeoutMs);
        return client.nodes("master");
      },
      // Commands queued while the cluster reconnects carry no timeout of their own.
      deadlineMs: commandTimeoutMs * 2,
      describe: () => ({ ...description }),
      bus,
      async close() {
        bus.close();
        if (!owned) return;
        await withDeadline(cluster.quit(), connectTimeoutMs).catch(() => cluster.disconnect());
      },
    });
  }

  const bus: L2Bus = {
    async publish(channel, message) {
      let adapter: L2Adapter;
      try {
        adapter = await resolveImpl();
      } catch (error) {
        throw l2Error("redis-cluster", "publish", error, [message]);
      }
      await adapter.bus?.publish(channel, message);
    },
    async subscribe(channel, onMessage, onState) {
      try {
        const adapter = await resolveImpl();
        if (adapter.bus === undefined) throw new Error("no bus");
        return await adapter.bus.subscribe(channel, onMessage, onState);
      } catch {
        // Nothing reachable yet: report `down` and keep trying in the background, like a
        // subscription that dropped.
        return subscribeLater(channel, onMessage, onState);
      }
    },
  };

  function subscribeLater(
    channel: string,
    onMessage: (message: string) => void,
    onState: ((state: "up" | "down") => void) | undefined,
  ): () => Promise<void> {
    onState?.("down");
    let cancelled = false;
    let stop: (() => Promise<void>) | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const attempt = (n: number): void => {
      timer = setTimeout(async () => {
        if (cancelled || closed) return;
        try {
          const adapter = await resolveImpl();
          if (adapter.bus === undefined || cancelled) return;
          stop = await adapter.bus.subscribe(channel, onMessage, onState);
          if (cancelled) await stop();
        } catch {
          attempt(n + 1);
        }
      }, reconnectDelay(n + 1));
      (timer as { unref?: () => void }).unref?.();
    };
    attempt(0);
    return async () => {
      cancelled = true;
      clearTimeout(timer);
      await stop?.();
    };
  }

  async function withImpl<T>(use: (adapter: L2Adapter) => Promise<T>, op: string): Promise<T> {
    let adapter: L2Adapter;
    try {
      adapter = await resolveImpl();
    } catch (error) {
      throw l2Error("redis-cluster", op, error);
    }
    return use(adapter);
  }

  return {
    kind: "redis-cluster",
    bus,
    get: (key) => withImpl((a) => a.get(key), "get"),
    getMany: (keys) => withImpl((a) => a.getMany(keys), "getMany"),
    set: (key, value, ttlMs) => withImpl((a) => a.set(key, value, ttlMs), "set"),
    setIfAbsent: (key, value, ttlMs) => withImpl((a) => a.setIfAbsent(key, value, ttlMs), "setIfAbsent"),
    increment: (key, ttlMs) => withImpl((a) => a.increment(key, ttlMs), "increment"),
    delete: (key) => withImpl((a) => a.delete(key), "delete"),
    deleteMany: (keys) => withImpl((a) => a.deleteMany(keys), "deleteMany"),
    deleteByPrefix: (prefix) => withImpl((a) => a.deleteByPrefix(prefix), "deleteByPrefix"),
    ping: () => withImpl((a) => a.ping(), "ping"),
    describe() {
      if (impl !== undefined) return impl.describe();
      return { kind: "redis-cluster", mode: "cluster", target: shared ? "shared cluster client" : seedList, note: "not connected yet" };
    },
    async close() {
      closed = true;
      const pending = connecting;
      if (pending !== undefined) await pending.catch(() => undefined);
      const current = impl;
      impl = undefined;
      await current?.close();
    },
  };
}

/**
 * PUBLISH without a key goes to a random node, and messages entering the cluster at different
 * nodes can overtake each other. Publishing through one chosen master keeps one publisher's
 * messages in order; when that master fails, the cluster client picks any node.
 */
async function publishInOrder(cluster: Cluster, channel: string, message: string): Promise<void> {
  const masters = cluster.nodes("master");
  let pinned: Redis | undefined;
  for (const node of masters) if (pinned === undefined || nodeKey(node) < nodeKey(pinned)) pinned = node;
  if (pinned !== undefined && pinned.status === "ready") {
    try {
      await pinned.publish(channel, message);
      return;
    } catch {
      // Fall through to whatever node the cluster client reaches.
    }
  }
  await cluster.publish(channel, message);
}

function nodeKey(node: Redis): string {
  return `${node.options.host}:${node.options.port}`;
}

function nodeAddress(node: Redis): Seed {
  return { host: node.options.host ?? "127.0.0.1", port: node.options.port ?? 6379 };
}

function uniqueNodes(nodes: Seed[]): Seed[] {
  const seen = new Set<string>();
  return nodes.filter((node) => {
    const key = `${node.host}:${node.port}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
