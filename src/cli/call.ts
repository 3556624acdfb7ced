/**
 * `bun run call -- --to +15550001111 "do you have parking" "when do you close" "goodbye"`
 *
 * Plays Twilio against a running server: posts the incoming-call webhook, then follows the TwiML
 * as Twilio would (Gather → the next utterance, Redirect, Dial, Hangup), signing every request
 * with the server's auth token, and prints a transcript with the server time of each turn.
 */
import { parseCommandLine, UsageError } from "./args.ts";
import { readTwiml, type TwimlStep } from "./twiml-reader.ts";
import { callFields, webhookClient } from "./webhook-client.ts";

const USAGE = `Usage: bun run call -- [options] [utterance …]

Plays a phone call against a running voxedge server and prints the transcript.

Options:
  --to NUMBER          the dialled business number (default +15550001111, the sample pizzeria)
  --from NUMBER        the caller's number (default +14155550100)
  --url URL            the server to call (default http://127.0.0.1:$PORT or :3000)
  --public-url URL     the URL the server signs against (default $PUBLIC_BASE_URL, else --url)
  --token TOKEN        Twilio auth token to sign with (default $TWILIO_AUTH_TOKEN; unsigned without)
  --relay              play a ConversationRelay session over WebSocket instead of Gather webhooks
  -h, --help           this text

Each utterance is one caller turn; when they run out, the caller stays silent until the bot hangs up.`;

/** Turns before the simulator gives up on a bot that never ends the call. */
const MAX_TURNS = 25;

export interface CallOptions {
  url: string;
  publicUrl: string;
  to: string;
  from: string;
  token: string | undefined;
  utterances: string[];
  print: (line: string) => void;
}

export interface CallTurn {
  caller: string | undefined;
  bot: string[];
  /** The server's own total from `Server-Timing`, in ms. */
  serverMs: number | undefined;
  /** The round trip as the simulator saw it, in ms. */
  roundTripMs: number;
}

/**
 * Plays one call and returns its turns. Throws when the server answers with anything but TwiML.
 *
 * @example
 * ```ts
 * const turns = await playCall({ url: "http://127.0.0.1:3000", publicUrl: "http://127.0.0.1:3000", to: "+15550001111",
 *   from: "+14155550100", token: undefined, utterances: ["do you have parking"], print: console.log });
 * ```
 */
export async function playCall(options: CallOptions): Promise<CallTurn[]> {
  const client = webhookClient({ url: options.url, publicUrl: options.publicUrl, token: options.token });
  const base = callFields(options.from, options.to);
  const pending = [...options.utterances];
  const turns: CallTurn[] = [];
  const started = Date.now();
  let sequence = 0;

  async function post(target: string, fields: Record<string, string>): Promise<{ steps: TwimlStep[]; serverMs?: number; roundTripMs: number }> {
    const { status, text, headers, roundTripMs } = await client.post(target, fields);
    if (status !== 200) throw new Error(`${target} answered ${status}: ${text.slice(0, 200)}`);
    const total = /total;dur=([\d.]+)/.exec(headers.get("server-timing") ?? "")?.[1];
    return { steps: readTwiml(text), serverMs: total === undefined ? undefined : Number(total), roundTripMs };
  }

  let next: { target: string; fields: Record<string, string>; caller?: string } | undefined = {
    target: "/twilio/voice",
    fields: { ...base, CallStatus: "ringing" },
  };
  while (next !== undefined && turns.length < MAX_TURNS) {
    if (next.caller !== undefined) options.print(`caller: ${next.caller}`);
    const reply = await post(next.target, next.fields);
    const turn: CallTurn = { caller: next.caller, bot: [], serverMs: reply.serverMs, roundTripMs: reply.roundTripMs };
    turns.push(turn);
    next = undefined;
    let ended = false;
    for (const step of reply.steps) {
      if (ended || next !== undefined) break;
      switch (step.verb) {
        case "Say":
          turn.bot.push(step.text);
          break;
        case "Gather": {
          turn.bot.push(...step.says);
          const utterance = pending.shift();
          // With no speech Twilio skips the action and runs the next verb (the Redirect).
          if (utterance !== undefined) {
            next = { target: step.action ?? "/twilio/gather", fields: { ...base, CallStatus: "in-progress", SpeechResult: utterance, Confidence: "0.92" }, caller: utterance };
          }
          break;
        }
        case "Redirect":
          next = { target: step.url, fields: { ...base, CallStatus: "in-progress" }, caller: "(silence)" };
          break;
        case "Dial":
          turn.bot.push(`[transfers the call to ${step.number}]`);
          ended = true;
          break;
        case "Hangup":
          turn.bot.push("[hangs up]");
          ended = true;
          break;
        case "Connect":
          turn.bot.push(`[connects a ConversationRelay session at ${step.url ?? "?"}; play it with --relay]`);
          ended = true;
          break;
        case "Other":
          turn.bot.push(`[unexpected verb <${step.name}>]`);
          break;
      }
    }
    for (const line of turn.bot) options.print(`bot:    ${line}`);
    options.print(`        (server ${turn.serverMs?.toFixed(2) ?? "?"} ms, round trip ${turn.roundTripMs.toFixed(2)} ms)`);
  }

  const duration = String(Math.max(1, Math.round((Date.now() - started) / 1000)));
  await post("/twilio/status", { ...base, CallStatus: "completed", CallDuration: duration, SequenceNumber: String(++sequence) }).catch(() => undefined);
  return turns;
}

/** Median and 99th percentile of the server times of a call's turns, for the summary line. */
export function summarize(turns: readonly CallTurn[]): { p50: number; p99: number } | undefined {
  const times = turns.map((t) => t.serverMs).filter((t): t is number => t !== undefined).sort((a, b) => a - b);
  if (times.length === 0) return undefined;
  const at = (q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)] as number;
  return { p50: at(0.5), p99: at(0.99) };
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseCommandLine(argv, { to: "string", from: "string", url: "string", "public-url": "string", token: "string", relay: "boolean", help: "boolean" });
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { flags, positionals } = parsed;
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }
  const url = (flags.url as string | undefined) ?? `http://127.0.0.1:${process.env.PORT ?? "3000"}`;
  const options: CallOptions = {
    url,
    publicUrl: (flags["public-url"] as string | undefined) ?? process.env.PUBLIC_BASE_URL ?? url,
    to: (flags.to as string | undefined) ?? "+15550001111",
    from: (flags.from as string | undefined) ?? "+14155550100",
    token: (flags.token as string | undefined) ?? process.env.TWILIO_AUTH_TOKEN,
    utterances: positionals,
    print: (line) => console.log(line),
  };
  try {
    if (flags.relay) {
      const { runRelayCall } = await import("./relay-call.ts");
      await runRelayCall({ url: options.url, publicUrl: options.publicUrl, to: options.to, from: options.from, utterances: options.utterances, token: options.token, print: options.print });
      return 0;
    }
    options.print(`calling ${options.to} at ${options.url}`);
    const turns = await playCall(options);
    const summary = summarize(turns);
    if (summary) options.print(`\n${turns.length} turns; server time p50 ${summary.p50.toFixed(2)} ms, p99 ${summary.p99.toFixed(2)} ms`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    const message = (error as Error).message;
    console.error(/ECONNREFUSED|Unable to connect|fetch failed/i.test(message) ? `No server answers at ${options.url}: start one with \`bun run server\`.` : message);
    return 1;
  }
}

if (import.meta.main) process.exit(await main(process.argv.slice(2)));
