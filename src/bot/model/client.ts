/**
 * The model client: any OpenAI-compatible chat-completions and embeddings endpoint (OpenAI, Groq,
 * Together, vLLM, Ollama, llama.cpp's server) through the official `openai` package. Timeouts,
 * retries and the breaker are ours: the package's own retries (2 by default, with backoff) and
 * 10-minute timeout would hold a caller on the line far past anything a phone call tolerates, so
 * it gets `maxRetries: 0` and an AbortSignal per request.
 *
 * - The hard timeout aborts the request and ends the call with `E_MODEL_TIMEOUT`.
 * - The soft timeout aborts nothing: when it passes before the first token, the stream yields one
 *   `soft_timeout` event, so a Gather turn can say "One moment" and redirect while the request
 *   keeps running to fill the answer cache, and a relay turn can speak a filler.
 */
import type OpenAI from "openai";
import { createModelBreaker, type ModelBreakerOptions, type ModelBreakerState } from "./breaker.ts";
import { beginCall, type ModelObserver, type TokenUsage } from "./call.ts";
import { ModelError } from "./errors.ts";

/** One message of a chat request. */
export interface ChatMessage {
  readonly role: "system" | "user" | "assistant";
  readonly content: string;
}

/** A finished completion: the whole text and what it cost. */
export interface ModelAnswer {
  readonly text: string;
  /** "stop" for a finished answer; "length" when `maxOutputTokens` cut it (do not speak it whole). */
  readonly finishReason: string;
  /** Absent when the provider sent no usage chunk. */
  readonly usage?: TokenUsage;
  /** From the request to the first text token; absent when no text came. */
  readonly firstChunkMs?: number;
  readonly durationMs: number;
}

/** What a streamed completion yields, in order: deltas (and at most one soft_timeout), then done. */
export type CompletionEvent =
  | { readonly type: "delta"; readonly text: string }
  | { readonly type: "soft_timeout"; readonly afterMs: number }
  | ({ readonly type: "done" } & ModelAnswer);

/** Vectors for texts, in the order given. */
export interface Embeddings {
  readonly vectors: number[][];
  readonly inputTokens?: number;
  readonly durationMs: number;
}

/** Options of {@link createModelClient}; read once at creation. */
export interface ModelClientOptions {
  /** The OpenAI-compatible base URL, e.g. `https://api.openai.com/v1` (LLM_BASE_URL). */
  readonly baseUrl: string;
  /** LLM_API_KEY. */
  readonly apiKey: string;
  /** The chat model name (LLM_MODEL). */
  readonly model: string;
  /** The embeddings model on the same base URL (EMBEDDINGS_MODEL); without it `embed` refuses. */
  readonly embeddingsModel?: string;
  /** LLM_SOFT_TIMEOUT_MS: when a turn stops waiting for the first token (default 1 500 in the issue). */
  readonly softTimeoutMs: number;
  /** LLM_HARD_TIMEOUT_MS: when a request is aborted. */
  readonly hardTimeoutMs: number;
  /** Caps an answer's length; a spoken answer is one or two sentences. Default 150. */
  readonly maxOutputTokens?: number;
  /** Sent only when set: some models refuse any value but their own. */
  readonly temperature?: number;
  readonly breaker?: ModelBreakerOptions;
  /** Told about every call when it ends (duration, first chunk, tokens, error): the metrics hook. */
  readonly observe?: ModelObserver;
  /** For tests and other runtimes; default the global fetch. */
  readonly fetch?: typeof fetch;
}

/** A configured model: stream a completion, get a whole answer, embed texts. */
export interface ModelClient {
  readonly model: string;
  readonly embeddingsModel: string | undefined;
  /** Streams a completion; throws a ModelError when it cannot finish (see errors.ts). */
  complete(messages: readonly ChatMessage[], signal?: AbortSignal): AsyncGenerator<CompletionEvent, void, undefined>;
  /** The whole answer of {@link ModelClient.complete}. */
  answer(messages: readonly ChatMessage[], signal?: AbortSignal): Promise<ModelAnswer>;
  embed(texts: readonly string[], signal?: AbortSignal): Promise<Embeddings>;
  /** Where the chat and embeddings breakers stand, for health and tests. */
  breakerState(): { readonly chat: ModelBreakerState; readonly embeddings: ModelBreakerState };
}

/**
 * Creates a model client.
 *
 * @example
 * ```ts
 * const model = createModelClient({ baseUrl: "http://127.0.0.1:8080/v1", apiKey: "sk-…", model: "gpt-4o-mini",
 *   softTimeoutMs: 1_500, hardTimeoutMs: 6_000 });
 * for await (const event of model.complete(messages, signal)) if (event.type === "delta") send(event.text);
 * ```
 */
