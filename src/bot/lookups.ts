import { normalizeQuestion, type Cache, type Loader, type WarmSpec } from "../cache/index.ts";
import type { Business } from "./business.ts";
import { businessKey, businessTag, knowledgeKeys } from "./cache-keys.ts";
import type { BusinessDirectory } from "./directory/index.ts";
import { knowledgeIndexOf } from "./business-index.ts";
import { queryKnowledge } from "./knowledge/index.ts";

/** The namespaces the bot reads and writes (`answers`, `embeddings`, `semantic`: the model's, used only when one is configured; `questions`: only with question retention on). */
export type BotNamespace = "business" | "knowledge" | "session" | "questions" | "answers" | "embeddings" | "semantic";

/** What the knowledge base answered for one question: plain data, cached as it is. */
export interface KnowledgeAnswer {
  answer: string;
  question: string;
  score: number;
  /** Which FAQ answered (its index in the business's list). */
  faqIndex: number;
  /** Two FAQs fit about equally well: the turn asks which one the caller means. */
  ambiguous: boolean;
  /** The second-best FAQ, when one matched too. */
  runnerUp?: { faqIndex: number; question: string };
}

export interface BotLookupOptions {
  /** The deployment's `CACHE_KEY_SECRET`: knowledge keys are keyed hashes of the question under it. */
  keySecret?: string;
  /** `QUESTION_RETENTION_MS`: keep callers' normalised questions this long (namespace `questions`); 0 keeps none. */
  questionRetentionMs?: number;
}

/** A caller's question kept for analytics, only when the operator turned retention on. */
export interface RetainedQuestion {
  businessId: string;
  /** Normalised as for the knowledge key: lower case, no punctuation. */
  question: string;
  /** Last time it was asked (epoch ms). */
  askedAt: number;
}

/** How long "nobody owns this number" is remembered: a flood of calls to an unassigned number does not reach the directory. */
export const UNKNOWN_NUMBER_TTL_MS = 60_000;

/**
 * The bot's two cached lookups: which business owns a dialled number, and what its knowledge base
 * answers to a question. Both go through the cache; the directory and the ranking run on misses.
 * Knowledge keys hash the caller's question with `keySecret` (the deployment's `CACHE_KEY_SECRET`;
 * without it, a per-process secret), and the cached answer holds the FAQ's text, never the caller's.
 *
 * @example
 * ```ts
 * const lookups = botLookups(cache, directory, { keySecret: config.CACHE_KEY_SECRET });
 * const business = await lookups.business("+15550001111");
 * const answer = business && (await lookups.answer(business, "do you have parking"));
 * ```
 */
export function botLookups(cache: Cache<BotNamespace>, directory: BusinessDirectory, options: BotLookupOptions = {}) {
  const knowledgeKey = knowledgeKeys(options.keySecret);
  const keepQuestions = (options.questionRetentionMs ?? 0) > 0;
  const questions = cache.namespace<RetainedQuestion>("questions");
  const businesses = cache.namespace<Business | null>("business");
  const knowledge = cache.namespace<KnowledgeAnswer | null>("knowledge");
  // The loaders run on misses; warming calls them directly, since a warm spec already holds the key.
  const loadBusiness = (number: string): Loader<Business | null> => async (context) => {
    const found = await directory.byNumber(number, context.signal);
    if (found === null) context.ttl = Math.min(context.ttl, UNKNOWN_NUMBER_TTL_MS);
    else context.tags = [...(context.tags ?? []), businessTag(found.id)];
    return found;
  };

  const loadAnswer = (business: Business, question: string): Loader<KnowledgeAnswer | null> => (context) => {
    context.tags = [...(context.tags ?? []), businessTag(business.id)];
    const match = queryKnowledge(knowledgeIndexOf(business), question);
    if (match === null) return null;
    const found: KnowledgeAnswer = { answer: match.answer, question: match.question, score: match.score, faqIndex: match.faqIndex, ambiguous: match.ambiguous };
    if (match.runnerUp !== undefined) found.runnerUp = { faqIndex: match.runnerUp.faqIndex, question: match.runnerUp.question };
    return found;
  };

  function business(number: string): Promise<Business | null> {
    return businesses.getOrSet(businessKey(number), loadBusiness(number));
  }

  function answer(business: Business, question: string): Promise<KnowledgeAnswer | null> {
    const key = knowledgeKey(business.id, question);
    if (keepQuestions) retain(key, business.id, question);
    return knowledge.getOrSet(key, loadAnswer(business, question));
  }

  // The same lookups when L1 holds the answer (nearly every warm turn), without a promise to wait
  // for; undefined when it does not, and then the lookup above answers.
  function businessIfCached(number: string): Business | null | undefined {
    return businesses.l1Hit(businessKey(number), loadBusiness(number));
  }

  function answerIfCached(business: Business, question: string): KnowledgeAnswer | null | undefined {
    const key = knowledgeKey(business.id, question);
    const found = knowledge.l1Hit(key, loadAnswer(business, question));
    if (found !== undefined && keepQuestions) retain(key, business.id, question);
    return found;
  }

  /** Off the turn's path: a failed write loses one analytics row, never a reply. */
  function retain(key: string, businessId: string, question: string): void {
    questions.set(key, { businessId, question: normalizeQuestion(question), askedAt: Date.now() }).catch(() => {});
  }

  /** Warm specs for every number of the businesses and each of their FAQ questions (plus `extraQuestions`). */
  function warmSpecs(list: readonly Business[], extraQuestions: readonly string[] = []): WarmSpec<BotNamespace>[] {
    const specs: WarmSpec<BotNamespace>[] = [];
    for (const b of list) {
      for (const number of b.phoneNumbers) {
        specs.push({ namespace: "business", key: businessKey(number), loader: loadBusiness(number) as Loader<unknown> });
      }
      for (const question of [...b.faqs.map((faq) => faq.question), ...extraQuestions]) {
        specs.push({ namespace: "knowledge", key: knowledgeKey(b.id, question), loader: loadAnswer(b, question) as Loader<unknown> });
      }
    }
    return specs;
  }

  return { business, answer, businessIfCached, answerIfCached, warmSpecs };
}

export type BotLookups = ReturnType<typeof botLookups>;
