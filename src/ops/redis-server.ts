/**
 * The lifecycle of real `redis-server` processes on loopback ports (start, adopt, stop, kill,
 * restart), for the test suite and the `bun run cluster` CLI: the options and how a server is
 * launched. The process itself is `redis-process.ts`; the RESP client (`resp.ts`) and the process
 * and port helpers (`process.ts`, `ports.ts`) are their own modules. Nothing here runs at import time.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findFreePort, LOOPBACK } from "./ports.ts";
import { findExecutable, requireRedisBinary } from "./process.ts";
import { ManagedRedisServer, type ManagedRedisServerConfig, type RedisServerProcess } from "./redis-process.ts";

export type { RedisServerProcess } from "./redis-process.ts";

// What a caller that starts servers usually needs next to them (the tests); their modules own them.
export { findFreePort } from "./ports.ts";
export { findExecutable, isProcessAlive } from "./process.ts";
export { redisCommand } from "./resp.ts";

export interface RedisServerOptions {
  /** Port to listen on; a free one is picked when omitted. */
  port?: number;
  /** Address to bind; only loopback makes sense for tests. Default `127.0.0.1`. */
  host?: string;
  /** Working directory (logs, nodes.conf). A fresh temp dir, removed on stop, when omitted. */
  dir?: string;
  /** Extra `redis-server` arguments, appended last so they can override the defaults. */
  args?: string[];
  /** Start with `cluster-enabled yes` and `cluster-config-file nodes.conf` in `dir`. */
  cluster?: boolean;
  /** Where stdout/stderr of the server go. Default `<dir>/redis.log`. */
  logFile?: string;
  /** How long to wait for the first PING answer. Default 10000 ms. */
  startTimeoutMs?: number;
  /**
   * Run the server in its own session and let this process exit while it keeps running (the
   * cluster CLI). Ctrl-C in the launching terminal then does not reach it either.
   */
  detached?: boolean;
}

/**
 * Starts `redis-server` with no persistence on a loopback port and resolves once it answers PING.
 * Throws (with the tail of its log) if it exits or stays silent; throws with an install hint if
 * `redis-server` is missing.
 *
 * @example
 * const redis = await startRedisServer();
 * // ... use redis.url ...
 * await redis.stop();
 */
export async function startRedisServer(opts: RedisServerOptions = {}): Promise<RedisServerProcess> {
  const binary = requireRedisBinary("redis-server");
  const host = opts.host ?? LOOPBACK;
  const port = opts.port ?? (await findFreePort({ host, clusterBus: opts.cluster ?? false }));
  const ownsDir = opts.dir === undefined;
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), "voxedge-redis-"));
  const server = new ManagedRedisServer(serverConfig(binary, host, port, dir, ownsDir, opts));
  try {
    await server.start();
  } catch (error) {
    if (ownsDir) rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return server;
}

/**
 * Takes charge of a `redis-server` that an earlier process started (detached) with these same
 * options: `stop`, `kill` and `isRunning` work through its pid, `restart` starts it anew the way
 * `startRedisServer` would. Nothing is checked here; the caller knows the pid is that server.
 *
 * @example
 * const node = adoptRedisServer(state.pid, { port: 7000, dir: "/tmp/c/node-7000", cluster: true });
 * await node.stop();
 */
export function adoptRedisServer(
  pid: number,
  opts: RedisServerOptions & { port: number; dir: string },
): RedisServerProcess {
  const binary = findExecutable("redis-server") ?? "redis-server";
  const host = opts.host ?? LOOPBACK;
  return new ManagedRedisServer(serverConfig(binary, host, opts.port, opts.dir, false, opts), pid);
}

function serverConfig(
  binary: string,
  host: string,
  port: number,
  dir: string,
  ownsDir: boolean,
  opts: RedisServerOptions,
): ManagedRedisServerConfig {
  return {
    binary,
    host,
    port,
    dir,
    ownsDir,
    logFile: opts.logFile ?? join(dir, "redis.log"),
    args: buildArgs(host, port, dir, opts),
    startTimeoutMs: opts.startTimeoutMs ?? 10_000,
    detached: opts.detached ?? false,
  };
}

function buildArgs(host: string, port: number, dir: string, opts: RedisServerOptions): string[] {
  const args = [
    "--port", String(port),
    "--bind", host,
    "--dir", dir,
    // Stdout goes to our log file; no RDB/AOF so nothing is left behind but logs and nodes.conf.
    "--logfile", "",
    "--daemonize", "no",
    "--save", "",
    "--appendonly", "no",
  ];
  if (opts.cluster) {
    // Relative to --dir: every node keeps its own nodes.conf in its own directory.
    args.push("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf");
  }
  return [...args, ...(opts.args ?? [])];
}
