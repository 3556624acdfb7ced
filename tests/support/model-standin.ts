/**
 * A stand-in for an OpenAI-compatible model server, for tests and benchmarks. It is a TEST DOUBLE:
 * no language model can run on these machines, so this process answers deterministically from the
 * request instead of generating text. What it does copy exactly is the wire format the official
 * `openai` client speaks (../../shared/FACTS.md "Model APIs"):
 *
 * - `POST /v1/chat/completions`: `chat.completion` JSON, or with `stream: true` server-sent
 *   `data: {chat.completion.chunk}` events, a last chunk with `finish_reason: "stop"`, with
 *   `stream_options.include_usage` a usage chunk with `choices: []`, then `data: [DONE]`.
 * - `POST /v1/embeddings`: `input` a string or a list of strings, `encoding_format` float or base64
 *   (the official client asks for base64 by default).
 * - Bearer auth (401 with an OpenAI error body), `Retry-After` on 429.
 *
 * Answers: the last user message is the question; the "facts" are the lines of the system prompt
 * after a line starting with `Facts` (or every line when there is none). The fact sharing the most
 * content words with the question is the answer (for a `Q: … A: …` line, the part after `A:`);
 * with no overlap of at least two words (one for a one-word question) the answer is the don't-know
 * marker the prompt asks for (`… exactly "<marker>"`), or "I don't know." without one.
 *
 * Embeddings: hashed bag of words. Every content word (lower-cased, crudely stemmed) is hashed
 * to one of `dimensions` (default 256) slots with a hashed sign, and the vector is normalised, so
 * paraphrases that share words are close in cosine and unrelated sentences are near 0. It is a
 * stand-in for a real embedding model, good for exercising a semantic cache, not for judging one.
 *
 * Control (tests only, same bearer key): `POST /__control` with JSON
 * `{ reset?, firstChunkDelayMs?, tokensPerSecond?, fail?: { status, count?, forMs?, retryAfterSeconds? },
 *    stall?: { count?, forMs?, afterChunks? }, reply?: { text, count? } }`
 * and `GET /__requests` → `{ total, chat, embeddings, log: [...] }` to count model calls.
 * `fail` answers the next `count` requests (or all for `forMs`) with `status`; `stall` accepts the
 * next requests and never answers (or, with `afterChunks`, stops a stream after that many chunks);
 * `reply` makes the next `count` completions say `text` whatever the facts say.
 *
 *   bun tests/support/model-standin.ts --port 0 --key sk-test
 *   → prints "model-standin ready on http://127.0.0.1:<port>"; the client's base URL is that plus /v1
 */
import { parseArgs } from "node:util";

/** One request as the stand-in saw it, for tests that count or inspect model calls. */
export interface StandinRequestLog {
  readonly seq: number;
  readonly path: string;
  readonly model: string | null;
  readonly stream: boolean;
  /** What it did: the HTTP status it answered, or "stalled". */
  readonly outcome: number | "stalled";
  /** True once the client went away before the answer was complete (an abort, a barge-in). */
  readonly clientAborted: boolean;
  /** The last user message of a chat request (tests only; this process never logs it anywhere). */
  readonly question: string | null;
  /** The system prompt of a chat request, so tests can check the grounding that was sent. */
  readonly system: string | null;
  /** How many texts an embeddings request carried. */
  readonly inputs: number;
}

/** The body of `POST /__control`. Fields left out keep their current setting. */
export interface StandinControl {
  /** Clears every setting below and the request log first. */
  readonly reset?: boolean;
  readonly firstChunkDelayMs?: number;
  /** Streamed tokens per second after the first chunk; 0 or absent sends them back to back. */
  readonly tokensPerSecond?: number;
  readonly fail?: { readonly status: number; readonly count?: number; readonly forMs?: number; readonly retryAfterSeconds?: number };
  readonly stall?: { readonly count?: number; readonly forMs?: number; readonly afterChunks?: number };
  readonly reply?: { readonly text: string; readonly count?: number };
}

