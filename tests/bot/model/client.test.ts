/**
 * The model client against the model stand-in, through the official `openai` package. The
 * stand-in is a test double (no language model can run on these machines): it speaks the real
 * wire format with deterministic answers, so what is tested here is our side — streaming, the
 * soft and hard timeouts, aborts, the breaker and the error codes.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import {
  createModelClient,
  isModelError,
  ModelError,
  type ChatMessage,
  type CompletionEvent,
  type ModelClientOptions,
  type ModelOperation,
} from "../../../src/bot/model/index.ts";
import { findFreePort } from "../../../src/ops/redis-server.ts";
import { startModelStandin, type ModelStandinProcess } from "../../support/servers.ts";
import { waitFor } from "../../support/wait.ts";

let standin: ModelStandinProcess;

const FACTS = [
  'Answer from the facts. If they do not answer, say exactly "NOT_IN_FACTS".',
  "Facts:",
  "- Q: Do you have parking? A: Yes, there is a free parking lot behind the building, and street parking after six.",
].join("\n");
const PARKING: ChatMessage[] = [
  { role: "system", content: FACTS },
  { role: "user", content: "Is there a parking lot?" },
];
const PARKING_ANSWER = "Yes, there is a free parking lot behind the building, and street parking after six.";

function client(overrides: Partial<ModelClientOptions> = {}) {
  return createModelClient({
    baseUrl: standin.baseUrl,
    apiKey: standin.apiKey,
    model: "standin-chat",
    embeddingsModel: "standin-embed",
    softTimeoutMs: 5_000,
    hardTimeoutMs: 10_000,
    ...overrides,
  });
}

async function failure(promise: Promise<unknown>): Promise<ModelError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ModelError)) throw new Error(`expected a ModelError, got ${String(error)}`);
  return error;
}

async function events(iterable: AsyncIterable<CompletionEvent>): Promise<CompletionEvent[]> {
  const seen: CompletionEvent[] = [];
  for await (const event of iterable) seen.push(event);
  return seen;
}

beforeAll(async () => {
  standin = await startModelStandin();
});
afterAll(() => standin.stop());
beforeEach(() => standin.reset());

describe("streaming completions (stand-in: a test double of a model server)", () => {
  test("deltas arrive while the answer is still being written, then done with the text and usage", async () => {
    // The stand-in sends two tokens and then holds the stream open: both deltas must reach us
    // before the stream ends, which is what "streamed" means to a caller.
    await standin.control({ stall: { count: 1, afterChunks: 2 } });
    const model = client();
    const controller = new AbortController();
    const deltas: string[] = [];
    const stream = model.complete(PARKING, controller.signal);
    for await (const event of stream) {
      expect(event.type).toBe("delta");
      if (event.type === "delta") deltas.push(event.text);
      if (deltas.length === 2) break;
    }
    expect(deltas.join("")).toBe("Yes, there");
    // Breaking out (a barge-in) ended the request at the model server, and told the breaker
    // nothing bad about the model.
    await waitFor("the stand-in to see the client go", async () => (await standin.requests()).log[0]?.clientAborted === true);
    expect(model.breakerState().chat).toBe("closed");

    const whole = await events(model.complete(PARKING));
    const done = whole.at(-1);
    expect(done?.type).toBe("done");
    if (done?.type !== "done") throw new Error("no done event");
    expect(whole.filter((e) => e.type === "delta").length).toBeGreaterThan(5);
    expect(whole.flatMap((e) => (e.type === "delta" ? [e.text] : [])).join("")).toBe(PARKING_ANSWER);
    expect(done.text).toBe(PARKING_ANSWER);
    expect(done.finishReason).toBe("stop");
    expect(done.usage?.outputTokens).toBe(whole.length - 1);
    expect(done.usage?.inputTokens).toBeGreaterThan(0);
    expect(done.firstChunkMs).toBeLessThanOrEqual(done.durationMs);
  });

  test("answer() returns the whole answer; the request carried our model, stream and usage options", async () => {
    const answer = await client().answer(PARKING);
    expect(answer.text).toBe(PARKING_ANSWER);
    const { log } = await standin.requests();
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ model: "standin-chat", stream: true, outcome: 200, question: "Is there a parking lot?", clientAborted: false });
  });

  test("the soft timeout aborts nothing: one soft_timeout event, then the answer still arrives", async () => {
    await standin.control({ firstChunkDelayMs: 300 });
    const seen = await events(client({ softTimeoutMs: 50 }).complete(PARKING));
    expect(seen[0]?.type).toBe("soft_timeout");
    expect(seen.filter((e) => e.type === "soft_timeout")).toHaveLength(1);
    expect(seen.at(-1)).toMatchObject({ type: "done", text: PARKING_ANSWER });
  });

  test("the soft timeout also passes while the server has not even sent its headers", async () => {
    await standin.control({ stall: { count: 1 } });
    const seen: CompletionEvent[] = [];
    const error = await failure(
      (async () => {
        for await (const event of client({ softTimeoutMs: 50, hardTimeoutMs: 400 }).complete(PARKING)) seen.push(event);
      })(),
    );
    expect(seen.map((e) => e.type)).toEqual(["soft_timeout"]);
    expect(error.code).toBe("E_MODEL_TIMEOUT");
  });

  test("no soft_timeout event when the first token comes in time", async () => {
    const seen = await events(client({ softTimeoutMs: 2_000 }).complete(PARKING));
    expect(seen.some((e) => e.type === "soft_timeout")).toBe(false);
  });

  test("the hard timeout aborts a stalled request with E_MODEL_TIMEOUT", async () => {
    await standin.control({ stall: { count: 1 } });
    const error = await failure(client({ softTimeoutMs: 50, hardTimeoutMs: 300 }).answer(PARKING));
    expect(error.code).toBe("E_MODEL_TIMEOUT");
    expect(error.countsAgainstModel).toBe(true);
    expect((await standin.requests()).log.map((entry) => entry.outcome)).toEqual(["stalled"]);
  });

  test("the hard timeout also ends a stream that stalls after its first tokens", async () => {
    await standin.control({ stall: { count: 1, afterChunks: 1 } });
    const seen: CompletionEvent[] = [];
    const error = await failure(
      (async () => {
        for await (const event of client({ hardTimeoutMs: 300 }).complete(PARKING)) seen.push(event);
      })(),
    );
    expect(error.code).toBe("E_MODEL_TIMEOUT");
    expect(seen).toEqual([{ type: "delta", text: "Yes," }]);
  });

  test("an abort in the middle of a stream is E_MODEL_ABORTED, never a partial answer marked done", async () => {
    await standin.control({ stall: { count: 1, afterChunks: 1 } });
    const controller = new AbortController();
    const seen: CompletionEvent[] = [];
    const error = await failure(
      (async () => {
        for await (const event of client().complete(PARKING, controller.signal)) {
          seen.push(event);
          controller.abort();
        }
      })(),
    );
    expect(error.code).toBe("E_MODEL_ABORTED");
    expect(seen.map((e) => e.type)).toEqual(["delta"]);
  });

  test("the caller's signal aborts with E_MODEL_ABORTED, which does not count against the model", async () => {
    await standin.control({ stall: { count: 5 } });
    const model = client({ breaker: { failureThreshold: 1 } });
    const controller = new AbortController();
    const pending = failure(model.answer(PARKING, controller.signal));
    await waitFor("the stand-in to hold the request", async () => (await standin.requests()).total === 1);
    controller.abort();
    const error = await pending;
    expect(error.code).toBe("E_MODEL_ABORTED");
    expect(error.countsAgainstModel).toBe(false);
    expect(model.breakerState().chat).toBe("closed");
    // Already aborted: refused before any request.
    expect((await failure(model.answer(PARKING, controller.signal))).code).toBe("E_MODEL_ABORTED");
    expect((await standin.requests()).total).toBe(1);
  });
});

describe("errors and the breaker", () => {
  test("after three 500s the breaker opens and the next call is refused without a request", async () => {
    await standin.control({ fail: { status: 500, forMs: 60_000 } });
    const model = client({ breaker: { failureThreshold: 3, openMs: 60_000 } });
    for (let i = 0; i < 3; i++) expect((await failure(model.answer(PARKING))).code).toBe("E_MODEL_SERVER");
    expect(model.breakerState().chat).toBe("open");
    const refused = await failure(model.answer(PARKING));
    expect(refused.code).toBe("E_MODEL_UNAVAILABLE");
    expect((await standin.requests()).chat).toBe(3);
  });

  test("half-open: after openMs one probe goes through, and its success closes the breaker", async () => {
    await standin.control({ fail: { status: 503, count: 2 } });
    const model = client({ breaker: { failureThreshold: 2, openMs: 200 } });
    await failure(model.answer(PARKING));
    await failure(model.answer(PARKING));
    expect(model.breakerState().chat).toBe("open");
    await waitFor("the breaker to half-open", () => model.breakerState().chat === "half_open");
    const [probe, second] = await Promise.allSettled([model.answer(PARKING), model.answer(PARKING)]);
    expect(probe.status).toBe("fulfilled");
    // While the probe was out, a second caller was refused rather than sent.
    expect(second.status === "rejected" && isModelError(second.reason, "E_MODEL_UNAVAILABLE")).toBe(true);
    expect(model.breakerState().chat).toBe("closed");
    expect((await standin.requests()).chat).toBe(3);
    expect((await model.answer(PARKING)).text).toBe(PARKING_ANSWER);
  });

  test("a failed probe opens the breaker again", async () => {
    await standin.control({ fail: { status: 500, count: 2 } });
    const model = client({ breaker: { failureThreshold: 1, openMs: 150 } });
    await failure(model.answer(PARKING));
    await waitFor("the breaker to half-open", () => model.breakerState().chat === "half_open");
    expect((await failure(model.answer(PARKING))).code).toBe("E_MODEL_SERVER");
    expect(model.breakerState().chat).toBe("open");
  });

  test("a 429 is E_MODEL_RATE_LIMITED with the Retry-After, and opens the breaker at once for that long", async () => {
    await standin.control({ fail: { status: 429, count: 1, retryAfterSeconds: 30 } });
    const model = client({ breaker: { failureThreshold: 5, openMs: 100 } });
    const limited = await failure(model.answer(PARKING));
    expect(limited.code).toBe("E_MODEL_RATE_LIMITED");
    expect(limited.details.retryAfterMs).toBe(30_000);
    expect(limited.details.status).toBe(429);
    await Bun.sleep(150); // past openMs, still inside Retry-After
    expect((await failure(model.answer(PARKING))).code).toBe("E_MODEL_UNAVAILABLE");
    expect((await standin.requests()).chat).toBe(1);
  });

  test("a bad key is E_MODEL_REQUEST and never opens the breaker (it is configuration, not an outage)", async () => {
    const model = client({ apiKey: "sk-wrong", breaker: { failureThreshold: 1 } });
    for (let i = 0; i < 3; i++) {
      const error = await failure(model.answer(PARKING));
      expect(error.code).toBe("E_MODEL_REQUEST");
      expect(error.details.status).toBe(401);
    }
    expect(model.breakerState().chat).toBe("closed");
  });

  test("no server at the base URL is E_MODEL_SERVER", async () => {
    const port = await findFreePort();
    const model = createModelClient({ baseUrl: `http://127.0.0.1:${port}/v1`, apiKey: "k", model: "m", softTimeoutMs: 100, hardTimeoutMs: 2_000 });
    expect((await failure(model.answer(PARKING))).code).toBe("E_MODEL_SERVER");
  });

  test("error messages never carry the prompt or the question", async () => {
    await standin.control({ fail: { status: 500, count: 1 } });
    const error = await failure(client().answer(PARKING));
    expect(error.message).not.toContain("parking");
  });
});

describe("embeddings", () => {
  test("one and many texts, in order, unit length; paraphrases closer than strangers", async () => {
    const model = client();
    const one = await model.embed(["Do you have parking?"]);
    expect(one.vectors).toHaveLength(1);
    expect(Math.hypot(...one.vectors[0]!)).toBeCloseTo(1, 5);

    const many = await model.embed(["Is there parking near you?", "Do you sell gift cards?", "Do you have parking?"]);
    const [paraphrase, stranger, original] = many.vectors;
    const cosine = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + x * b[i]!, 0);
    expect(cosine(original!, one.vectors[0]!)).toBeCloseTo(1, 5);
    expect(cosine(paraphrase!, original!)).toBeGreaterThan(cosine(stranger!, original!));
    expect(many.inputTokens).toBeGreaterThan(0);
    expect((await standin.requests()).log.map((entry) => [entry.model, entry.inputs])).toEqual([
      ["standin-embed", 1],
      ["standin-embed", 3],
    ]);
  });

  test("without an embeddings model, embed refuses without a request", async () => {
    const model = createModelClient({ baseUrl: standin.baseUrl, apiKey: standin.apiKey, model: "m", softTimeoutMs: 100, hardTimeoutMs: 1_000 });
    expect((await failure(model.embed(["x"]))).code).toBe("E_MODEL_NOT_CONFIGURED");
    expect((await standin.requests()).total).toBe(0);
  });

  test("embeddings have their own breaker: failing embeddings do not stop chat", async () => {
    await standin.control({ fail: { status: 500, count: 2 } });
    const model = client({ breaker: { failureThreshold: 2, openMs: 60_000 } });
    await failure(model.embed(["a"]));
    await failure(model.embed(["b"]));
    expect(model.breakerState()).toEqual({ chat: "closed", embeddings: "open" });
    expect((await failure(model.embed(["c"]))).code).toBe("E_MODEL_UNAVAILABLE");
    expect((await model.answer(PARKING)).text).toBe(PARKING_ANSWER);
  });
});

describe("the observer (the metrics hook)", () => {
  test("hears every call once: its duration, first chunk and tokens, or why it failed", async () => {
    const seen: ModelOperation[] = [];
    const model = client({ observe: (operation) => seen.push(operation), breaker: { failureThreshold: 1, openMs: 60_000 } });
    const answer = await model.answer(PARKING);
    await model.embed(["a", "b"]);
    for await (const _ of model.complete(PARKING)) break; // a barge-in
    await standin.control({ fail: { status: 500, count: 1 } });
    await failure(model.answer(PARKING));
    await failure(model.answer(PARKING)); // refused: the breaker is open

    expect(seen.map((o) => [o.operation, o.error ?? "ok"])).toEqual([
      ["chat", "ok"],
      ["embeddings", "ok"],
      ["chat", "E_MODEL_ABORTED"],
      ["chat", "E_MODEL_SERVER"],
      ["chat", "E_MODEL_UNAVAILABLE"],
    ]);
    expect(seen[0]).toMatchObject({ model: "standin-chat", usage: answer.usage, firstChunkMs: answer.firstChunkMs });
    expect(seen[0]!.durationMs).toBeGreaterThanOrEqual(seen[0]!.firstChunkMs!);
    expect(seen[1]).toMatchObject({ model: "standin-embed", usage: { inputTokens: expect.any(Number), outputTokens: 0 } });
    expect((await standin.requests()).chat).toBe(3);
  });

  test("an observer that throws does not break the call", async () => {
    const model = client({
      observe: () => {
        throw new Error("metrics down");
      },
    });
    expect((await model.answer(PARKING)).text).toBe(PARKING_ANSWER);
  });
});
