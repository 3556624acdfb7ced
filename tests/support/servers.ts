/**
 * Real Redis servers, a Redis Cluster, the Upstash shim and the model stand-in for the test suite.
 *
 * `bun test` runs every test file in one process, so the `shared*` launchers start their server
 * once per run, on free loopback ports (never the developer's Redis on 6379). Everything started
 * here is stopped by the global `afterAll` in preload.ts; a detached watchdog kills leftovers if
 * the run dies without reaching it (`--bail`, SIGKILL, a crash).
 *
 * @example
 * const { url } = await sharedRedis();
 * const redis = new Redis(url);
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startRedisCluster, type RedisClusterOptions, type RedisClusterProcess } from "../../src/ops/redis-cluster.ts";
import { startRedisServer, type RedisServerOptions, type RedisServerProcess } from "../../src/ops/redis-server.ts";
import type { StandinControl, StandinRequests } from "./model-standin.ts";

/** What the Upstash shim can be told to simulate; see upstash-shim.ts. */
export type ShimFaultMode = "ok" | "stall" | "error500";

/** A dedicated Upstash shim with the redis-server behind it. */
export interface UpstashShimProcess {
  /** Base URL for `new Redis({ url, token })` from @upstash/redis. */
  readonly url: string;
  readonly token: string;
  /** The redis-server behind the shim, for direct inspection with ioredis. */
  readonly redisUrl: string;
  readonly redis: RedisServerProcess;
  /** Simulates an outage of the REST endpoint: `stall` holds requests for `ms`, `error500` fails them. */
  fault(mode: ShimFaultMode, ms?: number): Promise<void>;
  /** Stops the shim and its redis-server. */
  stop(): Promise<void>;
}

interface Tracked {
  stop(): Promise<void>;
  /** Synchronous last resort for the process "exit" event. */
  killNow(): void;
}

const SHIM_SCRIPT = join(import.meta.dir, "upstash-shim.ts");
const STANDIN_SCRIPT = join(import.meta.dir, "model-standin.ts");
const tracked = new Set<Tracked>();
let runRoot: string | undefined;
let dirCounter = 0;

let sharedRedisPromise: Promise<{ url: string; port: number }> | undefined;
let sharedClusterPromise: Promise<{ seeds: string[]; cluster: RedisClusterProcess }> | undefined;
let sharedUpstashPromise: Promise<{ url: string; token: string; redisUrl: string }> | undefined;

/**
 * The run's single-node redis-server, started on first use. Do not kill or flush it: other test
 * files share it. Use unique key prefixes.
 *
 * @example const { url } = await sharedRedis();
 */
export function sharedRedis(): Promise<{ url: string; port: number }> {
  sharedRedisPromise ??= startRedis().then((server) => ({ url: server.url, port: server.port }));
  return sharedRedisPromise;
}

/**
 * The run's 3-master + 3-replica cluster, started on first use. Do not kill its nodes: use
 * `startCluster()` for failover tests.
 *
 * @example const { seeds } = await sharedCluster(); // ["127.0.0.1:2xxxx", ...]
 */
export function sharedCluster(): Promise<{ seeds: string[]; cluster: RedisClusterProcess }> {
  sharedClusterPromise ??= startCluster().then((cluster) => ({ seeds: cluster.seeds, cluster }));
  return sharedClusterPromise;
}

/**
 * The run's Upstash shim in front of its own redis-server, started on first use. Do not inject
 * faults into it: use `startUpstash()` for that.
 *
 * @example const { url, token, redisUrl } = await sharedUpstash();
 */
export function sharedUpstash(): Promise<{ url: string; token: string; redisUrl: string }> {
  sharedUpstashPromise ??= startUpstash().then(({ url, token, redisUrl }) => ({ url, token, redisUrl }));
  return sharedUpstashPromise;
}

/**
 * A dedicated redis-server the caller may kill, restart and stop. Stopped at the end of the run
 * if the caller does not.
 *
 * @example const redis = await startRedis(); await redis.kill(); await redis.restart();
 */
export async function startRedis(
  opts: Omit<RedisServerOptions, "dir" | "logFile"> = {},
): Promise<RedisServerProcess> {
  const server = await startRedisServer({ ...opts, dir: runDir("redis") });
  tracked.add({
    stop: () => server.stop(),
    killNow: () => killPid(server.isRunning() ? server.pid : undefined),
  });
  return server;
}

/**
 * A dedicated cluster (default 3 masters + 3 replicas) for tests that kill nodes.
 *
 * @example const cluster = await startCluster(); await (await cluster.masterFor("k")).kill();
 */
