/**
 * Keys of the answer cache and of the question-embedding cache. A key is an HMAC-SHA256 of its
 * parts under a secret, so nothing a caller said can be read back from a key at rest (in Redis,
 * in a key listing, in a slow log), and nobody without the secret can test a guessed question
 * against the keys. The parts are the business, its facts version, the model, the prompt version
 * and the normalised question: a change to any of them is a different entry.
 */
import { createHmac } from "node:crypto";
import { normalizeText } from "../knowledge/index.ts";

/** What an answer-cache entry depends on. */
export interface AnswerKeyParts {
  readonly businessId: string;
  /** {@link factsVersion} of the business the answer was grounded on. */
  readonly factsVersion: string;
  readonly model: string;
  /** {@link PROMPT_VERSION} of the prompt it was asked with. */
  readonly promptVersion: string;
  /** The caller's question as heard; normalised here. */
  readonly question: string;
}

/** Builds keys under one secret; see {@link createAnswerKeys}. */
export interface AnswerKeys {
  /** The answer-cache key for a question. */
  answerKey(parts: AnswerKeyParts): string;
  /** The embedding-cache key for a question's text under an embeddings model. */
  embeddingKey(embeddingsModel: string, question: string): string;
}

/** Shortest secret accepted: 16 bytes of text, well above what a guess could find. */
const MIN_SECRET_LENGTH = 16;

/**
 * The question as the caches see it: lower-case words without punctuation, accents or
 * contractions ("What's your Wi-Fi?" and "what is your wi fi" are one question). Words are not
 * stemmed or dropped: two different questions stay two entries; paraphrases are the semantic
 * layer's job.
 *
 * @example
 * ```ts
 * normalizedQuestion("What's the  Wi-Fi password?!") // "what is the wi fi password"
 * ```
 */
export function normalizedQuestion(question: string): string {
  return normalizeText(question);
}

/**
 * Creates the key builder for `secret` (throws when it is shorter than 16 characters). The secret
 * is read once; keys are base64url HMAC-SHA256 digests (43 characters), with a kind prefix.
 *
 * @example
 * ```ts
 * const keys = createAnswerKeys(process.env.ANSWER_KEY_SECRET!);
 * keys.answerKey({ businessId: "bella-pizza", factsVersion: factsVersion(bella), model: "gpt-4o-mini",
 *   promptVersion: PROMPT_VERSION, question: "Can I bring my dog?" }) // "a1:Zq3…"
 * ```
 */
export function createAnswerKeys(secret: string): AnswerKeys {
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new RangeError(`the answer-key secret must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  // JSON of a list: no part can run into the next, whatever characters it holds.
  const digest = (parts: readonly string[]) => createHmac("sha256", secret).update(JSON.stringify(parts)).digest("base64url");
  return {
    answerKey: (parts) =>
      `a1:${digest(["answer", parts.businessId, parts.factsVersion, parts.model, parts.promptVersion, normalizedQuestion(parts.question)])}`,
    embeddingKey: (embeddingsModel, question) => `e1:${digest(["embedding", embeddingsModel, normalizedQuestion(question)])}`,
  };
}
