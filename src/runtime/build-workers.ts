/**
 * `bun run build:workers`: bundles the Workers entry into one ES module, dist/workers/worker.js,
 * and prints its size raw and gzipped (the Workers limit is on the gzipped size: 3 MiB on the
 * free plan, 10 MiB paid; the goal is 1 MiB). `node:*` and `cloudflare:*` stay imports: workerd
 * provides them (`nodejs_compat`). Fails when a Redis TCP client slipped into the bundle.
 *
 * @example
 * ```sh
 * bun run build:workers   # dist/workers/worker.js  812.4 KiB raw, 201.3 KiB gzipped
 * ```
 */
import type { BunPlugin } from "bun";
import { gzipSync } from "node:zlib";

/** The bundle, relative to the repository root. */
export const WORKER_BUNDLE = "dist/workers/worker.js";
const GOAL_GZIP_BYTES = 1024 * 1024;
const LIMIT_GZIP_BYTES = 3 * 1024 * 1024;

/**
 * Builds the bundle; resolves to its sizes. Throws with the bundler's messages on failure.
 *
 * @example
 * ```ts
 * const { path, rawBytes, gzipBytes } = await buildWorker();
 * ```
 */
export async function buildWorker(root = new URL("../..", import.meta.url).pathname): Promise<{ path: string; rawBytes: number; gzipBytes: number }> {
  const result = await Bun.build({
    entrypoints: [`${root}/src/runtime/workers.ts`],
    outdir: `${root}/dist/workers`,
    naming: "worker.js",
    target: "browser",
    format: "esm",
    minify: true,
    external: ["node:*", "cloudflare:*"],
    plugins: [withoutIoredis],
  });
  if (!result.success) throw new Error(`Worker build failed:\n${result.logs.map(String).join("\n")}`);
  const path = `${root}/${WORKER_BUNDLE}`;
  const code = await Bun.file(path).text();
  if (code.includes("ioredis/built") || /from\s*"ioredis"/.test(code)) throw new Error("Worker build: ioredis ended up in the bundle; Workers have no TCP Redis client");
  return { path, rawBytes: Buffer.byteLength(code), gzipBytes: gzipSync(code).byteLength };
}

/**
 * The Worker never builds a Redis TCP adapter (only upstash or none), and its entry no longer
 * reaches `src/cache/redis.ts`; should an import bring ioredis back, it is replaced by a stub
 * whose classes throw, instead of bundling a client that cannot connect there.
 */
const withoutIoredis: BunPlugin = {
  name: "voxedge-without-ioredis",
  setup(build) {
    build.onResolve({ filter: /^ioredis$/ }, () => ({ path: "ioredis", namespace: "voxedge-stub" }));
    build.onLoad({ filter: /.*/, namespace: "voxedge-stub" }, () => ({
      loader: "js",
      contents: [
        "const unavailable = () => { throw new Error('Redis over TCP is not available on Cloudflare Workers: use CACHE_L2=upstash'); };",
        "export class Redis { constructor() { unavailable(); } }",
        "export class Cluster { constructor() { unavailable(); } }",
        "export default Redis;",
      ].join("\n"),
    }));
  },
};

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

if (import.meta.main) {
  const { rawBytes, gzipBytes } = await buildWorker();
  console.log(`${WORKER_BUNDLE}  ${kib(rawBytes)} raw, ${kib(gzipBytes)} gzipped (goal ≤ ${kib(GOAL_GZIP_BYTES)}, limit ${kib(LIMIT_GZIP_BYTES)})`);
  if (gzipBytes > LIMIT_GZIP_BYTES) {
    console.error("the bundle is over the Workers free-plan limit");
    process.exit(1);
  }
}
