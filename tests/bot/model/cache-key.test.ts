/** Keys of the answer cache: keyed hashes of every part an answer depends on, no caller words. */
import { describe, expect, test } from "bun:test";
import { createAnswerKeys, factsVersion, normalizedQuestion, PROMPT_VERSION, type AnswerKeyParts } from "../../../src/bot/model/index.ts";
import { sampleBusinesses } from "../../../src/bot/sample-businesses.ts";

const SECRET = "a-test-secret-of-enough-length";
const bella = sampleBusinesses()[0]!;
const base: AnswerKeyParts = {
  businessId: bella.id,
  factsVersion: factsVersion(bella),
  model: "gpt-4o-mini",
  promptVersion: PROMPT_VERSION,
  question: "Can I bring my dog to the patio?",
};

describe("answer-cache keys", () => {
  const keys = createAnswerKeys(SECRET);

  test("the same question, however it is typed or spoken, is one key", () => {
    const key = keys.answerKey(base);
    expect(keys.answerKey({ ...base, question: "  can i BRING my dog to the patio " })).toBe(key);
    expect(normalizedQuestion("What's your Wi-Fi?")).toBe(normalizedQuestion("what is your wi fi"));
  });

  test("a change to the business, its facts, the model, the prompt or the question is a new key", () => {
    const key = keys.answerKey(base);
    const edited = { ...bella, faqs: bella.faqs.map((faq, i) => (i === 0 ? { ...faq, answer: `${faq.answer} Valet on Fridays.` } : faq)) };
    const variants = [
      keys.answerKey({ ...base, businessId: "bright-smile-dental" }),
      keys.answerKey({ ...base, factsVersion: factsVersion(edited) }),
      keys.answerKey({ ...base, model: "llama-3.1-8b" }),
      keys.answerKey({ ...base, promptVersion: `${PROMPT_VERSION}-next` }),
      keys.answerKey({ ...base, question: "Can I bring my cat to the patio?" }),
    ];
    expect(new Set([key, ...variants]).size).toBe(6);
  });

  test("parts cannot run into each other", () => {
    const a = keys.answerKey({ ...base, businessId: "a", factsVersion: "b:c" });
    const b = keys.answerKey({ ...base, businessId: "a:b", factsVersion: "c" });
    expect(a).not.toBe(b);
  });

  test("no word of the question, nor the business id, is readable in the key", () => {
    const key = keys.answerKey(base);
    expect(key).toMatch(/^a1:[A-Za-z0-9_-]{43}$/);
    for (const word of normalizedQuestion(base.question).split(" ").filter((w) => w.length > 2)) {
      expect(key.toLowerCase()).not.toContain(word);
    }
    expect(key).not.toContain(bella.id);
  });

  test("another secret gives other keys (a guessed question cannot be checked without it)", () => {
    expect(createAnswerKeys(`${SECRET}-other`).answerKey(base)).not.toBe(keys.answerKey(base));
  });

  test("a short secret is refused", () => {
    expect(() => createAnswerKeys("short")).toThrow(/at least 16/);
  });

  test("embedding keys depend on the embeddings model and the normalised text, and differ from answer keys", () => {
    const key = keys.embeddingKey("text-embedding-3-small", "Do you have parking?");
    expect(key).toMatch(/^e1:[A-Za-z0-9_-]{43}$/);
    expect(keys.embeddingKey("text-embedding-3-small", "do you have parking")).toBe(key);
    expect(keys.embeddingKey("nomic-embed-text", "Do you have parking?")).not.toBe(key);
    expect(key).not.toContain("parking");
  });
});
