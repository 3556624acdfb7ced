/**
 * `bun run call -- --relay "do you have parking" "goodbye"`: plays a ConversationRelay call
 * against a running server (started with `VOICE_MODE=relay`) the way Twilio would: posts the
 * incoming-call webhook, reads `<Connect><ConversationRelay>`, opens the socket with a signed
 * handshake, sends `setup` and each utterance as a final `prompt`, prints the streamed reply with
 * the time from each prompt to its first token, follows `end` to the `<Connect action>` webhook,
 * and finally posts the `completed` status callback.
 */
import { sleep } from "../util/sleep.ts";
import { readTwiml } from "./twiml-reader.ts";
import { callFields, webhookClient } from "./webhook-client.ts";
import { childElements, findElement, parseXml } from "./xml-reader.ts";

export interface RelayCallOptions {
  /** Where the server listens, e.g. `http://127.0.0.1:3000`. */
  url: string;
  /** The URL the server signs against (its PUBLIC_BASE_URL); default `url`. */
  publicUrl?: string;
  to: string;
  from: string;
  utterances: string[];
  /** Twilio auth token to sign with; unsigned without. */
  token?: string;
  print: (line: string) => void;
}

export interface RelayCallTurn {
  caller: string;
  /** The reply as streamed, tokens joined. */
  bot: string;
  tokens: number;
  /** From sending the prompt to the first `text` token, in ms (undefined when none came). */
  firstTokenMs: number | undefined;
  /** From sending the prompt to the token marked `last`, in ms. */
  wholeReplyMs: number | undefined;
}

export interface RelayCallResult {
  callSid: string;
  greeting: string | undefined;
  turns: RelayCallTurn[];
  /** `handoffData` of the `end` frame, parsed; undefined when the caller hung up first. */
  handoff: Record<string, unknown> | undefined;
  /** What the action webhook answered: `dial +1…`, `hangup`, or another verb's name. */
  afterSession: string | undefined;
}

/** Longest wait for the server's next frame. */
const FRAME_TIMEOUT_MS = 10_000;

type Frame = { type: string; [field: string]: unknown };

/**
 * Plays one relay call and prints its transcript. Throws when the server does not answer with
 * ConversationRelay TwiML, refuses the socket, or stops answering.
 *
 * @example
 * ```ts
 * await runRelayCall({ url: "http://127.0.0.1:3000", to: "+15550001111", from: "+14155550100",
 *   utterances: ["do you have parking", "goodbye"], token: process.env.TWILIO_AUTH_TOKEN, print: console.log });
 * ```
 */