export function createModelClient(options: ModelClientOptions): ModelClient {
  const { model, embeddingsModel, softTimeoutMs, hardTimeoutMs } = options;
  // The package is over 200 modules: imported only by a process that has a model, and from here
  // on, so it is loaded long before the first caller asks (a failed import fails each call).
  const client: Promise<OpenAI> = import("openai").then(
    ({ default: OpenAIClient }) =>
      new OpenAIClient({
        baseURL: options.baseUrl,
        apiKey: options.apiKey,
        maxRetries: 0,
        // Our hard timeout fires first; the package's own is only a backstop.
        timeout: hardTimeoutMs + 1_000,
        ...(options.fetch ? { fetch: options.fetch } : {}),
      }),
  );
  client.catch(() => undefined);
  const chatBreaker = createModelBreaker(options.breaker);
  const embeddingsBreaker = createModelBreaker(options.breaker);
  const maxTokens = options.maxOutputTokens ?? 150;
  const temperature = options.temperature;
  const chatCall = { operation: "chat", model, breaker: chatBreaker, hardTimeoutMs, observe: options.observe } as const;

  async function* complete(messages: readonly ChatMessage[], signal?: AbortSignal): AsyncGenerator<CompletionEvent, void, undefined> {
    const call = beginCall(chatCall, signal);
    let softTimer: ReturnType<typeof setTimeout> | undefined;
    const soft = new Promise<typeof SOFT>((resolve) => {
      softTimer = setTimeout(() => resolve(SOFT), softTimeoutMs);
    });
    let finished = false;
    try {
      const openai = await client;
      const opening = openai.chat.completions.create(
        {
          model,
          messages: messages.map(({ role, content }) => ({ role, content })),
          stream: true,
          stream_options: { include_usage: true },
          max_tokens: maxTokens,
          ...(temperature === undefined ? {} : { temperature }),
        },
        { signal: call.signal },
      );
      // Some servers send their headers only with the first token: the soft timeout covers that wait too.
      opening.catch(() => undefined);
      let waitingForFirst = true;
      let opened = await Promise.race([opening, soft]);
      if (opened === SOFT) {
        waitingForFirst = false;
        yield { type: "soft_timeout", afterMs: Math.round(call.elapsed()) };
        opened = await opening;
      }
      const chunks = opened[Symbol.asyncIterator]();
      let text = "";
      let firstChunkMs: number | undefined;
      let usage: TokenUsage | undefined;
      let finishReason: string | undefined;
      for (;;) {
        const pending = chunks.next();
        // Marked handled: an abort may reject it while the consumer holds a soft_timeout event.
        pending.catch(() => undefined);
        let next = waitingForFirst ? await Promise.race([pending, soft]) : await pending;
        if (next === SOFT) {
          waitingForFirst = false;
          yield { type: "soft_timeout", afterMs: Math.round(call.elapsed()) };
          next = await pending;
        }
        if (next.done) break;
        const chunk = next.value;
        if (chunk.usage) usage = { inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens };
        finishReason = chunk.choices[0]?.finish_reason ?? finishReason;
        const delta = chunk.choices[0]?.delta.content;
        if (delta) {
          firstChunkMs ??= call.elapsed();
          waitingForFirst = false;
          text += delta;
          yield { type: "delta", text: delta };
        }
      }
      // The package ends an aborted stream quietly, as if it were complete: a cut answer must not pass.
      if (call.signal.aborted) throw new DOMException("the stream was aborted", "AbortError");
      if (finishReason === undefined) throw new ModelError("E_MODEL_SERVER", "the stream ended before the answer did");
      finished = true;
      const figures = { ...(usage ? { usage } : {}), ...(firstChunkMs === undefined ? {} : { firstChunkMs }) };
      call.succeeded(figures);
      yield { type: "done", text, finishReason, ...figures, durationMs: call.elapsed() };
    } catch (error) {
      finished = true;
      throw call.failed(error);
    } finally {
      clearTimeout(softTimer);
      // The consumer stopped early (a barge-in): end the request, and learn nothing about the model.
      if (!finished) call.abandoned();
    }
  }

  return {
    model,
    embeddingsModel,
    complete,
    async answer(messages, signal) {
      for await (const event of complete(messages, signal)) if (event.type === "done") return event;
      throw new ModelError("E_MODEL_SERVER", "the stream ended without an answer");
    },
    async embed(texts, signal) {
      if (embeddingsModel === undefined) throw new ModelError("E_MODEL_NOT_CONFIGURED", "no embeddings model is configured");
      const call = beginCall({ operation: "embeddings", model: embeddingsModel, breaker: embeddingsBreaker, hardTimeoutMs, observe: options.observe }, signal);
      try {
        const openai = await client;
        const response = await openai.embeddings.create({ model: embeddingsModel, input: [...texts] }, { signal: call.signal });
        const vectors = [...response.data].sort((a, b) => a.index - b.index).map((item) => Array.from(item.embedding));
        if (vectors.length !== texts.length) throw new ModelError("E_MODEL_SERVER", `asked for ${texts.length} embeddings, got ${vectors.length}`);
        const inputTokens = response.usage?.prompt_tokens;
        call.succeeded(inputTokens === undefined ? {} : { usage: { inputTokens, outputTokens: 0 } });
        return { vectors, ...(inputTokens === undefined ? {} : { inputTokens }), durationMs: call.elapsed() };
      } catch (error) {
        throw call.failed(error);
      }
    },
    breakerState: () => ({ chat: chatBreaker.state(), embeddings: embeddingsBreaker.state() }),
  };
}

const SOFT = Symbol("soft timeout");
