import { deflateRawSync, inflateRawSync } from "node:zlib";

/**
 * What travels to L2: the value plus the times that decide freshness, and its tags. Text only,
 * because Upstash REST cannot carry binary values.
 *
 * Wire format: `vx1` + JSON `[createdAt, expiresAt, staleUntil, tags | 0, value]`, or, above the
 * compression threshold, `vz1` + base64 of the raw-deflated JSON. Anything else is foreign.
 */
export interface Envelope<V = unknown> {
  value: V;
  /** When the value was produced (ms since epoch). */
  createdAt: number;
  /** Logical expiry: fresh before it. */
  expiresAt: number;
  /** End of grace: after it the entry may not be served even as stale. */
  staleUntil: number;
  tags: readonly string[] | undefined;
}

const PLAIN = "vx1";
const DEFLATED = "vz1";

/** The result of decoding L2 text: the envelope, or why it is not one. */
export type Decoded<V> = { ok: true; envelope: Envelope<V> } | { ok: false; reason: "corrupt" | "foreign" };

/**
 * Encodes an envelope to text; compresses when the JSON is longer than `compressAbove` characters.
 *
 * @example
 * ```ts
 * const text = encodeEnvelope({ value: { a: 1 }, createdAt: 1, expiresAt: 2, staleUntil: 3, tags: undefined }, 2048);
 * decodeEnvelope(text); // { ok: true, envelope: { value: { a: 1 }, … } }
 * ```
 */
export function encodeEnvelope(envelope: Envelope, compressAbove: number): string {
  const json = JSON.stringify([
    envelope.createdAt,
    envelope.expiresAt,
    envelope.staleUntil,
    envelope.tags && envelope.tags.length > 0 ? envelope.tags : 0,
    envelope.value,
  ]);
  if (json.length <= compressAbove) return PLAIN + json;
  return DEFLATED + deflateRawSync(Buffer.from(json, "utf8")).toString("base64");
}

/** Decodes L2 text; never throws. Foreign text (another writer's) and damaged text are both misses. */
export function decodeEnvelope<V = unknown>(text: string): Decoded<V> {
  let json: string;
  if (text.startsWith(PLAIN)) json = text.slice(PLAIN.length);
  else if (text.startsWith(DEFLATED)) {
    try {
      json = inflateRawSync(Buffer.from(text.slice(DEFLATED.length), "base64")).toString("utf8");
    } catch {
      return { ok: false, reason: "corrupt" };
    }
  } else return { ok: false, reason: "foreign" };

  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return { ok: false, reason: "corrupt" };
  }
  if (!Array.isArray(parsed) || parsed.length !== 5) return { ok: false, reason: "corrupt" };
  const [createdAt, expiresAt, staleUntil, tags, value] = parsed as unknown[];
  if (
    typeof createdAt !== "number" ||
    typeof expiresAt !== "number" ||
    typeof staleUntil !== "number" ||
    !(tags === 0 || (Array.isArray(tags) && tags.every((t) => typeof t === "string"))) ||
    value === undefined
  ) {
    return { ok: false, reason: "corrupt" };
  }
  return {
    ok: true,
    envelope: { value: value as V, createdAt, expiresAt, staleUntil, tags: tags === 0 ? undefined : (tags as string[]) },
  };
}
