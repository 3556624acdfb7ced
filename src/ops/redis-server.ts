/**
 * The lifecycle of real `redis-server` processes on loopback ports (start, adopt, stop, kill,
 * restart), for the test suite and the `bun run cluster` CLI. The RESP client (`resp.ts`) and the
 * process and port helpers (`process.ts`, `ports.ts`) are their own modules. Nothing here runs at
 * import time.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sleep } from "../util/sleep.ts";
import { findFreePort, LOOPBACK } from "./ports.ts";
import { findExecutable, isProcessAlive, requireRedisBinary, sendSignal, tailOfFile } from "./process.ts";
import { infoField, redisCommand } from "./resp.ts";

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

/** A running (or stopped, restartable) `redis-server` child process. */
export interface RedisServerProcess {
  readonly port: number;
  readonly host: string;
  /** `redis://host:port` */
  readonly url: string;
  readonly dir: string;
  readonly logFile: string;
  /** Pid of the current process; changes on restart. */
  readonly pid: number;
  /** SIGTERM and wait for the exit (SIGKILL if it takes longer than 15 s). */
  stop(): Promise<void>;
  /** SIGKILL and wait for the exit: a crash, as far as clients can tell. */
  kill(): Promise<void>;
  /** Stop if running, then start again on the same port with the same dir. */
  restart(): Promise<void>;
  isRunning(): boolean;
}

const STOP_GRACE_MS = 15_000;

/** Whether `promise` settles within `ms`; the timer is cleared so it never holds the process open. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
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

interface ManagedRedisServerConfig {
  binary: string;
  host: string;
  port: number;
  dir: string;
  ownsDir: boolean;
  logFile: string;
  args: string[];
  startTimeoutMs: number;
  detached: boolean;
}

class ManagedRedisServer implements RedisServerProcess {
  readonly port: number;
  readonly host: string;
  readonly url: string;
  readonly dir: string;
  readonly logFile: string;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  /** `adoptedPid`: a server started by another process, known only by its pid. */
  constructor(
    private readonly config: ManagedRedisServerConfig,
    private adoptedPid?: number,
  ) {
    this.port = config.port;
    this.host = config.host;
    this.url = `redis://${config.host}:${config.port}`;
    this.dir = config.dir;
    this.logFile = config.logFile;
  }

  get pid(): number {
    return this.child?.pid ?? this.adoptedPid ?? -1;
  }

  isRunning(): boolean {
    const child = this.child;
    if (child) return child.exitCode === null && child.signalCode === null;
    return this.adoptedPid !== undefined && isProcessAlive(this.adoptedPid);
  }

  async start(): Promise<void> {
    if (this.isRunning()) return;
    mkdirSync(this.config.dir, { recursive: true });
    const logFd = openSync(this.config.logFile, "a");
    let child: ChildProcess;
    try {
      // cwd = dir so that relative paths resolve there and the process is findable by its cwd.
      child = spawn(this.config.binary, this.config.args, {
        cwd: this.config.dir,
        stdio: ["ignore", logFd, logFd],
        detached: this.config.detached,
      });
    } finally {
      closeSync(logFd);
    }
    if (this.config.detached) child.unref();
    this.child = child;
    this.adoptedPid = undefined;
    this.exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once("exit", () => resolve());
    });
    let spawnError: Error | undefined;
    child.once("error", (error) => {
      spawnError = error;
    });
    await this.waitUntilReady(child, () => spawnError);
  }

  private async waitUntilReady(child: ChildProcess, spawnError: () => Error | undefined): Promise<void> {
    const deadline = Date.now() + this.config.startTimeoutMs;
    while (Date.now() < deadline) {
      const error = spawnError();
      if (error) throw new Error(`could not start redis-server: ${error.message}`);
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `redis-server on port ${this.port} exited during startup ` +
            `(code ${child.exitCode ?? child.signalCode}). Log tail:\n${tailOfFile(this.logFile)}`,
        );
      }
      if (await this.answersAsThisProcess(child)) return;
      await sleep(25);
    }
    child.kill("SIGKILL");
    await this.exited;
    throw new Error(
      `redis-server on port ${this.port} did not answer PING within ${this.config.startTimeoutMs} ms. ` +
        `Log tail:\n${tailOfFile(this.logFile)}`,
    );
  }

  /** PING answered by our own child, not by some other server that holds the port. */
  private async answersAsThisProcess(child: ChildProcess): Promise<boolean> {
    try {
      const pong = await redisCommand(this.port, ["PING"], { host: this.host, timeoutMs: 1_000 });
      if (pong !== "PONG") return false;
      const info = await redisCommand(this.port, ["INFO", "server"], { host: this.host, timeoutMs: 1_000 });
      return infoField(info, "process_id") === String(child.pid);
    } catch {
      return false;
    }
  }

  async stop(): Promise<void> {
    await this.signalAndWait("SIGTERM");
    if (this.config.ownsDir) rmSync(this.config.dir, { recursive: true, force: true });
  }

  async kill(): Promise<void> {
    await this.signalAndWait("SIGKILL");
  }

  async restart(): Promise<void> {
    await this.signalAndWait("SIGTERM");
    await this.start();
  }

  private async signalAndWait(signal: "SIGTERM" | "SIGKILL"): Promise<void> {
    const child = this.child;
    if (!child) return this.signalAdoptedAndWait(signal);
    if (!this.isRunning()) return;
    child.kill(signal);
    if (!(await settlesWithin(this.exited, STOP_GRACE_MS))) {
      child.kill("SIGKILL");
      await this.exited;
    }
  }

  /** Not our child, so no exit event: poll the pid instead. */
  private async signalAdoptedAndWait(signal: "SIGTERM" | "SIGKILL"): Promise<void> {
    const pid = this.adoptedPid;
    if (pid === undefined || !isProcessAlive(pid)) return;
    const goneWithin = async (ms: number) => {
      const deadline = Date.now() + ms;
      while (isProcessAlive(pid)) {
        if (Date.now() >= deadline) return false;
        await sleep(25);
      }
      return true;
    };
    sendSignal(pid, signal);
    if (await goneWithin(STOP_GRACE_MS)) return;
    sendSignal(pid, "SIGKILL");
    if (!(await goneWithin(5_000))) throw new Error(`redis-server pid ${pid} (port ${this.port}) did not exit`);
  }
}
