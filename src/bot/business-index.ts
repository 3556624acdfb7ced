/**
 * One knowledge index per business object, built on first use and shared by everything that ranks
 * that business's FAQs (the cached knowledge lookup, the reply to a clarifying question). Keyed by
 * the object, so a refreshed business (a new object from the directory) gets a new index and the
 * old one goes with the old object.
 */
import type { Business } from "./business.ts";
import { buildKnowledgeIndex, type KnowledgeIndex } from "./knowledge/index.ts";

const indexes = new WeakMap<Business, KnowledgeIndex>();

/**
 * The business's knowledge index, built once per business object.
 *
 * @example
 * ```ts
 * queryKnowledge(knowledgeIndexOf(business), "is there parking")
 * ```
 */
export function knowledgeIndexOf(business: Business): KnowledgeIndex {
  let index = indexes.get(business);
  if (index === undefined) {
    index = buildKnowledgeIndex(business.faqs, { businessName: business.name });
    indexes.set(business, index);
  }
  return index;
}
