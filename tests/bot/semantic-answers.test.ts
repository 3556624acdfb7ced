/**
 * The semantic layer's choice of a paraphrase, over an in-memory cache and a model client whose
 * embeddings are given vectors (a hand-made test double; the wire is covered by the stand-in tests).
 */
import { afterAll, expect, test } from "bun:test";
import type { Business } from "../../src/bot/business.ts";
import type { BotNamespace } from "../../src/bot/lookups.ts";
import { createAnswerKeys, type ModelClient } from "../../src/bot/model/index.ts";
import { botNamespaces } from "../../src/bot/namespaces.ts";
import { createSemanticLayer, cosine, type SemanticEntry } from "../../src/bot/semantic-answers.ts";
import { createCache, memoryL2 } from "../../src/cache/index.ts";

const cache = createCache<BotNamespace>({ l2: memoryL2(), namespaces: botNamespaces({ sessionTtlMs: 60_000, hasL2: true }) });
afterAll(() => cache.close());

const VECTORS: Record<string, number[]> = {
  "can i bring my dog": [1, 0, 0],
  "are dogs allowed": [0.95, 0.31, 0],
  "is my dog welcome on the patio": [0.95, 0.31, 0],
  "do you sell gift cards": [0, 0, 1],
};
const client = {
  model: "chat",
  embeddingsModel: "embed",
  embed: async (texts: readonly string[]) => ({ vectors: texts.map((t) => VECTORS[t] ?? [0, 1, 0]), durationMs: 1 }),
} as unknown as ModelClient;
const business = { id: "bella", semanticThreshold: undefined } as unknown as Business;
const keys = createAnswerKeys("semantic-test-secret-0123");
const semantic = createSemanticLayer({
  client,
  embeddings: cache.namespace<string>("embeddings"),
  index: cache.namespace<readonly SemanticEntry[]>("semantic"),
  keys,
  threshold: 0.9,
});

test("a close paraphrase finds the answered question; a far one, or one retrieval reads as another FAQ, does not", async () => {
  const first = await semantic.find(business, "v1", "can i bring my dog", 2);
  expect(first.match).toBeUndefined();
  await semantic.remember(business, "v1", { key: "a1:dog", vector: first.vector!, faq: 2 });

  expect((await semantic.find(business, "v1", "are dogs allowed", 2)).match).toBe("a1:dog");
  expect((await semantic.find(business, "v1", "are dogs allowed", undefined)).match).toBe("a1:dog");
  // Retrieval ranks another FAQ first for this one: not the same question, however close.
  expect((await semantic.find(business, "v1", "is my dog welcome on the patio", 5)).match).toBeUndefined();
  expect((await semantic.find(business, "v1", "do you sell gift cards", undefined)).match).toBeUndefined();
  // Another facts version is another index.
  expect((await semantic.find(business, "v2", "are dogs allowed", 2)).match).toBeUndefined();
  // A business's own threshold wins.
  expect((await semantic.find({ ...business, semanticThreshold: 0.99 }, "v1", "are dogs allowed", 2)).match).toBeUndefined();
});

test("int8 vectors keep cosine within a hundredth", () => {
  const a = Int8Array.from([127, 0, 0]);
  const b = Int8Array.from([121, 39, 0]);
  expect(Math.abs(cosine(a, b) - 0.95)).toBeLessThan(0.01);
  expect(cosine(a, Int8Array.from([1, 2]))).toBe(0);
});
