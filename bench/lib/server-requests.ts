/**
 * The webhook traffic the server benchmark sends: simulated calls whose `POST /twilio/gather`
 * bodies are built once. Each turn is posted to the `<Gather action>` the previous reply gave, as
 * Twilio does (the call's state travels in that URL) and signed over that URL; the calls are played
 * once before the load to record those URLs, so the load generator only replays bytes.
 */
import { createSignatureValidator } from "../../src/twilio/signature.ts";

/** One caller question and the sample business number it is asked of. */
export interface BenchQuestion {
  to: string;
  speech: string;
}

const BELLA = "+15550001111";
const DENTAL = "+15550002222";
const AUTO = "+15550003333";

/**
 * Twenty things callers say to the sample businesses: mostly paraphrased FAQ questions (each hits
 * the knowledge cache after its first ask), plus one hours question, which is computed from the
 * clock on every turn and never cached, as in real traffic.
 */
export const BENCH_QUESTIONS: readonly BenchQuestion[] = [
  { to: BELLA, speech: "is there somewhere to park my car" },
  { to: BELLA, speech: "do you guys deliver to my house" },
  { to: BELLA, speech: "how much is the delivery fee" },
  { to: BELLA, speech: "how much for a large pizza" },
  { to: BELLA, speech: "do you have gluten free crust" },
  { to: BELLA, speech: "do you have vegan options" },
  { to: BELLA, speech: "can I book a table for eight people" },
  { to: BELLA, speech: "do you take credit cards" },
  { to: BELLA, speech: "are you open on sunday" },
  { to: DENTAL, speech: "which insurance do you take" },
  { to: DENTAL, speech: "are you taking new patients" },
  { to: DENTAL, speech: "I broke a tooth what do I do" },
  { to: DENTAL, speech: "how much is a teeth cleaning" },
  { to: DENTAL, speech: "do you do whitening" },
  { to: DENTAL, speech: "can my kids see the dentist there" },
  { to: AUTO, speech: "how much is an oil change" },
  { to: AUTO, speech: "do I need an appointment or can I just walk in" },
  { to: AUTO, speech: "do you have a loaner car" },
  { to: AUTO, speech: "do you work on brakes" },
  { to: AUTO, speech: "do you sell tires" },
];

/** One turn of a benchmark call: the posted fields (signed per request, since the URL changes) and the form body. */
export interface BenchTurn {
  params: Readonly<Record<string, string>>;
  body: string;
}

/** A simulated call: one CallSid, one business, its turns in order. */
export interface BenchCall {
  callSid: string;
  turns: readonly BenchTurn[];
}

export interface BenchCallsOptions {
  /** How many calls; call `c` asks business `c % 3` its questions, starting at a different one each call. Default 60. */
  count?: number;
  questions?: readonly BenchQuestion[];
}

/**
 * Builds the benchmark's calls: each has a CallSid of its own and asks one sample business every
 * question of the list meant for it, one per turn. Bodies are built once, before the load; the
 * signature is not, because it covers the action URL, which carries the call's state and so
 * changes from turn to turn (see {@link gatherSigner}).
 *
 * @example
 * ```ts
 * const calls = benchCalls();
 * calls[0].turns[0].body // "AccountSid=…&SpeechResult=is+there+somewhere+to+park+my+car&To=%2B15550001111"
 * ```
 */
export function benchCalls(options: BenchCallsOptions = {}): BenchCall[] {
  const questions = options.questions ?? BENCH_QUESTIONS;
  const businesses = [...new Set(questions.map((q) => q.to))];
  const count = options.count ?? 60;
  const calls: BenchCall[] = [];
  for (let c = 0; c < count; c++) {
    const to = businesses[c % businesses.length]!;
    const asked = questions.filter((q) => q.to === to);
    const callSid = `CA${c.toString(16).padStart(32, "0")}`;
    const turns = asked.map((_, t) => {
      const question = asked[(t + Math.floor(c / businesses.length)) % asked.length]!;
      // Names in code-unit order, as Twilio posts them: the signature then needs no sort.
      const params: Record<string, string> = {
        AccountSid: "AC00000000000000000000000000000000",
        ApiVersion: "2010-04-01",
        CallSid: callSid,
        CallStatus: "in-progress",
        Confidence: "0.92",
        Direction: "inbound",
        From: `+1555${String(7_000_000 + c).padStart(7, "0")}`,
        Language: "en-US",
        SpeechResult: question.speech,
        To: to,
      };
      return { params, body: new URLSearchParams(params).toString() };
    });
    calls.push({ callSid, turns });
  }
  return calls;
}

