/**
 * `bun run dev:workers`: builds the Worker and serves it on real workerd through miniflare, with
 * the bindings taken from this shell's environment (and `.env`, which Bun reads) under the same
 * names as the server's variables. Listens on `WORKERS_DEV_PORT` (default 8787).
 *
 * @example
 * ```sh
 * CACHE_L2=none bun run dev:workers   # http://127.0.0.1:8787/health
 * ```
 */
import { Miniflare } from "miniflare";
import { CONFIG_VARIABLES } from "../config.ts";
import { buildWorker } from "./build-workers.ts";
import { workerOptions } from "./miniflare-options.ts";

const { path, gzipBytes } = await buildWorker();
const bindings: Record<string, string> = {};
for (const name of CONFIG_VARIABLES) {
  const value = process.env[name];
  if (value !== undefined && name !== "PORT" && name !== "HOST") bindings[name] = value;
}
const port = Number(process.env.WORKERS_DEV_PORT ?? 8787);
const mf = new Miniflare({ ...workerOptions(path, bindings), host: "127.0.0.1", port });
const url = await mf.ready;
console.log(`voxedge Worker (${(gzipBytes / 1024).toFixed(1)} KiB gzipped) on workerd at ${url.href}`);
const stop = () => void mf.dispose().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
