/**
 * The model answerer's parts: a client for any OpenAI-compatible endpoint with our timeouts and
 * breaker, the grounded prompt and its versions, the check that keeps invented numbers from being
 * spoken, and the keys of the answer cache.
 *
 * @example
 * ```ts
 * import { createModelClient, groundedMessages, checkAnswer, groundingPrompt } from "./src/bot/model/index.ts";
 * const model = createModelClient({ baseUrl, apiKey, model: "gpt-4o-mini", softTimeoutMs: 1_500, hardTimeoutMs: 6_000 });
 * const now = new Date();
 * const answer = await model.answer(groundedMessages(business, question, now), signal);
 * const verdict = checkAnswer(answer.text, groundingPrompt(business, now));
 * ```
 */
export {
  createModelClient,
  type ChatMessage,
  type CompletionEvent,
  type Embeddings,
  type ModelAnswer,
  type ModelClient,
  type ModelClientOptions,
} from "./client.ts";
export type { ModelObserver, ModelOperation, TokenUsage } from "./call.ts";
export { createModelBreaker, type ModelBreaker, type ModelBreakerOptions, type ModelBreakerState } from "./breaker.ts";
export { ModelError, isModelError, type ModelErrorCode } from "./errors.ts";
export { DONT_KNOW_MARKER, PROMPT_VERSION, factsVersion, groundedMessages, groundingPrompt, type GroundingBusiness } from "./grounding.ts";
export { checkAnswer, factQuantities, type AnswerCheck, type AnswerCheckOptions, type AnswerRejection } from "./check.ts";
export { numberWordsToDigits, quantities } from "./quantities.ts";
export { createAnswerKeys, normalizedQuestion, type AnswerKeyParts, type AnswerKeys } from "./cache-key.ts";