export async function startCluster(
  opts: Omit<RedisClusterOptions, "dir"> = {},
): Promise<RedisClusterProcess> {
  const cluster = await startRedisCluster({ ...opts, dir: runDir("cluster") });
  tracked.add({
    stop: () => cluster.stop(),
    killNow: () => {
      for (const node of cluster.nodes) killPid(node.isRunning() ? node.pid : undefined);
    },
  });
  return cluster;
}

/**
 * A dedicated Upstash shim + redis-server pair, with fault injection for chaos tests.
 *
 * @example
 * const upstash = await startUpstash();
 * await upstash.fault("error500");
 * await upstash.fault("ok");
 */
export async function startUpstash(opts: { token?: string } = {}): Promise<UpstashShimProcess> {
  const redis = await startRedis();
  const token = opts.token ?? `test-${randomUUID()}`;
  let shim: ReadyProcess;
  try {
    shim = await spawnReadyProcess("upstash-shim", SHIM_SCRIPT, ["--redis", redis.url, "--token", token], "upstash");
  } catch (error) {
    await redis.stop();
    throw error;
  }
  const stop = async () => {
    await shim.stop();
    await redis.stop();
  };
  tracked.add({ stop, killNow: shim.killNow });
  return {
    url: shim.url,
    token,
    redisUrl: redis.url,
    redis,
    stop,
    async fault(mode, ms) {
      const res = await fetch(`${shim.url}/__shim/fault`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(ms === undefined ? { mode } : { mode, ms }),
      });
      if (!res.ok) throw new Error(`shim fault ${mode} failed: ${res.status} ${await res.text()}`);
    },
  };
}