/** The answer of `GET /__requests`. */
export interface StandinRequests {
  readonly total: number;
  readonly chat: number;
  readonly embeddings: number;
  readonly log: readonly StandinRequestLog[];
}

interface Budget {
  /** Requests left; Infinity with a time window. */
  left: number;
  until: number;
}

interface Settings {
  firstChunkDelayMs: number;
  tokensPerSecond: number;
  fail: (Budget & { status: number; retryAfterSeconds: number }) | null;
  stall: (Budget & { afterChunks: number | null }) | null;
  reply: { text: string; left: number } | null;
}

const STOPWORDS = new Set(
  ("a an the and or but if of to in on at by for with from as is are was were be been am do does did " +
    "i you we they he she it me my our your us them this that these those there here what which who " +
    "how when where why can could would should will shall may might must have has had not no yes so " +
    "please tell about any some").split(" "),
);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Lower-cased words with a crude stem, stopwords dropped: what answers and embeddings match on. */
export function contentWords(text: string): string[] {
  const words: string[] = [];
  for (const raw of text.toLowerCase().match(/[a-z0-9$]+(?:'[a-z]+)?/g) ?? []) {
    const word = raw.replace(/'[a-z]+$/, "");
    if (word.length === 0 || STOPWORDS.has(word)) continue;
    words.push(stem(word));
  }
  return words;
}

function stem(word: string): string {
  if (word.length > 5 && word.endsWith("ing")) return word.slice(0, -3);
  if (word.length > 4 && word.endsWith("ed")) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith("s")) return word.slice(0, -1);
  return word;
}

/** FNV-1a, 32 bits: a fixed hash so the same word lands in the same slot on every run. */
function fnv1a(text: string, seed = 0x811c9dc5): number {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** The hashed bag-of-words vector of `text`, unit length (an empty text gets the first axis). */
export function standinEmbedding(text: string, dimensions = 256): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (const word of contentWords(text)) {
    const slot = fnv1a(word) % dimensions;
    vector[slot]! += (fnv1a(word, 0x9747b28c) & 1) === 0 ? 1 : -1;
  }
  const norm = Math.hypot(...vector);
  if (norm === 0) {
    vector[0] = 1;
    return vector;
  }
  return vector.map((x) => x / norm);
}

/** The answer a model grounded on `system` would give to `question`, by word overlap. */
export function standinAnswer(system: string, question: string): string {
  const marker = /exactly:?\s*"([^"]+)"/i.exec(system)?.[1] ?? "I don't know.";
  const lines = system.split("\n").map((line) => line.trim());
  const factsAt = lines.findIndex((line) => /^facts\b/i.test(line));
  const facts = (factsAt >= 0 ? lines.slice(factsAt + 1) : lines).filter((line) => line.length > 0);
  const asked = new Set(contentWords(question));
  let best: { score: number; text: string } = { score: 0, text: marker };
  for (const line of facts) {
    const score = new Set(contentWords(line).filter((word) => asked.has(word))).size;
    if (score > best.score) {
      const fact = line.replace(/^[-*]\s*/, "");
      const answerAt = fact.search(/\bA:\s/);
      best = { score, text: answerAt >= 0 ? fact.slice(answerAt + 2).trim() : fact };
    }
  }
  return best.score >= Math.min(2, asked.size) && best.score > 0 ? best.text : marker;
}

/** Splits an answer into streamed tokens: words with their leading space, as models stream them. */
function tokensOf(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [];
}

