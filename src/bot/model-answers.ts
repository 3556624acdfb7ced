/**
 * Answers from a language model, behind the answer cache: what the turn asks when the FAQs have no
 * confident answer. A question is looked up in the `answers` namespace under a hashed key (business,
 * facts version, model, prompt version, normalised question); on a miss one caller in the whole
 * fleet (the namespace's distributed lock) spends the business's budget and asks the model,
 * grounded on the business's facts only, and the checked answer — or the model's "not in the
 * facts" — is cached for everyone. Nothing the check refuses is ever spoken.
 *
 * Three ways to wait, one per channel:
 * - Gather (`waitMs`): past the soft timeout the reply is `pending` with the answer's key; the model
 *   call keeps running and writes L2, and {@link ModelAnswerer.pending} picks the answer up on
 *   whichever instance Twilio's redirect reaches.
 * - ConversationRelay (`onText`): checked sentences go out as they are completed by the stream.
 * - `signal`: aborts the model request (a barge-in); nothing is cached then.
 */
import type { NamespaceHandle } from "../cache/index.ts";
import type { Business } from "./business.ts";
import { businessTag } from "./cache-keys.ts";
import { hoursAnswerValidUntil } from "./hours.ts";
import type { ModelBudget } from "./model-budget.ts";
import type { SemanticLayer } from "./semantic-answers.ts";
import {
  PROMPT_VERSION,
  checkAnswer,
  factQuantities,
  factsVersion,
  groundedMessages,
  isModelError,
  type AnswerKeys,
  type AnswerRejection,
  type ModelClient,
  type ModelErrorCode,
} from "./model/index.ts";
import { sleep } from "../util/sleep.ts";

/** What the answer cache holds for a question: a checked answer, or why there is none. */
export type CachedAnswer =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly reason: AnswerRejection | "failed" };

/** Why no model answer is spoken: the check's verdict, the budget, or the model's failure. */
export type ModelMiss = AnswerRejection | "failed" | "budget" | "timeout" | "aborted" | "unavailable" | "error";

/** What the turn gets back. `source` says whether this turn paid for a model call. */
export type ModelReply =
  | { readonly kind: "answer"; readonly text: string; readonly source: "cache" | "semantic" | "model"; /** Sentences already went out through `onText`. */ readonly streamed: boolean }
  | { readonly kind: "pending"; readonly key: string; readonly since: number }
  | { readonly kind: "none"; readonly reason: ModelMiss };

/** How one question is asked. */
export interface AskOptions {
  readonly now: Date;
  /** Gather: give up waiting after this long and answer `pending` (the call goes on). */
  readonly waitMs?: number;
  /** Aborts the model request; the reply is then `none` / `aborted`. */
  readonly signal?: AbortSignal;
  /** Relay: each checked sentence as the model completes it. */
  readonly onText?: (text: string) => void;
  /** The FAQ retrieval ranked first for the question, confident or not: a paraphrase must not disagree. */
  readonly faq?: number;
  /** Relay: said through `onText` when nothing was said after `afterMs` ("One moment, let me check."). */
  readonly filler?: { readonly afterMs: number; readonly text: string };
}

/** Options of {@link createModelAnswerer}; read once at creation. */
export interface ModelAnswererOptions {
  readonly client: ModelClient;
  readonly answers: NamespaceHandle<CachedAnswer>;
  /** Built from the deployment's CACHE_KEY_SECRET: the same on every instance, or no instance shares answers. */
  readonly keys: AnswerKeys;
  readonly budget: ModelBudget;
  /** The paraphrase layer (EMBEDDINGS_MODEL); absent: exact questions only. */
  readonly semantic?: SemanticLayer;
  /** LLM_HARD_TIMEOUT_MS: how long a pending answer is waited for, from the turn that asked. */
  readonly hardTimeoutMs: number;
  readonly log?: (level: "debug" | "warn", message: string, fields?: Record<string, unknown>) => void;
}

/** The model answerer; see the module comment. */
export interface ModelAnswerer {
  readonly model: string;
  ask(business: Business, question: string, options: AskOptions): Promise<ModelReply>;
  /** The answer a `pending` reply promised, waited for until `since` + the hard timeout. */
  pending(key: string, since: number): Promise<ModelReply>;
}

/** A pending key as {@link createAnswerKeys} writes them; anything else in a follow-up URL is refused. */
export const PENDING_KEY = /^a1:[A-Za-z0-9_-]{43}$/;

/** How long a refused answer (a number the facts lack, a cut answer) is remembered: a model may do better later. */
const REJECTION_TTL_MS = 600_000;
/** What a time-sensitive answer's TTL leaves for the turn's work before the model and the cache write after it. */
const TIME_SENSITIVE_MARGIN_MS = 250;
/** How long a model call that failed after its turn stopped waiting is remembered, so a follow-up on another instance need not wait it out. */
const FAILURE_TTL_MS = 10_000;
/** Between two looks at L2 for a pending answer another instance is producing. */
const PENDING_POLL_MS = 50;

