/**
 * A test stand-in for the Upstash Redis REST API in front of a real redis-server, exactly as wide
 * as @upstash/redis 1.39 needs: `/` (one command), `/pipeline`, `/multi-exec`, base64 replies on
 * request, and pub/sub as server-sent events on `/subscribe/<channel>`.
 *
 * Runs as its own process because it changes ioredis's process-wide reply transformers:
 *
 *   bun tests/support/upstash-shim.ts --port 0 --redis redis://127.0.0.1:6390 --token secret
 *   → prints "upstash-shim ready on http://127.0.0.1:<port>"
 *
 * `POST /__shim/fault` (same bearer token) with `{ "mode": "ok" | "stall" | "error500", "ms"?: n }`
 * simulates an outage of the REST endpoint for chaos tests: `stall` holds every data request for
 * `ms` before answering, `error500` answers 500 to every data request. It is a test double of a
 * real outage, not something Upstash offers.
 */
import { Command, Redis } from "ioredis";
import { parseArgs } from "node:util";
import { sleep } from "../../src/util/sleep.ts";

type JsonValue = string | number | boolean | null | JsonValue[];
type FaultMode = "ok" | "stall" | "error500";

/** Commands Upstash REST does not serve: blocking ones, connection state, cluster and admin. */
const UNSUPPORTED_COMMANDS = new Set([
  "blpop", "brpop", "brpoplpush", "blmove", "blmpop", "bzpopmin", "bzpopmax", "bzmpop",
  "wait", "waitaof", "watch", "unwatch", "multi", "exec", "discard",
  "select", "swapdb", "move", "cluster", "asking", "readonly", "readwrite",
  "subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe",
  "monitor", "sync", "psync", "replicaof", "slaveof", "failover", "shutdown", "debug",
  "hello", "auth", "quit", "reset", "client",
]);

/** A request the shim refuses with 400, like Upstash does. */
class BadRequest extends Error {}

/** Turns one JSON command (`["set","k",1]`) into string arguments, refusing what Upstash lacks. */
function toCommandArgs(command: unknown): [string, ...string[]] {
  if (!Array.isArray(command) || command.length === 0) {
    throw new BadRequest("ERR a command must be a non-empty JSON array");
  }
  const args = command.map((part: unknown) => {
    if (typeof part === "string") return part;
    if (typeof part === "number" || typeof part === "boolean") return String(part);
    throw new BadRequest(`ERR command arguments must be strings, numbers or booleans`);
  });
  const name = args[0]!.toLowerCase();
  const blockingRead =
    (name === "xread" || name === "xreadgroup") && args.some((arg) => arg.toLowerCase() === "block");
  if (UNSUPPORTED_COMMANDS.has(name) || blockingRead) {
    throw new BadRequest(`ERR Command is not available: '${args[0]}'`);
  }
  return args as [string, ...string[]];
}

/** RESP2 reply → JSON, every string base64-encoded when the client asked for it. */
function encodeReply(value: unknown, base64: boolean): JsonValue {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return value;
  if (typeof value === "string") return base64 ? Buffer.from(value, "utf8").toString("base64") : value;
  if (Buffer.isBuffer(value)) return encodeReply(value.toString("utf8"), base64);
  if (Array.isArray(value)) return value.map((item) => encodeReply(item, base64));
  if (value instanceof Error) return encodeReply(value.message, base64);
  return encodeReply(String(value), base64);
}

