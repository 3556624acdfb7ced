/**
 * The model stand-in is faithful to the OpenAI wire format: the official `openai` client, the
 * independent peer here, talks to it as to a real provider. The stand-in is a test double (no
 * language model can run on these machines); these tests prove the double speaks the protocol,
 * so the model answerer's tests against it mean something.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import OpenAI, { AuthenticationError, RateLimitError } from "openai";
import { contentWords, standinAnswer, standinEmbedding } from "./model-standin.ts";
import { startModelStandin, type ModelStandinProcess } from "./servers.ts";
import { waitFor } from "./wait.ts";

let model: ModelStandinProcess;
let client: OpenAI;

const SYSTEM = [
  'Answer only from the facts. If they do not answer the question, say exactly "NOT_IN_FACTS".',
  "Facts:",
  "- Q: Do you have parking? A: Yes, there is a free parking lot behind the building.",
  "- Q: Is there a delivery fee? A: Delivery is 3 dollars, free on orders over 30 dollars.",
].join("\n");

const messages = (question: string): OpenAI.Chat.ChatCompletionMessageParam[] => [
  { role: "system", content: SYSTEM },
  { role: "user", content: question },
];

function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot;
}

beforeAll(async () => {
  model = await startModelStandin();
  client = new OpenAI({ baseURL: model.baseUrl, apiKey: model.apiKey, maxRetries: 0 });
});
afterAll(() => model.stop());
beforeEach(() => model.reset());

describe("the model stand-in (a test double) through the official openai client", () => {
  test("a non-streamed completion answers from the facts, with usage", async () => {
    const completion = await client.chat.completions.create({ model: "standin-1", messages: messages("Is there a parking lot for my car?") });
    expect(completion.object).toBe("chat.completion");
    expect(completion.model).toBe("standin-1");
    expect(completion.choices[0]?.message.role).toBe("assistant");
    expect(completion.choices[0]?.message.content).toBe("Yes, there is a free parking lot behind the building.");
    expect(completion.choices[0]?.finish_reason).toBe("stop");
    expect(completion.usage?.total_tokens).toBe((completion.usage?.prompt_tokens ?? 0) + (completion.usage?.completion_tokens ?? 0));
  });

  test("a question the facts do not answer gets the marker the prompt asks for", async () => {
    const completion = await client.chat.completions.create({ model: "standin-1", messages: messages("Do you sell gift cards?") });
    expect(completion.choices[0]?.message.content).toBe("NOT_IN_FACTS");
  });

  test("a streamed completion with include_usage: deltas assemble the answer, usage comes last", async () => {
    const stream = await client.chat.completions.create({
      model: "standin-1",
      messages: messages("How much is the delivery fee?"),
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let contentChunks = 0;
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    let chunksAfterUsage = 0;
    for await (const chunk of stream) {
      expect(chunk.object).toBe("chat.completion.chunk");
      if (usage) chunksAfterUsage++;
      if (chunk.usage) {
        expect(chunk.choices).toEqual([]);
        usage = chunk.usage;
        continue;
      }
      const choice = chunk.choices[0]!;
      if (choice.delta.content) {
        text += choice.delta.content;
        contentChunks++;
      }
      finish = choice.finish_reason ?? finish;
    }
    expect(text).toBe("Delivery is 3 dollars, free on orders over 30 dollars.");
    expect(contentChunks).toBeGreaterThan(3);
    expect(finish).toBe("stop");
    expect(usage?.completion_tokens).toBe(contentChunks);
    expect(chunksAfterUsage).toBe(0);
  });

  test("the raw stream ends with data: [DONE] and has no usage chunk without include_usage", async () => {
    const res = await fetch(`${model.baseUrl}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${model.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "standin-1", messages: messages("Do you have parking?"), stream: true }),
    });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const events = (await res.text()).split("\n\n").filter((event) => event.length > 0);
    expect(events.every((event) => event.startsWith("data: "))).toBe(true);
    expect(events.at(-1)).toBe("data: [DONE]");
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event.slice(6)) as { choices: unknown[]; usage?: unknown });
    expect(chunks.every((chunk) => chunk.choices.length === 1 && chunk.usage === undefined)).toBe(true);
  });

  test("embeddings for one input and for many, unit length, paraphrases closer than strangers", async () => {
    const one = await client.embeddings.create({ model: "standin-embed", input: "Do you have parking?" });
    expect(one.object).toBe("list");
    expect(one.data).toHaveLength(1);
    expect(one.data[0]!.embedding).toHaveLength(256);
    // The client asked for base64 (its default) and decoded float32s: they match the stand-in's own vector.
    const expected = standinEmbedding("Do you have parking?");
    one.data[0]!.embedding.forEach((x, i) => expect(x).toBeCloseTo(expected[i]!, 5));

    const many = await client.embeddings.create({
      model: "standin-embed",
      input: ["Is there parking near you?", "Do you have parking?", "Do you sell gift cards?"],
      encoding_format: "float",
    });
    expect(many.data.map((d) => d.index)).toEqual([0, 1, 2]);
    const [paraphrase, original, stranger] = many.data.map((d) => d.embedding);
    expect(Math.hypot(...original!)).toBeCloseTo(1, 6);
    expect(cosine(paraphrase!, original!)).toBeGreaterThan(0.5);
    expect(cosine(stranger!, original!)).toBeLessThan(cosine(paraphrase!, original!));
    expect(many.usage.total_tokens).toBeGreaterThan(0);
  });

  test("a bad key is a 401 the client raises as AuthenticationError", async () => {
    const wrong = new OpenAI({ baseURL: model.baseUrl, apiKey: "sk-wrong", maxRetries: 0 });
    const error = await wrong.chat.completions.create({ model: "standin-1", messages: messages("parking?") }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((error as AuthenticationError).status).toBe(401);
  });

  test("a 429 carries Retry-After and is a RateLimitError with maxRetries 0; the next request succeeds", async () => {
    await model.control({ fail: { status: 429, count: 1, retryAfterSeconds: 7 } });
    const error = await client.chat.completions.create({ model: "standin-1", messages: messages("parking?") }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as RateLimitError).headers?.get("retry-after")).toBe("7");
    const ok = await client.chat.completions.create({ model: "standin-1", messages: messages("Do you have parking?") });
    expect(ok.choices[0]?.message.content).toContain("parking lot");
    const { chat, log } = await model.requests();
    expect(chat).toBe(2);
    expect(log.map((entry) => entry.outcome)).toEqual([429, 200]);
  });

  test("a 500 window fails every request in it", async () => {
    await model.control({ fail: { status: 500, forMs: 60_000 } });
    for (let i = 0; i < 3; i++) {
      const error = await client.embeddings.create({ model: "e", input: "x" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    }
    expect((await model.requests()).embeddings).toBe(3);
  });

  test("a stalled request never answers; an AbortSignal ends it as APIUserAbortError", async () => {
    await model.control({ stall: { count: 1 } });
    const controller = new AbortController();
    const pending = client.chat.completions.create({ model: "standin-1", messages: messages("parking?") }, { signal: controller.signal }).catch((e: unknown) => e);
    // Wait until the stand-in has the request, so the abort happens during the stall.
    for (let i = 0; i < 200 && (await model.requests()).total === 0; i++) await Bun.sleep(10);
    const raced = await Promise.race([pending, Bun.sleep(300).then(() => "still waiting")]);
    expect(raced).toBe("still waiting");
    controller.abort();
    expect(await pending).toBeInstanceOf(OpenAI.APIUserAbortError);
    expect((await model.requests()).log.map((entry) => entry.outcome)).toEqual(["stalled"]);
    await waitFor("the stand-in to see the abort", async () => (await model.requests()).log[0]?.clientAborted === true);
  });

  test("the first-chunk delay and the token rate hold the stream back (lower bounds only)", async () => {
    await model.control({ firstChunkDelayMs: 200, tokensPerSecond: 50 });
    const started = performance.now();
    const stream = await client.chat.completions.create({ model: "m", messages: messages("Do you have parking?"), stream: true });
    const arrivals: number[] = [];
    for await (const chunk of stream) if (chunk.choices[0]?.delta.content) arrivals.push(performance.now() - started);
    // Sleeping can only make things later, so these bounds cannot fail on a busy machine.
    expect(arrivals[0]).toBeGreaterThanOrEqual(190);
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThanOrEqual(((arrivals.length - 1) * 1000) / 50 - 10);
  });

  test("a stall window holds every request in it; after it, requests are answered", async () => {
    await model.control({ stall: { forMs: 300 } });
    const quick = new OpenAI({ baseURL: model.baseUrl, apiKey: model.apiKey, maxRetries: 0, timeout: 100 });
    const stalled = await quick.embeddings.create({ model: "e", input: "x" }).catch((e: unknown) => e);
    expect(stalled).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    await Bun.sleep(300);
    expect((await quick.embeddings.create({ model: "e", input: "x" })).data).toHaveLength(1);
  });

  test("a forced reply overrides the facts for the next completion only", async () => {
    await model.control({ reply: { text: "It costs $99.", count: 1 } });
    const first = await client.chat.completions.create({ model: "m", messages: messages("Do you have parking?") });
    const second = await client.chat.completions.create({ model: "m", messages: messages("Do you have parking?") });
    expect(first.choices[0]?.message.content).toBe("It costs $99.");
    expect(second.choices[0]?.message.content).toContain("parking lot");
  });
});

describe("the stand-in's deterministic rules", () => {
  test("answers need two shared content words (one for a one-word question)", () => {
    expect(standinAnswer(SYSTEM, "parking?")).toContain("parking lot");
    expect(standinAnswer(SYSTEM, "Is the building open?")).toBe("NOT_IN_FACTS");
    expect(standinAnswer("no facts here", "hello")).toBe("I don't know.");
  });

  test("content words are lower-cased, stemmed and without stopwords", () => {
    expect(contentWords("Do you have PARKING spaces?")).toEqual(["park", "space"]);
  });
});
