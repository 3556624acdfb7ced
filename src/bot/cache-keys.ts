/**
 * The bot's cache keys and tags, in one place: the lookups build them, and the admin routes use
 * the same ones to invalidate what the lookups cached.
 */
import { keyOf, normalizeQuestion } from "../cache/index.ts";

/**
 * The key of a business lookup: the dialled number with formatting removed.
 *
 * @example
 * ```ts
 * businessKey("+1 (555) 000-1111"); // "+15550001111"
 * ```
 */
export function businessKey(number: string): string {
  return keyOf(number.replace(/[^\d+]/g, ""));
}

/**
 * The key of a knowledge query: the business and the normalised question, so rephrased spacing and case hit.
 *
 * @example
 * ```ts
 * knowledgeKey("bella-pizza", "Is there PARKING?") === knowledgeKey("bella-pizza", "is there parking"); // true
 * ```
 */
export function knowledgeKey(businessId: string, question: string): string {
  return keyOf(businessId, normalizeQuestion(question));
}

/**
 * The tag every cached entry of one business carries, so one invalidation drops them all.
 *
 * @example
 * ```ts
 * await cache.invalidateTags([businessTag("bella-pizza")]); // the tag is "biz:bella-pizza"
 * ```
 */
export function businessTag(businessId: string): string {
  return `biz:${businessId}`;
}