/** The check's verdicts, which are cached by the loader itself. */
const REJECTIONS: Readonly<Record<AnswerRejection, true>> = { dont_know: true, empty: true, too_long: true, unsupported_number: true };

/** A loader's context, plus which layer filled it. */
type Produced = { ttl: number; grace: number; tags: readonly string[] | undefined; servedBy: "semantic" | "model" | undefined };

/** The model's own budget refusal, told apart from its failures. */
class BudgetExceeded extends Error {
  override readonly name = "BudgetExceeded";
}

/**
 * Creates the answerer.
 *
 * @example
 * ```ts
 * const answerer = createModelAnswerer({ client, answers: cache.namespace("answers"), keys, budget, hardTimeoutMs: 6_000 });
 * const reply = await answerer.ask(business, "Can I bring my dog?", { now: new Date(), waitMs: 1_500 });
 * if (reply.kind === "answer") say(reply.text);
 * ```
 */
export function createModelAnswerer(options: ModelAnswererOptions): ModelAnswerer {
  const { client, answers, keys, budget, hardTimeoutMs, semantic } = options;
  const log = options.log ?? (() => undefined);
  const versions = new WeakMap<Business, string>();
  /** Model calls of this process whose turn stopped waiting (running, or settled until the follow-up is due), by key. */
  const running = new Map<string, Promise<ModelReply>>();

  const versionOf = (business: Business): string => {
    let version = versions.get(business);
    if (version === undefined) versions.set(business, (version = factsVersion(business)));
    return version;
  };

  async function produce(business: Business, question: string, key: string, options: AskOptions, context: Produced): Promise<CachedAnswer> {
    const started = performance.now();
    context.tags = [...(context.tags ?? []), businessTag(business.id)];
    const version = versionOf(business);
    const near = semantic === undefined ? undefined : await semantic.find(business, version, question, options.faq, options.signal);
    if (near?.match !== undefined && near.match !== key) {
      const reused = await answers.get(near.match).catch(() => undefined);
      if (reused !== undefined) {
        context.servedBy = "semantic";
        return reused;
      }
    }
    if (!(await budget.take(business.id))) throw new BudgetExceeded("the business used this minute's model calls");
    context.servedBy = "model";
    const messages = groundedMessages(business, question, options.now);
    const facts = factQuantities(messages[0]!.content);
    const sentences = options.onText === undefined ? undefined : sentenceStream(facts, options.onText);
    let text = "";
    let finishReason = "stop";
    for await (const event of client.complete(messages, options.signal)) {
      if (event.type === "delta") sentences?.push(event.text);
      else if (event.type === "done") {
        text = event.text;
        finishReason = event.finishReason;
      }
    }
    const verdict = finishReason === "length" ? ({ ok: false, reason: "too_long" } as const) : checkAnswer(text, facts);
    const remember = async () => {
      if (near?.vector !== undefined) await semantic!.remember(business, version, { key, vector: near.vector, faq: options.faq ?? -1 });
    };
    if (!verdict.ok) {
      if (verdict.reason !== "dont_know") context.ttl = Math.min(context.ttl, REJECTION_TTL_MS);
      else await remember();
      return { ok: false, reason: verdict.reason };
    }
    sentences?.end(verdict.text);
    if (verdict.timeSensitive) {
      // "We're open until six" is true for a minute: cache it no longer, and never serve it stale.
      // The namespace adds up to `jitter` × ttl: shorten by as much so the end of the minute still holds.
      // The TTL starts when the cache writes, after the model has answered: count the time the
      // answer took, and a margin for the turn's work before it and the write after it.
      const elapsed = performance.now() - started + TIME_SENSITIVE_MARGIN_MS;
      const left = hoursAnswerValidUntil(options.now).getTime() - options.now.getTime() - elapsed;
      context.ttl = Math.max(1, Math.min(context.ttl, Math.floor(left / (1 + answers.policy.jitter))));
      context.grace = 0;
    } else await remember();
    return { ok: true, text: verdict.text };
  }

  async function lookUp(business: Business, question: string, key: string, options: AskOptions): Promise<ModelReply> {
    let produced: Produced | undefined;
    try {
      const cached = await answers.getOrSet(key, (context) => {
        produced = Object.assign(context, { servedBy: undefined });
        return produce(business, question, key, options, produced);
      });
      if (!cached.ok) return { kind: "none", reason: cached.reason };
      const source = produced?.servedBy ?? "cache";
      return { kind: "answer", text: cached.text, source, streamed: source === "model" && options.onText !== undefined };
    } catch (error) {
      return { kind: "none", reason: missOf(error) };
    }
  }

  /** A relay caller waiting past the soft timeout hears the filler, once, before the answer. */
  async function withFiller(business: Business, question: string, key: string, options: AskOptions, onText: (text: string) => void, filler: NonNullable<AskOptions["filler"]>): Promise<ModelReply> {
    let spoke = false;
    const say = (text: string) => {
      spoke = true;
      onText(text);
    };
    const timer = setTimeout(() => {
      // A trailing space: the answer's first token follows it in the same utterance.
      if (!spoke && !options.signal?.aborted) say(`${filler.text} `);
    }, filler.afterMs);
    try {
      return await lookUp(business, question, key, { ...options, onText: say });
    } finally {
      clearTimeout(timer);
    }
  }

  function missOf(error: unknown): ModelMiss {
    if (error instanceof BudgetExceeded) {
      log("debug", "model: business over its budget; falling back");
      return "budget";
    }
    const code: ModelErrorCode | undefined = isModelError(error) ? error.code : undefined;
    if (code === "E_MODEL_ABORTED") return "aborted";
    if (code === "E_MODEL_UNAVAILABLE") return "unavailable";
    log("warn", "model: no answer; falling back", { code: code ?? "E_UNKNOWN" });
    return code === "E_MODEL_TIMEOUT" ? "timeout" : "error";
  }

  return {
    model: client.model,
    async ask(business, question, options) {
      const since = Date.now();
      const key = keys.answerKey({ businessId: business.id, factsVersion: versionOf(business), model: client.model, promptVersion: PROMPT_VERSION, question });
      const fresh = answers.peek(key);
      if (fresh !== undefined) return fresh.ok ? { kind: "answer", text: fresh.text, source: "cache", streamed: false } : { kind: "none", reason: fresh.reason };
      if (options.onText !== undefined && options.filler !== undefined) return withFiller(business, question, key, options, options.onText, options.filler);
      const result = lookUp(business, question, key, options);
      if (options.waitMs === undefined) return result;
      const stopWaiting = new AbortController();
      const gaveUp = sleep(options.waitMs, stopWaiting.signal).then(() => undefined);
      const first = await Promise.race([result, gaveUp]);
      stopWaiting.abort();
      if (first !== undefined) return first;
      running.set(key, result);
      // Kept until its follow-up is due at the latest, so a failure is known at once, not waited out.
      void result.then((late) => {
        if (late.kind === "none" && late.reason !== "aborted" && !(late.reason in REJECTIONS)) {
          answers.set(key, { ok: false, reason: "failed" }, { ttl: FAILURE_TTL_MS, grace: 0, tags: [businessTag(business.id)] }).catch(() => undefined);
        }
        const forget = setTimeout(() => {
          if (running.get(key) === result) running.delete(key);
        }, hardTimeoutMs + 1_000);
        (forget as { unref?: () => void }).unref?.();
      });
      return { kind: "pending", key, since };
    },
    async pending(key, since) {
      const deadline = since + hardTimeoutMs + 500;
      const here = running.get(key);
      if (here !== undefined) {
        const late = await Promise.race([here, sleep(Math.max(0, deadline - Date.now())).then(() => undefined)]);
        return late ?? { kind: "none", reason: "timeout" };
      }
      // Another instance asked: its model call writes the answer to L2 when it lands.
      for (;;) {
        const cached = await answers.get(key).catch(() => undefined);
        if (cached !== undefined) return cached.ok ? { kind: "answer", text: cached.text, source: "model", streamed: false } : { kind: "none", reason: cached.reason };
        const left = deadline - Date.now();
        if (left <= 0) return { kind: "none", reason: "timeout" };
        await sleep(Math.min(PENDING_POLL_MS, left));
      }
    },
  };
}