export async function runRelayCall(options: RelayCallOptions): Promise<RelayCallResult> {
  const client = webhookClient({ url: options.url, publicUrl: options.publicUrl, token: options.token });
  const serverUrl = client.serverUrl;
  const base = callFields(options.from, options.to);
  const callSid = base.CallSid;
  const result: RelayCallResult = { callSid, greeting: undefined, turns: [], handoff: undefined, afterSession: undefined };
  const startedAt = Date.now();

  async function post(target: string, fields: Record<string, string>): Promise<string> {
    const { status, text } = await client.post(target, fields);
    if (status !== 200 && status !== 204) throw new Error(`${target} answered ${status}: ${text.slice(0, 200)}`);
    return text;
  }

  options.print(`calling ${options.to} at ${serverUrl} (ConversationRelay)`);
  const relay = readRelayTwiml(await post("/twilio/voice", { ...base, CallStatus: "ringing" }));
  if (relay === undefined) throw new Error("the server did not answer with <Connect><ConversationRelay>: start it with VOICE_MODE=relay");
  result.greeting = relay.welcomeGreeting;
  if (relay.welcomeGreeting) options.print(`bot:    ${relay.welcomeGreeting}   (welcome greeting, spoken by Twilio)`);

  // Twilio connects to the URL in the TwiML and signs exactly that URL; here the socket goes to
  // the server under test, at the same path.
  const socketUrl = new URL(relay.url);
  const connectUrl = toWebSocketBase(serverUrl) + socketUrl.pathname + socketUrl.search;
  const headers: Record<string, string> = {};
  const signature = client.signature(relay.url, {});
  if (signature !== undefined) headers["x-twilio-signature"] = signature;
  const inbox = await openSocket(connectUrl, headers);

  try {
    inbox.send({
      type: "setup",
      sessionId: `VX${crypto.randomUUID().replaceAll("-", "")}`,
      accountSid: base.AccountSid,
      callSid,
      from: options.from,
      to: options.to,
      direction: "inbound",
      callType: "PSTN",
      customParameters: relay.parameters,
    });

    for (const utterance of options.utterances) {
      // Frames that are already in belong to the previous turn (an `end` right after its last token).
      await sleep(0);
      const early = inbox.takeEnd();
      if (early !== undefined) {
        result.handoff = early;
        break;
      }
      options.print(`caller: ${utterance}`);
      const sentAt = performance.now();
      inbox.send({ type: "prompt", voicePrompt: utterance, lang: "en-US", last: true });
      const turn: RelayCallTurn = { caller: utterance, bot: "", tokens: 0, firstTokenMs: undefined, wholeReplyMs: undefined };
      result.turns.push(turn);
      let done = false;
      while (!done) {
        const frame = await inbox.next(FRAME_TIMEOUT_MS);
        if (frame === "closed") throw new Error("the server closed the relay socket");
        if (frame.type === "text") {
          turn.firstTokenMs ??= performance.now() - sentAt;
          turn.bot += typeof frame.token === "string" ? frame.token : "";
          turn.tokens++;
          if (frame.last === true) {
            turn.wholeReplyMs = performance.now() - sentAt;
            done = true;
          }
        } else if (frame.type === "end") {
          result.handoff = parseHandoffData(frame.handoffData);
          done = true;
        }
      }
      if (turn.tokens > 0) options.print(`bot:    ${turn.bot}`);
      options.print(
        `        (prompt → first token ${fmt(turn.firstTokenMs)} ms, whole reply ${fmt(turn.wholeReplyMs)} ms, ${turn.tokens} token${turn.tokens === 1 ? "" : "s"})`,
      );
      if (result.handoff !== undefined) break;
    }
    if (result.handoff === undefined) {
      await sleep(0);
      result.handoff = inbox.takeEnd();
    }
  } finally {
    inbox.close();
  }

  const seconds = String(Math.max(1, Math.round((Date.now() - startedAt) / 1000)));
  if (result.handoff !== undefined) options.print(`[the bot ends the session: ${JSON.stringify(result.handoff)}]`);
  else options.print("[the caller hangs up]");
  const actionFields: Record<string, string> = { ...base, CallStatus: "in-progress", SessionStatus: result.handoff ? "ended" : "completed", SessionDuration: seconds };
  if (result.handoff !== undefined) actionFields.HandoffData = JSON.stringify(result.handoff);
  if (relay.action !== undefined) {
    result.afterSession = describeAction(await post(relay.action, actionFields));
    options.print(`action: ${result.afterSession}`);
  }
  await post("/twilio/status", { ...base, CallStatus: "completed", CallDuration: seconds, SequenceNumber: "1" }).catch(() => undefined);

  const times = result.turns.map((t) => t.firstTokenMs).filter((t): t is number => t !== undefined);
  if (times.length > 0) {
    const sorted = [...times].sort((a, b) => a - b);
    options.print(`\n${result.turns.length} turns; prompt → first token median ${fmt(sorted[Math.floor((sorted.length - 1) / 2)])} ms, max ${fmt(sorted.at(-1))} ms`);
  }
  return result;
}

interface RelayTwiml {
  url: string;
  action: string | undefined;
  welcomeGreeting: string | undefined;
  parameters: Record<string, string>;
}