/** The path a call's first gather turn posts to: no state yet, which the server takes as the first turn. */
export const FIRST_GATHER_PATH = "/twilio/gather";

/**
 * Signs a turn as Twilio would for the path it posts to (the server's PUBLIC_BASE_URL + path and
 * query), and reads from a reply the path of the next turn, as Twilio does: the `<Gather action>`.
 *
 * @example
 * ```ts
 * const signer = gatherSigner({ publicBaseUrl: "https://bot.example.com", authToken: "secret" });
 * const headers = signer.headers(FIRST_GATHER_PATH, turn.params);
 * const next = signer.nextPath(await response.text()) ?? FIRST_GATHER_PATH;
 * ```
 */
export function gatherSigner(options: { publicBaseUrl: string; authToken: string }) {
  const signer = createSignatureValidator(options.authToken);
  const base = options.publicBaseUrl.replace(/\/+$/, "");
  return {
    headers(path: string, params: Readonly<Record<string, string>>): Record<string, string> {
      return { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": signer.sign(base + path, params) };
    },
    /** The path (with query) of the reply's `<Gather action>`, or undefined when the reply listens no more. */
    nextPath(twiml: string): string | undefined {
      const gather = twiml.indexOf("<Gather");
      const start = gather === -1 ? -1 : twiml.indexOf('action="', gather);
      if (start === -1) return undefined;
      const end = twiml.indexOf('"', start + 8);
      const action = twiml.slice(start + 8, end).replaceAll("&amp;", "&");
      return action.startsWith(base) ? action.slice(base.length) : action.startsWith("/") ? action : undefined;
    },
  };
}

export type GatherSigner = ReturnType<typeof gatherSigner>;

/** A turn ready to replay: the path it is posted to (the previous reply's action), its body and signed headers. */
export interface SignedTurn {
  path: string;
  body: string;
  headers: Record<string, string>;
}

/**
 * Plays every call once against a server as Twilio would — each turn posted to the `<Gather
 * action>` the previous reply gave, signed over that URL — and returns each call's turns as sent,
 * for the load generator to replay. Replaying a recorded URL replays that turn with the state it
 * carried, which is exactly the work a live turn costs the server. Also checks every reply: a 200
 * with TwiML that says something, listening again (if at all) at a URL with the call's state.
 *
 * @example
 * ```ts
 * const { recorded, problems } = await recordCalls(origin, benchCalls(), signer);
 * ```
 */
export async function recordCalls(origin: string, calls: readonly BenchCall[], signer: GatherSigner): Promise<{ recorded: SignedTurn[][]; problems: string[] }> {
  const problems: string[] = [];
  const recorded: SignedTurn[][] = [];
  for (const call of calls) {
    let path = FIRST_GATHER_PATH;
    const turns: SignedTurn[] = [];
    for (const turn of call.turns) {
      const sent: SignedTurn = { path, body: turn.body, headers: signer.headers(path, turn.params) };
      turns.push(sent);
      const response = await fetch(origin + path, { method: "POST", headers: sent.headers, body: sent.body });
      const text = await response.text();
      const next = signer.nextPath(text);
      if (response.status !== 200 || !text.includes("<Response>") || !text.includes("<Say") || (next !== undefined && !next.includes("?s="))) {
        if (problems.length < 3) problems.push(`status ${response.status} for ${turn.body.slice(0, 80)}… at ${path.slice(0, 40)}: ${text.slice(0, 120)}`);
      }
      path = next ?? path;
    }
    recorded.push(turns);
  }
  return { recorded, problems };
}