/** A Redis error reply (bad arguments, wrong type) as opposed to a connection failure. */
function isReplyError(error: unknown): error is Error {
  return error instanceof Error && error.name === "ReplyError";
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function json(status: number, body: unknown): Response {
  return Response.json(body, { status });
}

class UpstashShim {
  private fault: { mode: FaultMode; ms: number } = { mode: "ok", ms: 0 };
  /** Serializes transactions so nothing interleaves between MULTI and EXEC. */
  private transactionQueue: Promise<unknown> = Promise.resolve();
  private readonly subscribers = new Set<Redis>();

  constructor(
    private readonly redisUrl: string,
    private readonly token: string,
    private readonly data: Redis,
    private readonly transactions: Redis,
  ) {}

  /** A connection that speaks RESP2 (Upstash replies have RESP2 shapes) and fails fast when Redis is down. */
  static connection(redisUrl: string): Redis {
    const redis = new Redis(redisUrl, {
      protocol: 2,
      lazyConnect: true,
      enableAutoPipelining: false,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
      retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
    });
    redis.on("error", (error: Error) => console.error(`upstash-shim: redis: ${error.message}`));
    return redis;
  }

  async handle(req: Request): Promise<Response> {
    if (req.method !== "POST") return json(405, { error: "ERR only POST is supported" });
    if (req.headers.get("authorization") !== `Bearer ${this.token}`) {
      return json(401, { error: "Unauthorized" });
    }
    const path = new URL(req.url).pathname;
    if (path === "/__shim/fault") return this.setFault(req);

    if (this.fault.mode === "error500") return json(500, { error: "ERR simulated outage (shim fault error500)" });
    if (this.fault.mode === "stall") await sleep(this.fault.ms);

    const base64 = req.headers.get("upstash-encoding")?.toLowerCase() === "base64";
    try {
      if (path === "/") return await this.single(await req.json(), base64);
      if (path === "/pipeline") return await this.pipeline(await req.json(), base64);
      if (path === "/multi-exec") return await this.multiExec(await req.json(), base64);
      if (path.startsWith("/subscribe/")) return await this.subscribe(req, "subscribe", path);
      if (path.startsWith("/psubscribe/")) return await this.subscribe(req, "psubscribe", path);
      return json(404, { error: `ERR unknown path ${path}` });
    } catch (error) {
      if (error instanceof BadRequest || error instanceof SyntaxError || isReplyError(error)) {
        return json(400, { error: errorMessage(error) });
      }
      return json(500, { error: `ERR backing redis failed: ${errorMessage(error)}` });
    }
  }

  private async setFault(req: Request): Promise<Response> {
    const body = (await req.json().catch(() => null)) as { mode?: unknown; ms?: unknown } | null;
    const mode = body?.mode;
    if (mode !== "ok" && mode !== "stall" && mode !== "error500") {
      return json(400, { error: 'ERR mode must be "ok", "stall" or "error500"' });
    }
    const ms = typeof body?.ms === "number" && body.ms >= 0 ? body.ms : 10_000;
    this.fault = { mode, ms };
    return json(200, { result: "OK" });
  }

  private async single(body: unknown, base64: boolean): Promise<Response> {
    const [name, ...args] = toCommandArgs(body);
    return json(200, { result: encodeReply(await this.data.call(name, ...args), base64) });
  }

  /** In order on the shared connection; not atomic, like Upstash pipelines. */
  private async pipeline(body: unknown, base64: boolean): Promise<Response> {
    const commands = toCommandList(body);
    const settled = await Promise.allSettled(commands.map(([name, ...args]) => this.data.call(name, ...args)));
    const entries = settled.map((outcome) => {
      if (outcome.status === "fulfilled") return { result: encodeReply(outcome.value, base64) };
      if (isReplyError(outcome.reason)) return { error: outcome.reason.message };
      throw outcome.reason;
    });
    return json(200, entries);
  }

  /** MULTI, the commands and EXEC written back to back on the transaction connection. */
  private async multiExec(body: unknown, base64: boolean): Promise<Response> {
    const commands = toCommandList(body);
    const run = async () => {
      const conn = this.transactions;
      const queued = [
        conn.call("multi"),
        ...commands.map(([name, ...args]) => conn.call(name, ...args)),
      ];
      const exec = conn.call("exec");
      // Queueing errors surface through EXEC (EXECABORT); settle all so none goes unhandled.
      await Promise.allSettled([...queued, exec]);
      return exec;
    };
    const result = this.transactionQueue.then(run, run);
    this.transactionQueue = result.catch(() => undefined);
    const replies = await result;
    if (!Array.isArray(replies)) return json(400, { error: "ERR transaction was aborted" });
    return json(
      200,
      replies.map((reply: unknown) =>
        reply instanceof Error ? { error: reply.message } : { result: encodeReply(reply, base64) },
      ),
    );
  }

  /**
   * Server-sent events: `data: subscribe,<channel>,1`, then `data: message,<channel>,<payload>` per
   * message (payload raw, as Upstash sends it), on a dedicated Redis connection that is closed as
   * soon as the client goes away.
   */
  private async subscribe(req: Request, kind: "subscribe" | "psubscribe", path: string): Promise<Response> {
    const target = decodeURIComponent(path.slice(kind.length + 2));
    if (!target) throw new BadRequest("ERR missing channel");
    const sub = UpstashShim.connection(this.redisUrl);
    this.subscribers.add(sub);
    const pending: string[] = [];
    let emit = (line: string) => void pending.push(line);
    sub.on("message", (channel: string, message: string) => emit(`message,${channel},${message}`));
    sub.on("pmessage", (pattern: string, channel: string, message: string) =>
      emit(`pmessage,${pattern},${channel},${message}`),
    );
    let count: unknown;
    try {
      await sub.connect();
      count = kind === "subscribe" ? await sub.subscribe(target) : await sub.psubscribe(target);
    } catch (error) {
      this.subscribers.delete(sub);
      sub.disconnect();
      throw error;
    }

    const encoder = new TextEncoder();
    let closed = false;
    let controllerRef: ReadableStreamDefaultController<Uint8Array> | undefined;
    const close = () => {
      if (closed) return;
      closed = true;
      this.subscribers.delete(sub);
      sub.disconnect();
      try {
        controllerRef?.close();
      } catch {
        // already closed by the client going away
      }
    };
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controllerRef = controller;
        emit = (line) => {
          if (closed) return;
          try {
            controller.enqueue(encoder.encode(`data: ${line}\n\n`));
          } catch {
            close();
          }
        };
        emit(`${kind},${target},${String(count)}`);
        for (const line of pending.splice(0)) emit(line);
      },
      cancel: close,
    });
    req.signal.addEventListener("abort", close);
    sub.once("end", close);
    return new Response(stream, {
      headers: {
        "Content-Type": "text/event-stream",
        "Cache-Control": "no-cache",
        Connection: "keep-alive",
      },
    });
  }

  async close(): Promise<void> {
    for (const sub of this.subscribers) sub.disconnect();
    this.data.disconnect();
    this.transactions.disconnect();
  }
}

