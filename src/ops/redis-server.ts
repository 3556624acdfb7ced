/**
 * Launches real `redis-server` processes on loopback ports: for the test suite and for the
 * `bun run cluster` CLI. Nothing here runs at import time.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
} from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

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

const DEFAULT_HOST = "127.0.0.1";
const STOP_GRACE_MS = 15_000;

/**
 * Whether a process with this pid exists and has not exited. A zombie counts as exited: an
 * orphaned server that nobody reaps stays in the process table after it is gone.
 *
 * @example if (!isProcessAlive(server.pid)) console.log("stopped");
 */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  try {
    // "pid (comm) S ...": the state letter follows the last ")" (comm may contain spaces or parens).
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    // No /proc (macOS), or the process ended in between: trust the signal check.
    return true;
  }
}

/**
 * What holds a TCP port, for error messages about a taken port: the listening process as
 * "name (pid N)" when `ss` or `lsof` can tell, else a connection that still uses the port as its
 * local end (a client's TIME-WAIT blocks a listener too). Undefined when nothing can be found out.
 *
 * @example describePortOwner(7000) // "redis-server (pid 4242)"
 */
export function describePortOwner(port: number): string | undefined {
  const ss = findExecutable("ss");
  if (ss) {
    const listener = /users:\(\("([^"]+)",pid=(\d+)/.exec(runQuietly(ss, ["-Hltnp", `sport = :${port}`]));
    if (listener) return `${listener[1]} (pid ${listener[2]})`;
    const connection = runQuietly(ss, ["-Htanp", `sport = :${port}`]).split("\n")[0]?.trim();
    const state = connection?.split(/\s+/)[0];
    if (state) {
      const user = /users:\(\("([^"]+)",pid=(\d+)/.exec(connection ?? "");
      return user
        ? `a connection of ${user[1]} (pid ${user[2]}, state ${state})`
        : `a connection in state ${state}${state === "TIME-WAIT" ? " (it goes away within a minute or two)" : ""}`;
    }
  }
  const lsof = findExecutable("lsof");
  if (lsof) {
    const out = runQuietly(lsof, ["-nP", `-iTCP:${port}`, "-sTCP:LISTEN", "-Fpc"]);
    const pid = /^p(\d+)$/m.exec(out)?.[1];
    const name = /^c(.+)$/m.exec(out)?.[1];
    if (pid) return `${name ?? "a process"} (pid ${pid})`;
  }
  return undefined;
}

function runQuietly(binary: string, args: string[]): string {
  try {
    const result = spawnSync(binary, args, { encoding: "utf8", timeout: 2_000, stdio: ["ignore", "pipe", "ignore"] });
    return result.stdout ?? "";
  } catch {
    return "";
  }
}

/**
 * Finds an executable on PATH, read at call time.
 *
 * @example findExecutable("redis-cli") // "/usr/bin/redis-cli" or undefined
 */
export function findExecutable(name: string): string | undefined {
  for (const entry of (process.env.PATH ?? "").split(delimiter)) {
    if (!entry) continue;
    const candidate = join(entry, name);
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not in this PATH entry
    }
  }
  return undefined;
}

/**
 * Returns the path of a Redis binary or throws an error that says how to install it.
 *
 * @example const cli = requireRedisBinary("redis-cli");
 */
export function requireRedisBinary(name: "redis-server" | "redis-cli"): string {
  const path = findExecutable(name);
  if (path) return path;
  throw new Error(
    `${name} was not found on PATH. Install Redis 7 first: on Debian/Ubuntu ` +
      "`apt-get install redis-server` (it also brings redis-cli), on macOS `brew install redis`.",
  );
}

/**
 * Whether `port` can be bound on `host` right now.
 *
 * @example if (await isPortFree(7000)) { ... }
 */
export function isPortFree(port: number, host = DEFAULT_HOST): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * A port that was free a moment ago. With `clusterBus`, port + 10000 (the cluster bus) is free too.
 *
 * @example const port = await findFreePort({ clusterBus: true });
 */
