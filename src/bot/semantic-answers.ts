/**
 * The semantic layer of the answer cache (on when EMBEDDINGS_MODEL is set): a question that is a
 * paraphrase of one the model already answered for the business reuses that answer instead of
 * calling the model again.
 *
 * - Question embeddings are cached by normalised text (namespace `embeddings`, keyed by the HMAC
 *   of model and text, like the answers), so a question is embedded once for the whole fleet.
 * - Each business keeps its answered questions' vectors in L2 (namespace `semantic`, one entry per
 *   business, facts version, model and prompt version), most recent first and at most
 *   {@link MAX_VECTORS}, as int8 (a 1 536-dimension vector is 2 KB of base64, not 8).
 * - A cached answer is reused when cosine similarity ≥ the threshold (the business's
 *   `semanticThreshold`, else SEMANTIC_CACHE_THRESHOLD) and retrieval would not pick a different
 *   FAQ for the new question than it did for the answered one.
 *
 * Every failure here (the embeddings endpoint down, L2 out) only means "no paraphrase found": the
 * turn goes on to the model.
 */
import { Buffer } from "node:buffer";
import type { NamespaceHandle } from "../cache/index.ts";
import type { Business } from "./business.ts";
import { businessTag } from "./cache-keys.ts";
import { PROMPT_VERSION, type AnswerKeys, type ModelClient } from "./model/index.ts";

/** One answered question of a business: its answer's key, its int8 vector (base64), retrieval's FAQ for it (-1: none). */
export interface SemanticEntry {
  readonly key: string;
  readonly vector: string;
  readonly faq: number;
}

/** Most answered questions kept per business: the newest win. */
export const MAX_VECTORS = 200;

/** Options of {@link createSemanticLayer}; read once at creation. */
export interface SemanticLayerOptions {
  readonly client: ModelClient;
  readonly embeddings: NamespaceHandle<string>;
  readonly index: NamespaceHandle<readonly SemanticEntry[]>;
  readonly keys: AnswerKeys;
  /** SEMANTIC_CACHE_THRESHOLD. */
  readonly threshold: number;
}

/** A question's place among the business's answered questions. */
export interface SemanticLookup {
  /** The answer key of the closest answered question at or above the threshold. */
  readonly match: string | undefined;
  /** The question's vector (int8, base64), for {@link SemanticLayer.remember}; absent when it could not be embedded. */
  readonly vector: string | undefined;
}

/** See the module comment. */
export interface SemanticLayer {
  find(business: Business, version: string, question: string, faq: number | undefined, signal?: AbortSignal): Promise<SemanticLookup>;
  remember(business: Business, version: string, entry: SemanticEntry): Promise<void>;
}

/**
 * Creates the semantic layer.
 *
 * @example
 * ```ts
 * const semantic = createSemanticLayer({ client, embeddings: cache.namespace("embeddings"), index: cache.namespace("semantic"), keys, threshold: 0.9 });
 * const { match } = await semantic.find(business, factsVersion(business), "can I bring along my dog", undefined);
 * ```
 */
export function createSemanticLayer(options: SemanticLayerOptions): SemanticLayer {
  const { client, embeddings, index, keys, threshold } = options;
  const model = client.embeddingsModel ?? "";
  const indexKey = (business: Business, version: string) => `s1:${business.id}:${version}:${client.model}:${PROMPT_VERSION}`;
  const tags = (business: Business) => [businessTag(business.id)];

  async function vectorOf(question: string, signal: AbortSignal | undefined): Promise<string | undefined> {
    try {
      return await embeddings.getOrSet(keys.embeddingKey(model, question), async () => {
        const { vectors } = await client.embed([question], signal);
        return toInt8(vectors[0]!);
      });
    } catch {
      return undefined;
    }
  }

  return {
    async find(business, version, question, faq, signal) {
      const vector = await vectorOf(question, signal);
      if (vector === undefined) return { match: undefined, vector };
      const entries = (await index.get(indexKey(business, version)).catch(() => undefined)) ?? [];
      const wanted = business.semanticThreshold ?? threshold;
      const mine = fromBase64(vector);
      let best: { key: string; similarity: number } | undefined;
      for (const entry of entries) {
        // Retrieval sees a different FAQ in the two questions: they are not the same question.
        if (faq !== undefined && entry.faq >= 0 && entry.faq !== faq) continue;
        const similarity = cosine(mine, fromBase64(entry.vector));
        if (similarity >= wanted && (best === undefined || similarity > best.similarity)) best = { key: entry.key, similarity };
      }
      return { match: best?.key, vector };
    },
    async remember(business, version, entry) {
      const key = indexKey(business, version);
      try {
        const entries = (await index.get(key)) ?? [];
        // Read, prepend, write: two instances writing at once may drop one entry, which costs one model call later.
        const next = [entry, ...entries.filter((e) => e.key !== entry.key)].slice(0, MAX_VECTORS);
        await index.set(key, next, { tags: tags(business) });
      } catch {
        // An index that cannot be written only means the next paraphrase asks the model.
      }
    },
  };
}

/** A unit vector as int8 (×127), base64. */
export function toInt8(vector: readonly number[]): string {
  const norm = Math.hypot(...vector) || 1;
  const bytes = new Int8Array(vector.length);
  for (let i = 0; i < vector.length; i++) bytes[i] = Math.round((vector[i]! / norm) * 127);
  return Buffer.from(bytes.buffer).toString("base64");
}

function fromBase64(text: string): Int8Array {
  const bytes = Buffer.from(text, "base64");
  return new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** Cosine similarity of two int8 vectors; 0 when their lengths differ (another model). */
export function cosine(a: Int8Array, b: Int8Array): number {
  if (a.length !== b.length || a.length === 0) return 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}
