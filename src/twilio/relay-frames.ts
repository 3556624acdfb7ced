/**
 * The ConversationRelay wire format: JSON text frames Twilio sends over the socket (validated
 * here, so nothing malformed reaches the conversation) and the frames the bot sends back.
 * Unknown fields are accepted, as Twilio adds fields over time.
 */
import { z } from "zod";
import { E164_PATTERN } from "../bot/business.ts";

const setupFrame = z.looseObject({
  type: z.literal("setup"),
  sessionId: z.string().optional(),
  callSid: z.string().min(1),
  from: z.string().default(""),
  to: z.string().min(1),
  direction: z.string().optional(),
  customParameters: z.record(z.string(), z.string()).default({}),
});

const promptFrame = z.looseObject({
  type: z.literal("prompt"),
  voicePrompt: z.string(),
  lang: z.string().optional(),
  /** False on partial transcripts (when partial prompts are on); absent or true on the final one. */
  last: z.boolean().default(true),
});

const dtmfFrame = z.looseObject({
  type: z.literal("dtmf"),
  digit: z.string().min(1),
});

const interruptFrame = z.looseObject({
  type: z.literal("interrupt"),
  utteranceUntilInterrupt: z.string().default(""),
  // Twilio has sent it both as a number and as a numeric string.
  durationUntilInterruptMs: z.coerce.number().nonnegative().optional(),
});

const errorFrame = z.looseObject({
  type: z.literal("error"),
  description: z.string().default(""),
  /** A Twilio error code (64xxx), when the frame carries one. */
  code: z.union([z.number(), z.string()]).optional(),
});

const inboundFrame = z.discriminatedUnion("type", [setupFrame, promptFrame, dtmfFrame, interruptFrame, errorFrame]);

/** A frame Twilio sends, after validation. */
export type RelayInboundFrame = z.output<typeof inboundFrame>;
export type RelaySetupFrame = z.output<typeof setupFrame>;
export type RelayPromptFrame = z.output<typeof promptFrame>;
export type RelayInterruptFrame = z.output<typeof interruptFrame>;
export type RelayErrorFrame = z.output<typeof errorFrame>;

/** The result of reading one text frame: the frame, or why it was refused (safe to log: no caller words). */
export type ParsedRelayFrame = { ok: true; frame: RelayInboundFrame } | { ok: false; problem: string };

/** Frames above this size are refused unread; real ones are a few hundred bytes. */
const MAX_FRAME_CHARS = 64 * 1024;

/**
 * Reads one text frame from Twilio.
 *
 * @example
 * ```ts
 * parseRelayFrame('{"type":"prompt","voicePrompt":"do you deliver","last":true}')
 * // { ok: true, frame: { type: "prompt", voicePrompt: "do you deliver", last: true } }
 * parseRelayFrame("not json") // { ok: false, problem: "not JSON" }
 * ```
 */
export function parseRelayFrame(text: string): ParsedRelayFrame {
  if (text.length > MAX_FRAME_CHARS) return { ok: false, problem: `frame larger than ${MAX_FRAME_CHARS} characters` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, problem: "not JSON" };
  }
  const parsed = inboundFrame.safeParse(json);
  if (parsed.success) return { ok: true, frame: parsed.data };
  // Paths and codes only: messages could echo values the caller said.
  const problem = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(frame)"}: ${issue.code}`).join("; ");
  return { ok: false, problem };
}

/**
 * What of an `error` frame may be logged: its Twilio error code (five digits), or "unspecified".
 * The description is never logged: it can quote what was said or sent on the call.
 *
 * @example
 * ```ts
 * twilioErrorCode({ type: "error", description: "Invalid message received: …", code: 64107 }) // "64107"
 * twilioErrorCode({ type: "error", description: "call +15557654321 failed" })                // "unspecified"
 * ```
 */
export function twilioErrorCode(frame: RelayErrorFrame): string {
  const code = typeof frame.code === "number" ? String(frame.code) : frame.code;
  return code !== undefined && /^\d{5}$/.test(code) ? code : "unspecified";
}

/** Why a relay session ended; carried to the `<Connect action>` webhook as `HandoffData`. */
export type RelayHandoff = { reason: "transfer"; transferTo: string } | { reason: "goodbye" } | { reason: "unavailable" };

const handoffSchema = z.discriminatedUnion("reason", [
  z.looseObject({ reason: z.literal("transfer"), transferTo: z.string().regex(E164_PATTERN) }),
  z.looseObject({ reason: z.literal("goodbye") }),
  z.looseObject({ reason: z.literal("unavailable") }),
]);

/**
 * Reads `HandoffData` as posted to the action URL; undefined when absent or not ours (the caller
 * hung up, or the session failed).
 *
 * @example
 * ```ts
 * parseHandoff('{"reason":"transfer","transferTo":"+15550009999"}') // { reason: "transfer", transferTo: "+15550009999" }
 * parseHandoff(undefined) // undefined
 * ```
 */
export function parseHandoff(text: string | undefined): RelayHandoff | undefined {
  if (text === undefined || text === "") return undefined;
  try {
    const parsed = handoffSchema.safeParse(JSON.parse(text));
    return parsed.success ? (parsed.data as RelayHandoff) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A `text` frame: one token of the reply; `last` marks the end of the reply.
 *
 * @example
 * ```ts
 * textFrame("Free parking ", false) // '{"type":"text","token":"Free parking ","last":false}'
 * ```
 */
export function textFrame(token: string, last: boolean): string {
  return JSON.stringify({ type: "text", token, last });
}

/**
 * An `end` frame: Twilio ends the session and posts `handoffData` (a JSON string) to the action URL.
 *
 * @example
 * ```ts
 * endFrame({ reason: "transfer", transferTo: "+15550009999" })
 * // '{"type":"end","handoffData":"{\"reason\":\"transfer\",\"transferTo\":\"+15550009999\"}"}'
 * ```
 */
export function endFrame(handoff: RelayHandoff): string {
  return JSON.stringify({ type: "end", handoffData: JSON.stringify(handoff) });
}

/**
 * Splits a reply into the tokens it is streamed as: one word with the spacing after it, so the
 * tokens joined give the reply back exactly and speech synthesis can start on the first word.
 *
 * @example
 * ```ts
 * replyTokens("Free parking is behind the building.") // ["Free ", "parking ", "is ", "behind ", "the ", "building."]
 * ```
 */
export function replyTokens(reply: string): string[] {
  const tokens = reply.match(/\s*\S+\s*/g);
  return tokens === null ? [] : tokens;
}