function toCommandList(body: unknown): Array<[string, ...string[]]> {
  if (!Array.isArray(body) || body.length === 0) {
    throw new BadRequest("ERR expected a non-empty JSON array of commands");
  }
  return body.map(toCommandArgs);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "0" },
      host: { type: "string", default: "127.0.0.1" },
      redis: { type: "string" },
      token: { type: "string" },
    },
  });
  if (!values.redis || !values.token) {
    console.error("usage: bun tests/support/upstash-shim.ts --port P --redis redis://127.0.0.1:Q --token T");
    process.exit(2);
  }
  // Upstash returns HGETALL as a flat array; ioredis would turn it into an object for every caller.
  Command.setReplyTransformer("hgetall", (reply: unknown) => reply);

  const data = UpstashShim.connection(values.redis);
  const transactions = UpstashShim.connection(values.redis);
  try {
    await Promise.all([data.connect(), transactions.connect()]);
  } catch (error) {
    console.error(`upstash-shim: cannot reach ${values.redis}: ${errorMessage(error)}`);
    process.exit(1);
  }
  const shim = new UpstashShim(values.redis, values.token, data, transactions);
  const server = Bun.serve({
    hostname: values.host,
    port: Number(values.port),
    // Stalled requests and event streams must not be cut by the idle timer.
    idleTimeout: 0,
    fetch: (req) => shim.handle(req),
  });
  const shutdown = async () => {
    await server.stop(true);
    await shim.close();
    process.exit(0);
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
  console.log(`upstash-shim ready on http://${values.host}:${server.port}`);
}

if (import.meta.main) await main();