export async function findFreePort(opts: { host?: string; clusterBus?: boolean } = {}): Promise<number> {
  const host = opts.host ?? DEFAULT_HOST;
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = await bindEphemeralPort(host);
    if (!opts.clusterBus) return port;
    if (port + 10_000 <= 65_535 && (await isPortFree(port + 10_000, host))) return port;
  }
  throw new Error(`could not find a free port on ${host}`);
}

function bindEphemeralPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error("no port assigned"))));
    });
  });
}

/** A reply as the RESP2 protocol carries it; error replies inside arrays stay `Error` values. */
export type RespReply = string | number | null | Error | RespReply[];

/**
 * Sends one command over a fresh TCP connection and returns the reply. A top-level error reply
 * rejects. Meant for admin chatter (PING, INFO, CLUSTER NODES), not for the hot path.
 *
 * @example await redisCommand(6380, ["PING"]) // "PONG"
 */
export function redisCommand(
  port: number,
  args: readonly string[],
  opts: { host?: string; timeoutMs?: number } = {},
): Promise<RespReply> {
  const host = opts.host ?? DEFAULT_HOST;
  const timeoutMs = opts.timeoutMs ?? 2_000;
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    let settled = false;
    const socket = connect({ port, host });
    const finish = (error: Error | null, reply?: RespReply) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(reply ?? null);
    };
    const timer = setTimeout(
      () => finish(new Error(`redis ${host}:${port} did not answer ${args[0] ?? ""} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.once("error", (error) => finish(error));
    socket.once("close", () => finish(new Error(`redis ${host}:${port} closed the connection`)));
    socket.on("data", (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const parsed = parseResp(buffered, 0);
      if (!parsed) return;
      if (parsed.value instanceof Error) finish(parsed.value);
      else finish(null, parsed.value);
    });
    socket.write(encodeCommand(args));
  });
}

function encodeCommand(args: readonly string[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = Buffer.from(arg, "utf8");
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from("\r\n"));
  }
  return Buffer.concat(parts);
}

/** Parses one RESP2 value starting at `offset`; undefined while the buffer is incomplete. */
function parseResp(buf: Buffer, offset: number): { value: RespReply; next: number } | undefined {
  const lineEnd = buf.indexOf("\r\n", offset);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buf[offset] ?? 0);
  const line = buf.toString("utf8", offset + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case "+":
      return { value: line, next };
    case "-":
      return { value: new Error(line), next };
    case ":":
      return { value: Number(line), next };
    case "$": {
      const length = Number(line);
      if (length < 0) return { value: null, next };
      if (buf.length < next + length + 2) return undefined;
      return { value: buf.toString("utf8", next, next + length), next: next + length + 2 };
    }
    case "*": {
      const count = Number(line);
      if (count < 0) return { value: null, next };
      const items: RespReply[] = [];
      let cursor = next;
      for (let i = 0; i < count; i++) {
        const item = parseResp(buf, cursor);
        if (!item) return undefined;
        items.push(item.value);
        cursor = item.next;
      }
      return { value: items, next: cursor };
    }
    default:
      return { value: new Error(`unexpected RESP type byte ${JSON.stringify(type)}`), next };
  }
}

/**
 * Reads `field` out of an INFO or CLUSTER INFO text reply.
 *
 * @example infoField(await redisCommand(port, ["CLUSTER", "INFO"]), "cluster_state") // "ok"
 */
export function infoField(reply: RespReply, field: string): string | undefined {
  if (typeof reply !== "string") return undefined;
  const prefix = `${field}:`;
  for (const line of reply.split("\r\n")) {
    if (line.startsWith(prefix)) return line.slice(prefix.length).trim();
  }
  return undefined;
}

/** Last `lines` lines of a log file, for error messages. */
export function tailOfFile(path: string, lines = 20): string {
  try {
    const text = readFileSync(path, "utf8").trimEnd();
    return text.split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log written)";
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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
  const host = opts.host ?? DEFAULT_HOST;
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
  const host = opts.host ?? DEFAULT_HOST;
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

function sendSignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}