/** `<Connect action><ConversationRelay url welcomeGreeting><Parameter name value/>…` out of a TwiML answer. */
function readRelayTwiml(xml: string): RelayTwiml | undefined {
  const connect = findElement(parseXml(xml), "Connect");
  const relay = connect && childElements(connect).find((child) => child.name === "ConversationRelay");
  const url = relay?.attributes.url;
  if (connect === undefined || relay === undefined || url === undefined) return undefined;
  const parameters: Record<string, string> = {};
  for (const parameter of childElements(relay)) {
    const name = parameter.attributes.name;
    if (parameter.name === "Parameter" && name !== undefined) parameters[name] = parameter.attributes.value ?? "";
  }
  return { url, action: connect.attributes.action, welcomeGreeting: relay.attributes.welcomeGreeting, parameters };
}

/** What the action webhook's TwiML does, in a few words. */
function describeAction(xml: string): string {
  const steps = readTwiml(xml);
  const dial = steps.find((step) => step.verb === "Dial");
  if (dial !== undefined) return `[transfers the call to ${dial.number}]`;
  if (steps.some((step) => step.verb === "Hangup")) return "[hangs up]";
  return `[answers ${xml.replace(/<\?xml[^>]*\?>/, "").slice(0, 120)}]`;
}

function parseHandoffData(value: unknown): Record<string, unknown> {
  if (typeof value !== "string") return {};
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : { value: parsed };
  } catch {
    return { raw: value };
  }
}

function toWebSocketBase(url: string): string {
  return url.replace(/^http(s?):/i, (_, s: string) => `ws${s}:`);
}

function fmt(ms: number | undefined): string {
  return ms === undefined ? "?" : ms.toFixed(2);
}

/** Bun's and Deno's WebSocket client take handshake headers; the DOM typings do not know that option. */
const WebSocketWithHeaders = WebSocket as unknown as new (url: string, options: { headers: Record<string, string> }) => WebSocket;

interface Inbox {
  send(frame: Record<string, unknown>): void;
  /** The next frame, or "closed" once the socket closed; throws after `timeoutMs`. */
  next(timeoutMs: number): Promise<Frame | "closed">;
  /** Removes and returns an `end` frame already received, if any. */
  takeEnd(): Record<string, unknown> | undefined;
  close(): void;
}

/** Opens the socket and queues what arrives, so no frame is lost between awaits. */
function openSocket(url: string, headers: Record<string, string>): Promise<Inbox> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocketWithHeaders(url, { headers });
    const frames: Frame[] = [];
    let waiter: ((frame: Frame | "closed") => void) | undefined;
    let closed = false;
    let opened = false;

    const deliver = (frame: Frame | "closed") => {
      const wake = waiter;
      waiter = undefined;
      if (wake !== undefined) wake(frame);
      else if (frame !== "closed") frames.push(frame);
    };

    ws.onmessage = (event) => {
      try {
        const frame: unknown = JSON.parse(String(event.data));
        if (typeof frame === "object" && frame !== null && typeof (frame as Frame).type === "string") deliver(frame as Frame);
      } catch {
        // Not a frame of the protocol; Twilio would drop it too.
      }
    };
    ws.onclose = (event) => {
      closed = true;
      if (!opened) reject(new Error(`the server refused the relay socket (close ${event.code}${event.reason ? `: ${event.reason}` : ""}); is the token right?`));
      deliver("closed");
    };
    ws.onerror = () => {
      if (!opened) reject(new Error(`could not open the relay socket at ${url} (refused handshake or no server)`));
    };
    ws.onopen = () => {
      opened = true;
      resolve({
        send: (frame) => ws.send(JSON.stringify(frame)),
        next(timeoutMs) {
          const queued = frames.shift();
          if (queued !== undefined) return Promise.resolve(queued);
          if (closed) return Promise.resolve("closed");
          return new Promise((resolveFrame, rejectFrame) => {
            const timer = setTimeout(() => {
              waiter = undefined;
              rejectFrame(new Error(`no frame from the server within ${timeoutMs} ms`));
            }, timeoutMs);
            waiter = (frame) => {
              clearTimeout(timer);
              resolveFrame(frame);
            };
          });
        },
        takeEnd() {
          const index = frames.findIndex((frame) => frame.type === "end");
          if (index === -1) return undefined;
          const [end] = frames.splice(index, 1);
          return parseHandoffData(end?.handoffData);
        },
        close: () => ws.close(1000, "caller hung up"),
      });
    };
  });
}
