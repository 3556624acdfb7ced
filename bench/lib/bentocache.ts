/**
 * Loads bentocache for the comparison benchmarks with its Redis driver bound to ioredis 5.
 *
 * bentocache 1.6.1 declares ioredis 5 as a peer, but a bare `import "ioredis"` inside
 * node_modules/bentocache resolves to the project's ioredis 6. Its Redis driver then fails its
 * `instanceof` check on a client we pass in and builds its own client from that object instead,
 * which connects to the default 127.0.0.1:6379 (a shared server here). A runtime loader plugin
 * rewrites that one import to the `ioredis5` alias package, so the driver accepts our ioredis 5
 * client; `loadBentocache` refuses to return when the rewrite did not happen.
 */
import { plugin } from "bun";
import { readFileSync } from "node:fs";
import type { Redis as Redis5 } from "ioredis5";

type BentoModule = typeof import("bentocache");
type RedisDriverModule = typeof import("bentocache/drivers/redis");
type MemoryDriverModule = typeof import("bentocache/drivers/memory");

/** bentocache's entry points, with the Redis driver speaking ioredis 5. */
export interface Bentocache {
  BentoCache: BentoModule["BentoCache"];
  bentostore: BentoModule["bentostore"];
  memoryDriver: MemoryDriverModule["memoryDriver"];
  redisDriver: RedisDriverModule["redisDriver"];
  RedisDriver: RedisDriverModule["RedisDriver"];
}

type RedisConnection = Parameters<RedisDriverModule["redisDriver"]>[0]["connection"];

/**
 * bentocache's type declarations name the ioredis 6 types (what "ioredis" resolves to here); at run
 * time its rewritten driver checks for ioredis 5, so an ioredis 5 client is what it must get.
 *
 * @example
 * ```ts
 * redisDriver({ connection: asBentoConnection(new Redis5({ port })) });
 * ```
 */
export function asBentoConnection(client: Redis5): RedisConnection {
  return client as unknown as RedisConnection;
}

const REDIS_DRIVER_FILE = /node_modules\/bentocache\/build\/src\/drivers\/redis\.js$/;
let rewrites = 0;
let loaded: Promise<Bentocache> | undefined;

/**
 * Imports bentocache once, its Redis driver rewritten to import `ioredis5`.
 *
 * @example
 * ```ts
 * const { BentoCache, bentostore, redisDriver } = await loadBentocache();
 * const bento = new BentoCache({ default: "l2", stores: { l2: bentostore().useL2Layer(redisDriver({ connection: new Redis5(port) })) } });
 * ```
 */
export function loadBentocache(): Promise<Bentocache> {
  loaded ??= load();
  return loaded;
}

async function load(): Promise<Bentocache> {
  const ioredis5 = Bun.resolveSync("ioredis5", import.meta.dir);
  plugin({
    name: "bentocache-uses-ioredis5",
    setup(build) {
      build.onLoad({ filter: REDIS_DRIVER_FILE }, (args) => {
        const source = readFileSync(args.path, "utf8");
        const rewritten = source.replace(/from "ioredis";/g, `from ${JSON.stringify(ioredis5)};`);
        if (rewritten !== source) rewrites++;
        return { contents: rewritten, loader: "js" };
      });
    },
  });
  const [bento, memory, redis] = await Promise.all([
    import("bentocache"),
    import("bentocache/drivers/memory"),
    import("bentocache/drivers/redis"),
  ]);
  if (rewrites !== 1) {
    throw new Error("bentocache's Redis driver was not bound to ioredis5; refusing to run (it would connect to 127.0.0.1:6379)");
  }
  return {
    BentoCache: bento.BentoCache,
    bentostore: bento.bentostore,
    memoryDriver: memory.memoryDriver,
    redisDriver: redis.redisDriver,
    RedisDriver: redis.RedisDriver,
  };
}