function roughTokenCount(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function errorBody(status: number, message: string, type: string, code: string | null): Response {
  return Response.json({ error: { message, type, param: null, code } }, { status });
}

interface ChatBody {
  model?: unknown;
  messages?: unknown;
  stream?: unknown;
  stream_options?: { include_usage?: unknown } | null;
}

interface EmbeddingsBody {
  model?: unknown;
  input?: unknown;
  encoding_format?: unknown;
  dimensions?: unknown;
}

function messageText(messages: unknown, role: string, which: "first" | "last"): string | null {
  if (!Array.isArray(messages)) return null;
  const matching = messages.filter((m): m is { role: string; content: unknown } => typeof m === "object" && m !== null && (m as { role?: unknown }).role === role);
  const message = which === "first" ? matching[0] : matching[matching.length - 1];
  if (message === undefined) return null;
  if (typeof message.content === "string") return message.content;
  if (Array.isArray(message.content)) {
    return message.content.map((part: unknown) => (typeof part === "object" && part !== null && typeof (part as { text?: unknown }).text === "string" ? (part as { text: string }).text : "")).join("");
  }
  return null;
}

function float32Base64(vector: readonly number[]): string {
  return Buffer.from(new Float32Array(vector).buffer).toString("base64");
}

class ModelStandin {
  private settings: Settings = ModelStandin.defaults();
  private log: StandinRequestLog[] = [];
  private seq = 0;
  /** Resolvers of stalled requests, released on reset and shutdown so nothing hangs the process. */
  private readonly stalled = new Set<() => void>();

  constructor(private readonly key: string) {}

  private static defaults(): Settings {
    return { firstChunkDelayMs: 0, tokensPerSecond: 0, fail: null, stall: null, reply: null };
  }

  async handle(req: Request): Promise<Response> {
    const path = new URL(req.url).pathname;
    const authorized = req.headers.get("authorization") === `Bearer ${this.key}`;
    if (path === "/__control" || path === "/__requests") {
      if (!authorized) return errorBody(401, "control needs the stand-in's key", "invalid_request_error", "invalid_api_key");
      if (path === "/__requests") return Response.json(this.requests());
      return this.control(req);
    }
    if (req.method !== "POST") return errorBody(405, `${req.method} is not supported`, "invalid_request_error", null);
    const isChat = path === "/v1/chat/completions";
    const isEmbeddings = path === "/v1/embeddings";
    if (!isChat && !isEmbeddings) return errorBody(404, `Unknown path ${path}`, "invalid_request_error", "unknown_url");

    const body = (await req.json().catch(() => null)) as (ChatBody & EmbeddingsBody) | null;
    const entry = {
      seq: ++this.seq,
      path,
      model: typeof body?.model === "string" ? body.model : null,
      stream: isChat && body?.stream === true,
      question: isChat ? messageText(body?.messages, "user", "last") : null,
      system: isChat ? messageText(body?.messages, "system", "first") : null,
      inputs: isEmbeddings ? (Array.isArray(body?.input) ? body.input.length : typeof body?.input === "string" ? 1 : 0) : 0,
    };
    let finished = false;
    const logged = { ...entry, outcome: 0 as number | "stalled", clientAborted: false };
    req.signal.addEventListener("abort", () => void (logged.clientAborted ||= !finished), { once: true });
    const record = (outcome: number | "stalled", done = true) => {
      logged.outcome = outcome;
      finished = done;
      this.log.push(logged);
    };

    if (!authorized) {
      record(401);
      return errorBody(401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key");
    }
    if (body === null || typeof body !== "object") {
      record(400);
      return errorBody(400, "We could not parse the JSON body of your request.", "invalid_request_error", null);
    }
    const failure = this.take("fail");
    if (failure) {
      record(failure.status);
      const res = errorBody(failure.status, `Simulated error ${failure.status} (model stand-in control)`, failure.status === 429 ? "rate_limit_error" : "server_error", failure.status === 429 ? "rate_limit_exceeded" : null);
      if (failure.status === 429) res.headers.set("retry-after", String(failure.retryAfterSeconds));
      return res;
    }
    const stall = this.take("stall");
    if (stall && stall.afterChunks === null) {
      record("stalled", false);
      await this.hold(req.signal);
      return new Response(null, { status: 499 });
    }
    if (isEmbeddings) {
      const res = this.embeddings(body);
      record(res.status);
      return res;
    }
    const streamed = body.stream === true;
    const res = this.chat(body, req.signal, stall?.afterChunks ?? null, () => void (finished = true));
    record(res.status, !streamed || res.status !== 200);
    return res;
  }

  /** Consumes one request of a `fail` or `stall` budget; null when none applies now. */
  private take<K extends "fail" | "stall">(kind: K): Settings[K] {
    const setting = this.settings[kind];
    if (setting === null) return null as Settings[K];
    if (Date.now() >= setting.until || setting.left <= 0) {
      this.settings[kind] = null as Settings[K];
      return null as Settings[K];
    }
    setting.left--;
    return setting;
  }

  private hold(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const release = () => {
        this.stalled.delete(release);
        resolve();
      };
      this.stalled.add(release);
      signal.addEventListener("abort", release, { once: true });
    });
  }

  releaseStalled(): void {
    for (const release of [...this.stalled]) release();
  }

  private async control(req: Request): Promise<Response> {
    const body = (await req.json().catch(() => null)) as StandinControl | null;
    if (body === null || typeof body !== "object") return errorBody(400, "control expects a JSON object", "invalid_request_error", null);
    if (body.reset) {
      this.settings = ModelStandin.defaults();
      this.log = [];
      this.releaseStalled();
    }
    const window = (count: number | undefined, forMs: number | undefined): Budget => ({
      left: count ?? (forMs === undefined ? 1 : Number.POSITIVE_INFINITY),
      until: forMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + forMs,
    });
    if (typeof body.firstChunkDelayMs === "number") this.settings.firstChunkDelayMs = Math.max(0, body.firstChunkDelayMs);
    if (typeof body.tokensPerSecond === "number") this.settings.tokensPerSecond = Math.max(0, body.tokensPerSecond);
    if (body.fail) {
      this.settings.fail = { ...window(body.fail.count, body.fail.forMs), status: body.fail.status, retryAfterSeconds: body.fail.retryAfterSeconds ?? 1 };
    }
    if (body.stall) this.settings.stall = { ...window(body.stall.count, body.stall.forMs), afterChunks: body.stall.afterChunks ?? null };
    if (body.reply) this.settings.reply = { text: body.reply.text, left: body.reply.count ?? 1 };
    return Response.json({ ok: true });
  }

  private requests(): StandinRequests {
    const count = (path: string) => this.log.filter((entry) => entry.path === path).length;
    return { total: this.log.length, chat: count("/v1/chat/completions"), embeddings: count("/v1/embeddings"), log: this.log };
  }

  private answerFor(body: ChatBody): string {
    const reply = this.settings.reply;
    if (reply !== null && reply.left > 0) {
      reply.left--;
      return reply.text;
    }
    return standinAnswer(messageText(body.messages, "system", "first") ?? "", messageText(body.messages, "user", "last") ?? "");
  }

  /** `onComplete` runs when a streamed answer has been sent to its end. */
  private chat(body: ChatBody, signal: AbortSignal, stallAfterChunks: number | null, onComplete: () => void): Response {
    if (!Array.isArray(body.messages) || body.messages.length === 0) {
      return errorBody(400, "'messages' must be a non-empty array", "invalid_request_error", null);
    }
    const model = typeof body.model === "string" ? body.model : "standin";
    const answer = this.answerFor(body);
    const promptTokens = roughTokenCount(JSON.stringify(body.messages));
    const tokens = tokensOf(answer);
    const usage = { prompt_tokens: promptTokens, completion_tokens: tokens.length, total_tokens: promptTokens + tokens.length };
    const id = `chatcmpl-standin-${this.seq}`;
    const created = Math.floor(Date.now() / 1000);
    if (body.stream !== true) {
      const completion = {
        id,
        object: "chat.completion",
        created,
        model,
        choices: [{ index: 0, message: { role: "assistant", content: answer, refusal: null }, logprobs: null, finish_reason: "stop" }],
        usage,
      };
      const { firstChunkDelayMs } = this.settings;
      if (firstChunkDelayMs === 0) return Response.json(completion);
      // A non-streamed answer arrives whole, after the first-chunk delay and the time to "generate" it.
      const body$ = new ReadableStream<Uint8Array>({
        start: async (controller) => {
          await sleep(firstChunkDelayMs + this.gapMs() * tokens.length);
          controller.enqueue(new TextEncoder().encode(JSON.stringify(completion)));
          controller.close();
        },
      });
      return new Response(body$, { headers: { "content-type": "application/json" } });
    }

    const includeUsage = body.stream_options?.include_usage === true;
    const chunk = (delta: object, finish: string | null) => ({
      id,
      object: "chat.completion.chunk",
      created,
      model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...(includeUsage ? { usage: null } : {}),
    });
    const encoder = new TextEncoder();
    const settings = { ...this.settings };
    const stream = new ReadableStream<Uint8Array>({
      start: async (controller) => {
        let sent = 0;
        const send = (data: unknown) => {
          if (signal.aborted) return false;
          controller.enqueue(encoder.encode(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`));
          return true;
        };
        try {
          if (settings.firstChunkDelayMs > 0) await sleep(settings.firstChunkDelayMs);
          send(chunk({ role: "assistant", content: "", refusal: null }, null));
          for (const token of tokens) {
            if (stallAfterChunks !== null && sent >= stallAfterChunks) {
              await this.hold(signal);
              controller.close();
              return;
            }
            if (sent > 0) await sleep(this.gapMs(settings));
            if (!send(chunk({ content: token }, null))) break;
            sent++;
          }
          send(chunk({}, "stop"));
          if (includeUsage) send({ id, object: "chat.completion.chunk", created, model, choices: [], usage });
          if (send("[DONE]")) onComplete();
          controller.close();
        } catch {
          // the client went away mid-stream
        }
      },
    });
    return new Response(stream, { headers: { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" } });
  }

  private gapMs(settings: Settings = this.settings): number {
    return settings.tokensPerSecond > 0 ? 1000 / settings.tokensPerSecond : 0;
  }

  private embeddings(body: EmbeddingsBody): Response {
    const inputs = typeof body.input === "string" ? [body.input] : body.input;
    if (!Array.isArray(inputs) || inputs.length === 0 || !inputs.every((input) => typeof input === "string")) {
      return errorBody(400, "'input' must be a string or a non-empty array of strings", "invalid_request_error", null);
    }
    const dimensions = typeof body.dimensions === "number" && body.dimensions > 0 ? Math.floor(body.dimensions) : 256;
    const base64 = body.encoding_format === "base64";
    const data = (inputs as string[]).map((input, index) => {
      const vector = standinEmbedding(input, dimensions);
      return { object: "embedding", index, embedding: base64 ? float32Base64(vector) : vector };
    });
    const tokens = (inputs as string[]).reduce((n, input) => n + roughTokenCount(input), 0);
    return Response.json({
      object: "list",
      data,
      model: typeof body.model === "string" ? body.model : "standin-embeddings",
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "0" },
      host: { type: "string", default: "127.0.0.1" },
      key: { type: "string" },
    },
  });
  if (!values.key) {
    console.error("usage: bun tests/support/model-standin.ts --port P --key K");
    process.exit(2);
  }
  const standin = new ModelStandin(values.key);
  const server = Bun.serve({
    hostname: values.host,
    port: Number(values.port),
    // Stalls and slow streams must not be cut by the idle timer.
    idleTimeout: 0,
    fetch: (req) => standin.handle(req),
  });
  const shutdown = async () => {
    standin.releaseStalled();
    await server.stop(true);
    process.exit(0);
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
  console.log(`model-standin ready on http://${values.host}:${server.port}`);
}

if (import.meta.main) await main();
