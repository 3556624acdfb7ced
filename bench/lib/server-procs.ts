/**
 * Child processes of the server benchmark: the voxedge server, the bare-route baseline and the
 * Redis servers behind them. Every process started here is killed when the benchmark exits, also
 * on Ctrl-C, so that no server or redis-server outlives a run.
 */
import { readFileSync } from "node:fs";
import { startRedisCluster, type RedisClusterProcess } from "../../src/ops/redis-cluster.ts";
import { findFreePort, startRedisServer, type RedisServerProcess } from "../../src/ops/redis-server.ts";

const REPO_ROOT = `${import.meta.dir}/../..`;
const BARE_ROUTE_SCRIPT = `${import.meta.dir}/server-bare.ts`;

type Child = ReturnType<typeof Bun.spawn>;
const children = new Set<Child>();
const redisProcesses = new Set<RedisServerProcess | RedisClusterProcess>();
let exitHooked = false;

function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  const killEverything = () => {
    for (const child of children) child.kill("SIGKILL");
    for (const redis of redisProcesses) {
      const nodes = "nodes" in redis ? redis.nodes : [redis];
      for (const node of nodes) {
        try {
          if (node.isRunning()) process.kill(node.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    }
  };
  process.on("exit", killEverything);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      killEverything();
      process.exit(130);
    });
  }
}

/** A server under test, listening on loopback. */
export interface BenchServer {
  /** `http://127.0.0.1:port` */
  readonly origin: string;
  readonly pid: number;
  /** CPU time (user + system) the process has used so far, in seconds; undefined off Linux. */
  cpuSeconds(): number | undefined;
  /** Lines the process wrote to stderr so far (warnings and errors, for the report). */
  stderrLines(): string[];
  stop(): Promise<void>;
}

/** How the server is started by default; `DENO_SERVER` runs the same server on Deno. */
export const BUN_SERVER: readonly string[] = ["bun", "src/server.ts"];
/** The same server on Deno 2 (`deno task server`). */
export const DENO_SERVER: readonly string[] = ["deno", "task", "server"];

/** The environment every voxedge server in the benchmark shares; the L2 settings go on top. */
export interface VoxedgeEnv {
  TWILIO_AUTH_TOKEN: string;
  PUBLIC_BASE_URL: string;
  [name: string]: string;
}

/**
 * Starts `bun src/server.ts` on a free loopback port and waits until `/health` answers. Logs at
 * `warn`, so the load is not also a benchmark of the logger.
 *
 * @example
 * ```ts
 * const server = await startVoxedge({ TWILIO_AUTH_TOKEN: "t", PUBLIC_BASE_URL: "https://bot.example.com", CACHE_L2: "memory" });
 * await fetch(`${server.origin}/health`);
 * await server.stop();
 * ```
 */
export async function startVoxedge(env: VoxedgeEnv, command: readonly string[] = BUN_SERVER): Promise<BenchServer> {
  const port = await findFreePort();
  const child = spawnTracked([...command], serverEnv(env, port));
  return await ready(child, port);
}

/**
 * Starts the baseline: a bare Hono route that answers a constant, on the same runtime, in a
 * process of its own (see server-bare.ts).
 *
 * @example
 * ```ts
 * const bare = await startBareRoute();
 * await fetch(`${bare.origin}/twilio/gather`, { method: "POST" }); // "ok"
 * ```
 */
