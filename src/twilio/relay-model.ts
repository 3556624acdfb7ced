/**
 * A relay turn's model answer as it streams: each checked sentence goes out as a `text` frame the
 * moment the answerer hands it over, and is tracked as the reply being spoken, so an interrupt
 * knows how much the caller heard. Aborting the controller ends the model request.
 */
import type { Business } from "../bot/business.ts";
import type { ModelAnswerer, ModelReply } from "../bot/model-answers.ts";
import { replies } from "../bot/replies.ts";
import { textFrame } from "./relay-frames.ts";

/** The reply being streamed, as relay.ts tracks it for interruptions. */
export interface LiveReply {
  text: string;
  tokens: string[];
  sent: number;
  cancelled: boolean;
}

/**
 * The sentence sink of one prompt's model answer.
 *
 * @example
 * ```ts
 * const stream = modelReplyStream((frame) => socket.send(frame), (live) => (streaming = live));
 * await answerer.ask(business, question, { now, signal: stream.aborter.signal, onText: stream.onText });
 * ```
 */
export function modelReplyStream(send: (frame: string) => boolean, started: (live: LiveReply) => void) {
  const aborter = new AbortController();
  const live: LiveReply = { text: "", tokens: [], sent: 0, cancelled: false };
  const onText = (text: string): void => {
    if (aborter.signal.aborted || live.cancelled) return;
    started(live);
    live.text += text;
    live.tokens.push(text);
    if (send(textFrame(text, false))) live.sent++;
  };
  return {
    aborter,
    live,
    onText,
    /** The turn's model dependency: asks with this stream's signal and sink, and a filler after `fillerAfterMs`. */
    asker(model: ModelAnswerer, now: Date, fillerAfterMs: number) {
      return (business: Business, question: string, faq: number | undefined): Promise<ModelReply> =>
        model.ask(business, question, {
          now,
          signal: aborter.signal,
          onText,
          filler: { afterMs: fillerAfterMs, text: replies.oneMoment(business) },
          ...(faq === undefined ? {} : { faq }),
        });
    },
  };
}
