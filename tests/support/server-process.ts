/**
 * Runs `bun src/server.ts` as a real child process on a free loopback port, for end-to-end tests
 * over HTTP. Every process started here is killed when the test run ends.
 */
import { findFreePort } from "../../src/ops/redis-server.ts";

export interface ServerProcess {
  url: string;
  port: number;
  /** The server's process id, e.g. to read its memory use from /proc. */
  pid: number;
  /** Everything the server printed, for assertions on logs. */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number>;
}

const running = new Set<ReturnType<typeof Bun.spawn>>();
process.on("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/**
 * Starts the server with `env` (merged over a minimal environment) and waits until `/health`
 * answers. `PUBLIC_BASE_URL` defaults to the server's own loopback URL.
 *
 * @example
 * ```ts
 * const server = await startServer({ TWILIO_AUTH_TOKEN: "secret", CACHE_L2: "redis", REDIS_URL: url });
 * await fetch(`${server.url}/health`);
 * ```
 */
export async function startServer(
  env: Record<string, string>,
  options: { port?: number; waitMs?: number; /** Default `bun src/server.ts`; e.g. `deno task server`. */ command?: string[] } = {},
): Promise<ServerProcess> {
  const port = options.port ?? (await findFreePort());
  const url = `http://127.0.0.1:${port}`;
  const child = Bun.spawn(options.command ?? ["bun", "src/server.ts"], {
    cwd: `${import.meta.dir}/../..`,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", PORT: String(port), HOST: "127.0.0.1", PUBLIC_BASE_URL: url, ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  running.add(child);
  let text = "";
  const decoder = new TextDecoder();
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) text += decoder.decode(chunk, { stream: true });
  };
  void drain(child.stdout);
  void drain(child.stderr);

  const until = Date.now() + (options.waitMs ?? 15_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before answering:\n${text}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) {
      child.kill("SIGKILL");
      throw new Error(`server did not answer /health in time:\n${text}`);
    }
    await Bun.sleep(50);
  }
  const stopped = child.exited.then((code) => {
    running.delete(child);
    return code;
  });

  return {
    url,
    port,
    pid: child.pid,
    output: () => text,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null) child.kill(signal);
      return stopped;
    },
  };
}

/** Runs the server to completion (for start-up failures) and returns its exit code and output. */
export async function runServerToExit(env: Record<string, string>, timeoutMs = 10_000): Promise<{ code: number; output: string }> {
  const child = Bun.spawn(["bun", "src/server.ts"], {
    cwd: `${import.meta.dir}/../..`,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", HOST: "127.0.0.1", PORT: "0", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  clearTimeout(timer);
  return { code, output: out + err };
}
