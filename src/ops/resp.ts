/**
 * A minimal RESP2 client for admin chatter with the `redis-server` processes that the launcher
 * starts (PING, INFO, CLUSTER NODES, FLUSHALL): one command per fresh TCP connection, no pooling,
 * no pipelining. The product's own traffic goes through ioredis; this exists so that starting and
 * inspecting servers needs no client library and never shares a connection with the code under test.
 */
import { connect } from "node:net";

/** A reply as the RESP2 protocol carries it; error replies inside arrays stay `Error` values. */
export type RespReply = string | number | null | Error | RespReply[];

/** Options of one admin command. */
export interface RedisCommandOptions {
  /** Default `127.0.0.1`. */
  host?: string;
  /** How long the whole exchange may take. Default 2000 ms. */
  timeoutMs?: number;
}

/**
 * Sends one command over a fresh TCP connection and returns the reply. A top-level error reply
 * rejects. Meant for admin chatter (PING, INFO, CLUSTER NODES), not for the hot path.
 *
 * @example await redisCommand(6380, ["PING"]) // "PONG"
 */
export function redisCommand(port: number, args: readonly string[], opts: RedisCommandOptions = {}): Promise<RespReply> {
  const host = opts.host ?? "127.0.0.1";
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

/** A command as a RESP2 array of bulk strings. */
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
