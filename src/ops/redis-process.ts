/**
 * One managed `redis-server` process: started as a child (or adopted by pid from an earlier
 * process), and stopped, killed or restarted on the same port and dir. `redis-server.ts` builds
 * these; tests and the CLI see them as `RedisServerProcess`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdirSync, openSync, rmSync } from "node:fs";
import { sleep } from "../util/sleep.ts";
import { isProcessAlive, sendSignal, tailOfFile } from "./process.ts";
import { infoField, redisCommand } from "./resp.ts";

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

/** Everything a managed server needs, resolved once by `redis-server.ts`. */
export interface ManagedRedisServerConfig {
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

/**
 * A `redis-server` child process (or an adopted pid) behind the `RedisServerProcess` interface.
 *
 * @example const server = new ManagedRedisServer(config); await server.start(); await server.stop();
 */
export class ManagedRedisServer implements RedisServerProcess {
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