/**
 * Relay streaming with the check kept: deltas are held until a sentence ends, each finished
 * sentence is checked against the facts and sent, and the first one that fails stops the stream
 * (the final check then refuses the whole answer). "NOT_IN_FACTS" never ends a sentence, so it is
 * never sent.
 */
function sentenceStream(facts: ReadonlySet<string>, send: (text: string) => void) {
  let held = "";
  let sent = 0;
  let stopped = false;
  const flush = (upTo: number) => {
    const part = held.slice(0, upTo);
    held = held.slice(upTo);
    if (stopped || part.trim() === "") return;
    if (!checkAnswer(part, facts).ok) {
      stopped = true;
      return;
    }
    sent += part.length;
    send(part);
  };
  return {
    push(delta: string) {
      held += delta;
      const end = lastSentenceEnd(held);
      if (end > 0) flush(end);
    },
    /** The whole answer passed the check: send what is still held. */
    end(_whole: string) {
      flush(held.length);
      return sent;
    },
  };
}

/** The index just past the last ". ", "! " or "? " in `text`, or 0. */
function lastSentenceEnd(text: string): number {
  for (let i = text.length - 2; i >= 0; i--) {
    const c = text[i];
    if ((c === "." || c === "!" || c === "?") && /\s/.test(text[i + 1]!)) return i + 1;
  }
  return 0;
}