/** A running model stand-in (a test double of an OpenAI-compatible server; see model-standin.ts). */
export interface ModelStandinProcess {
  /** The base URL an OpenAI client takes (`…/v1`). */
  readonly baseUrl: string;
  /** The only bearer key it accepts. */
  readonly apiKey: string;
  /** Changes its behaviour for the requests that follow (delays, errors, stalls, a forced reply). */
  control(settings: StandinControl): Promise<void>;
  /** Every request it received since the start or the last `reset`, to count model calls. */
  requests(): Promise<StandinRequests>;
  /** Clears every setting and the request log. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The environment that points the server's model answerer at a stand-in (the chat model's name is
 * the stand-in's own).
 *
 * @example
 * ```ts
 * loadConfig({ ...standinModelEnv(standin), CACHE_KEY_SECRET: secret });
 * ```
 */
export function standinModelEnv(standin: Pick<ModelStandinProcess, "baseUrl" | "apiKey">): Record<string, string> {
  return { LLM_BASE_URL: standin.baseUrl, LLM_API_KEY: standin.apiKey, LLM_MODEL: "standin-chat" };
}

/**
 * A dedicated model stand-in process: no language model can run on these machines, so tests talk
 * to this deterministic double over the real OpenAI wire format. Stopped at the end of the run.
 *
 * @example
 * const model = await startModelStandin();
 * await model.control({ firstChunkDelayMs: 400, tokensPerSecond: 30 });
 * const client = new OpenAI({ baseURL: model.baseUrl, apiKey: model.apiKey, maxRetries: 0 });
 */
export async function startModelStandin(opts: { apiKey?: string } = {}): Promise<ModelStandinProcess> {
  const apiKey = opts.apiKey ?? `sk-test-${randomUUID()}`;
  const standin = await spawnReadyProcess("model-standin", STANDIN_SCRIPT, ["--key", apiKey], "model");
  tracked.add({ stop: standin.stop, killNow: standin.killNow });
  const call = async (method: "GET" | "POST", path: string, body?: unknown) => {
    const res = await fetch(`${standin.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`model stand-in ${path} failed: ${res.status} ${await res.text()}`);
    return res.json() as Promise<unknown>;
  };
  return {
    baseUrl: `${standin.url}/v1`,
    apiKey,
    stop: standin.stop,
    async control(settings) {
      await call("POST", "/__control", settings);
    },
    async reset() {
      await call("POST", "/__control", { reset: true });
    },
    requests: () => call("GET", "/__requests") as Promise<StandinRequests>,
  };
}

interface ReadyProcess {
  readonly url: string;
  stop(): Promise<void>;
  killNow(): void;
}

/**
 * Spawns one of the helper servers of tests/support (`bun <script> --port 0 …`) in a fresh run
 * directory and waits for its "<name> ready on <url>" line. The caller tracks it.
 */
async function spawnReadyProcess(name: string, script: string, args: string[], kind: string): Promise<ReadyProcess> {
  const child = Bun.spawn(
    [process.execPath, script, "--port", "0", ...args],
    // cwd inside the run dir lets the watchdog find the process if the run dies.
    { cwd: runDir(kind), stdin: "ignore", stdout: "pipe", stderr: "pipe" },
  );
  const stop = async () => {
    child.kill("SIGTERM");
    const exited = await Promise.race([child.exited.then(() => true), Bun.sleep(5_000).then(() => false)]);
    if (!exited) {
      child.kill("SIGKILL");
      await child.exited;
    }
  };
  const stderr = drainToTail(child.stderr);
  try {
    const url = await readReadyUrl(child.stdout, name, 10_000);
    return { url, stop, killNow: () => killPid(child.exitCode === null ? child.pid : undefined) };
  } catch (error) {
    child.kill("SIGKILL");
    await child.exited;
    throw new Error(`${name} did not start: ${(error as Error).message}\n${await stderr.tail()}`);
  }
}

/** Stops everything this module started; preload.ts runs it once after the last test file. */
export async function stopAllServers(): Promise<void> {
  const all = [...tracked];
  tracked.clear();
  sharedRedisPromise = sharedClusterPromise = sharedUpstashPromise = undefined;
  await Promise.allSettled(all.map((server) => server.stop()));
  if (runRoot) rmSync(runRoot, { recursive: true, force: true });
  runRoot = undefined;
}

/** SIGKILLs everything still running, synchronously: the process "exit" backstop. */
export function killAllServersSync(): void {
  for (const server of tracked) server.killNow();
  tracked.clear();
  if (runRoot) rmSync(runRoot, { recursive: true, force: true });
}

function killPid(pid: number | undefined): void {
  if (pid === undefined || pid <= 0) return;
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** A fresh directory under this run's temp root; the first call creates the root and the watchdog. */
function runDir(kind: string): string {
  if (!runRoot) {
    runRoot = mkdtempSync(join(tmpdir(), `voxedge-test-${process.pid}-`));
    startWatchdog(runRoot);
  }
  const dir = join(runRoot, `${kind}-${++dirCounter}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * `bun test` skips "exit" handlers and `afterAll` on `--bail` or a hard kill. This detached shell
 * outlives the run, waits for it to end, then SIGKILLs every process whose working directory is
 * inside this run's root (redis-server chdirs into its --dir; the shim is spawned there) and
 * removes the root. After a clean run it finds nothing left to do.
 */
function startWatchdog(root: string): void {
  const script = [
    'parent="$1"; root="$2"',
    'while kill -0 "$parent" 2>/dev/null; do sleep 1; done',
    "for p in /proc/[0-9]*; do",
    '  case "$(readlink "$p/cwd" 2>/dev/null)" in',
    '    "$root"|"$root"/*) kill -9 "${p#/proc/}" 2>/dev/null ;;',
    "  esac",
    "done",
    'rm -rf "$root"',
  ].join("\n");
  const watchdog = spawn("sh", ["-c", script, "voxedge-test-watchdog", String(process.pid), root], {
    cwd: "/",
    detached: true,
    stdio: "ignore",
  });
  watchdog.on("error", () => {
    // No sh: the afterAll and exit hooks still clean up normal runs.
  });
  watchdog.unref();
}

async function readReadyUrl(stdout: ReadableStream<Uint8Array>, name: string, timeoutMs: number): Promise<string> {
  const ready = new RegExp(`${name} ready on (http:\\/\\/\\S+)`);
  const reader = stdout.getReader();
  const decoder = new TextDecoder();
  let seen = "";
  const timer = setTimeout(() => void reader.cancel("timeout"), timeoutMs);
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += decoder.decode(value, { stream: true });
      const match = ready.exec(seen);
      if (match?.[1]) {
        // Keep draining so a chatty shim never blocks on a full pipe.
        void (async () => {
          while (!(await reader.read().catch(() => ({ done: true }))).done) {}
        })();
        return match[1];
      }
    }
  } finally {
    clearTimeout(timer);
  }
  throw new Error(`no ready line within ${timeoutMs} ms (stdout: ${JSON.stringify(seen.slice(-500))})`);
}

/** Reads a stream to its end, keeping only the last few KB for error messages. */
function drainToTail(stream: ReadableStream<Uint8Array>): { tail(): Promise<string> } {
  let text = "";
  const done = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      text = (text + decoder.decode(chunk, { stream: true })).slice(-4_096);
    }
  })().catch(() => undefined);
  return {
    async tail() {
      await Promise.race([done, Bun.sleep(500)]);
      return text;
    },
  };
}
