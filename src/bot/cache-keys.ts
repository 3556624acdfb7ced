/**
 * The bot's cache keys and tags, in one place: the lookups build them, and the admin routes use
 * the same ones to invalidate what the lookups cached.
 */
import { keyedQuestionHasher, keyOf, randomKeySecret } from "../cache/index.ts";

/** At most this many numbers' keys are kept; past it the list starts again. */
const MAX_KEPT_BUSINESS_KEYS = 4_096;
const businessKeys = new Map<string, string>();

/**
 * The key of a business lookup: the dialled number with formatting removed.
 *
 * @example
 * ```ts
 * businessKey("+1 (555) 000-1111"); // "+15550001111"
 * ```
 */
export function businessKey(number: string): string {
  let key = businessKeys.get(number);
  if (key === undefined) {
    key = keyOf(onlyDialable(number) ? number : number.replace(/[^\d+]/g, ""));
    // Every turn of a call asks for the same number: the keys of the numbers lately dialled are kept.
    if (businessKeys.size >= MAX_KEPT_BUSINESS_KEYS) businessKeys.clear();
    businessKeys.set(number, key);
  }
  return key;
}

/** Whether a number is digits and "+" only already (as Twilio posts `To`), so there is nothing to remove. */
function onlyDialable(number: string): boolean {
  for (let i = 0; i < number.length; i++) {
    const code = number.charCodeAt(i);
    if ((code < 0x30 || code > 0x39) && code !== 0x2b) return false;
  }
  return true;
}

/** Builds the key of a knowledge query from a business id and what the caller asked. */
export type KnowledgeKey = (businessId: string, question: string) => string;

let processSecret: string | undefined;

/**
 * The knowledge key builder for a deployment's `CACHE_KEY_SECRET`: the business and a keyed hash
 * of the normalised question, so rephrased spacing and case hit the same entry while no caller
 * word is ever part of a key at rest. Without a secret (development), one random secret per
 * process is used: keys stay private but are not shared across instances.
 *
 * @example
 * ```ts
 * const knowledgeKey = knowledgeKeys(config.CACHE_KEY_SECRET);
 * knowledgeKey("bella-pizza", "Is there PARKING?") === knowledgeKey("bella-pizza", "is there parking"); // true
 * knowledgeKey("bella-pizza", "is there parking"); // "bella-pizza:" + 22 base64url characters
 * ```
 */
export function knowledgeKeys(secret: string | undefined): KnowledgeKey {
  const hashQuestion = keyedQuestionHasher(secret ?? (processSecret ??= randomKeySecret()));
  // keyOf(id, hash) is keyOf(id) + ":" + hash (a hash needs no escaping); a turn asks of one
  // business, so its part is kept from the call before.
  let lastId: string | undefined;
  let lastPart = "";
  return (businessId, question) => {
    if (businessId !== lastId) {
      lastPart = keyOf(businessId);
      lastId = businessId;
    }
    return `${lastPart}:${hashQuestion(question)}`;
  };
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
