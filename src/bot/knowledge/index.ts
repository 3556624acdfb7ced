/** The knowledge base: ranked, paraphrase-tolerant retrieval over a business's FAQs. */
export {
  buildKnowledgeIndex,
  queryKnowledge,
  queryTerms,
  explainQuery,
  DEFAULT_CONFIDENCE_THRESHOLD,
  type KnowledgeIndex,
  type KnowledgeIndexOptions,
  type KnowledgeMatch,
  type QueryOptions,
  type RunnerUp,
} from "./retrieval.ts";
export { termsOf, canonicalQuery } from "./terms.ts";
export { normalizeText, words } from "./text.ts";
export { stem } from "./stem.ts";
