import type { Attributes, Meter } from "@opentelemetry/api";
import { APP_INSTRUMENTS as I } from "./instruments.ts";

/**
 * The bot's instruments, created once. Attributes never carry phone numbers, caller words or
 * business secrets: only outcomes and statuses from fixed lists. `Outcome` is that list of turn
 * outcomes, given by the caller (the webhook routes know it; telemetry knows nothing of the bot).
 *
 * @example
 * ```ts
 * const botMetrics = createBotMetrics<"answer" | "fallback">(metrics.getMeter("voxedge"));
 * botMetrics.turn("answer", 0.0012);
 * ```
 */
export function createBotMetrics<Outcome extends string = string>(meter: Meter) {
  const turnDuration = meter.createHistogram(I.turnDuration.name, { unit: I.turnDuration.unit, description: I.turnDuration.description });
  const knowledgeDuration = meter.createHistogram(I.knowledgeDuration.name, {
    unit: I.knowledgeDuration.unit,
    description: I.knowledgeDuration.description,
  });
  const activeCalls = meter.createUpDownCounter(I.activeCalls.name, { unit: I.activeCalls.unit, description: I.activeCalls.description });
  const callsEnded = meter.createCounter(I.callsEnded.name, { unit: I.callsEnded.unit, description: I.callsEnded.description });
  const callDuration = meter.createHistogram(I.callDuration.name, { unit: I.callDuration.unit, description: I.callDuration.description });
  const answers = meter.createCounter(I.answers.name, { unit: I.answers.unit, description: I.answers.description });
  const sourceAttrs = new Map<string, Attributes>();

  const outcomeAttrs = new Map<string, Attributes>();
  const outcome = (name: string): Attributes => {
    let attrs = outcomeAttrs.get(name);
    if (attrs === undefined) outcomeAttrs.set(name, (attrs = { "bot.outcome": name }));
    return attrs;
  };
  const matched = { true: { "bot.matched": true }, false: { "bot.matched": false } };
  const FINAL = new Set(["completed", "busy", "failed", "no-answer", "canceled"]);

  return {
    turn(result: Outcome, seconds: number): void {
      turnDuration.record(seconds, outcome(result));
    },
    knowledge(seconds: number, wasMatched: boolean): void {
      knowledgeDuration.record(seconds, wasMatched ? matched.true : matched.false);
    },
    /** Where an answer came from: faq, cache, semantic, model or fallback (a fixed list, from the bot). */
    answer(source: "faq" | "cache" | "semantic" | "model" | "fallback"): void {
      let attrs = sourceAttrs.get(source);
      if (attrs === undefined) sourceAttrs.set(source, (attrs = { "answer.source": source }));
      answers.add(1, attrs);
    },
    callStarted(): void {
      activeCalls.add(1);
    },
    /** A final status; unknown statuses are reported as `other` so attributes stay a fixed list. */
    callEnded(status: string, durationSeconds: number | undefined): void {
      activeCalls.add(-1);
      callsEnded.add(1, { "call.status": FINAL.has(status) ? status : "other" });
      if (durationSeconds !== undefined && Number.isFinite(durationSeconds)) callDuration.record(durationSeconds);
    },
  };
}

export type BotMetrics<Outcome extends string = string> = ReturnType<typeof createBotMetrics<Outcome>>;