export async function startBareRoute(): Promise<BenchServer> {
  const port = await findFreePort();
  const child = spawnTracked(["bun", BARE_ROUTE_SCRIPT], { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", PORT: String(port) });
  return await ready(child, port);
}

/**
 * Milliseconds from spawning `bun src/server.ts` to its first 200 on `/health`, polling every
 * `pollMs`. The process is stopped afterwards.
 *
 * @example
 * ```ts
 * const ms = await measureColdStart({ TWILIO_AUTH_TOKEN: "t", PUBLIC_BASE_URL: "https://bot.example.com" });
 * ```
 */
export async function measureColdStart(env: VoxedgeEnv, pollMs = 2, command: readonly string[] = BUN_SERVER): Promise<number> {
  const port = await findFreePort();
  const origin = `http://127.0.0.1:${port}`;
  const started = performance.now();
  const child = spawnTracked([...command], serverEnv(env, port));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} during the cold-start measurement`);
      try {
        const response = await fetch(`${origin}/health`);
        if (response.status === 200) return performance.now() - started;
      } catch {
        // not listening yet
      }
      if (performance.now() - started > 15_000) throw new Error("server did not answer /health within 15 s");
      await Bun.sleep(pollMs);
    }
  } finally {
    await stopChild(child);
  }
}

/**
 * A throwaway redis-server on a free port (never 6379), killed at exit if not stopped before.
 *
 * @example
 * ```ts
 * const redis = await benchRedis(); // redis.url === "redis://127.0.0.1:4xxxx"
 * ```
 */
export async function benchRedis(): Promise<RedisServerProcess> {
  hookExit();
  const server = await startRedisServer();
  redisProcesses.add(server);
  return server;
}

/**
 * A throwaway Redis Cluster (3 masters, 1 replica each) on free ports, killed at exit if not
 * stopped before.
 *
 * @example
 * ```ts
 * const cluster = await benchRedisCluster(); // cluster.seeds.join(",") for REDIS_CLUSTER_NODES
 * ```
 */
export async function benchRedisCluster(): Promise<RedisClusterProcess> {
  hookExit();
  const cluster = await startRedisCluster();
  redisProcesses.add(cluster);
  return cluster;
}

/**
 * Stops every Redis server and cluster started by this module (the clean path; the exit hook is
 * the fallback).
 *
 * @example
 * ```ts
 * try { await benchmark(); } finally { await stopAllRedis(); }
 * ```
 */
export async function stopAllRedis(): Promise<void> {
  const all = [...redisProcesses];
  redisProcesses.clear();
  await Promise.all(all.map((redis) => redis.stop().catch(() => undefined)));
}

/** /proc/<pid>/stat counts in USER_HZ ticks, which Linux fixes at 100 per second for user space. */
const TICKS_PER_SECOND = 100;

/**
 * CPU time (user + system) a process has used, in seconds, from `/proc/<pid>/stat`; undefined
 * where there is no /proc (macOS) or the process is gone. Per-request CPU is steadier than req/s
 * on a machine where the load generator competes for the same cores.
 *
 * @example
 * ```ts
 * const before = processCpuSeconds(server.pid);
 * ```
 */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after "pid (comm) ": state is the 1st, utime the 12th, stime the 13th.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

function serverEnv(env: VoxedgeEnv, port: number): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/tmp",
    NODE_ENV: "production",
    // Production requires it; one value for every instance of the run, so they share entries.
    CACHE_KEY_SECRET: "bench-cache-key-secret-0123456789abcdef",
    LOG_LEVEL: "warn",
    HOST: "127.0.0.1",
    PORT: String(port),
    ...env,
  };
}

function spawnTracked(command: string[], env: Record<string, string>): Child {
  hookExit();
  const child = Bun.spawn(command, { cwd: REPO_ROOT, env, stdin: "ignore", stdout: "ignore", stderr: "pipe" });
  children.add(child);
  return child;
}

async function stopChild(child: Child): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill("SIGTERM");
    const killer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await child.exited;
    clearTimeout(killer);
  }
  children.delete(child);
}

async function ready(child: Child, port: number): Promise<BenchServer> {
  const origin = `http://127.0.0.1:${port}`;
  const lines: string[] = [];
  void collectLines(child.stderr as ReadableStream<Uint8Array>, lines);
  const deadline = performance.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode} before answering:\n${lines.join("\n")}`);
    try {
      if ((await fetch(`${origin}/health`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) {
      await stopChild(child);
      throw new Error(`no answer on ${origin}/health within 15 s:\n${lines.join("\n")}`);
    }
    await Bun.sleep(20);
  }
  return { origin, pid: child.pid, cpuSeconds: () => processCpuSeconds(child.pid), stderrLines: () => lines.slice(), stop: () => stopChild(child) };
}

async function collectLines(stream: ReadableStream<Uint8Array>, into: string[]): Promise<void> {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of stream) {
    pending += decoder.decode(chunk, { stream: true });
    const parts = pending.split("\n");
    pending = parts.pop() ?? "";
    // Bounded: a server that logs on every request must not fill the benchmark's memory.
    for (const line of parts) if (line.trim() !== "" && into.length < 1_000) into.push(line);
  }
  if (pending.trim() !== "" && into.length < 1_000) into.push(pending);
}
