/**
 * The webhook traffic the server benchmark sends: signed `POST /twilio/gather` bodies built once,
 * before the load starts, so the load generator only replays bytes and the signing cost stays out
 * of the measurement.
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

/** A request ready to replay: the path, the raw form body and its headers (signature included). */
export interface SignedWebhook {
  path: string;
  body: string;
  headers: Record<string, string>;
}

export interface SignedGatherOptions {
  /** The server's PUBLIC_BASE_URL; the signature covers it. */
  publicBaseUrl: string;
  /** The server's TWILIO_AUTH_TOKEN. */
  authToken: string;
  /** How many distinct bodies; question `i % 20` with its own CallSid each. Default 200. */
  count?: number;
  questions?: readonly BenchQuestion[];
}

/**
 * Builds `count` distinct signed gather webhooks: every body has its own CallSid (a call of its
 * own, so the session reads and writes spread over many keys) and cycles through the questions.
 * The signature does not depend on the port, so one set serves every server started with the
 * same PUBLIC_BASE_URL and token.
 *
 * @example
 * ```ts
 * const webhooks = signedGatherWebhooks({ publicBaseUrl: "https://bot.example.com", authToken: "secret" });
 * await fetch(`http://127.0.0.1:${port}${webhooks[0].path}`, { method: "POST", headers: webhooks[0].headers, body: webhooks[0].body });
 * ```
 */
export function signedGatherWebhooks(options: SignedGatherOptions): SignedWebhook[] {
  const questions = options.questions ?? BENCH_QUESTIONS;
  const count = options.count ?? 200;
  const signer = createSignatureValidator(options.authToken);
  const path = "/twilio/gather";
  const url = options.publicBaseUrl.replace(/\/+$/, "") + path;
  const webhooks: SignedWebhook[] = [];
  for (let i = 0; i < count; i++) {
    const question = questions[i % questions.length]!;
    const params: Record<string, string> = {
      AccountSid: "AC00000000000000000000000000000000",
      ApiVersion: "2010-04-01",
      CallSid: `CA${i.toString(16).padStart(32, "0")}`,
      CallStatus: "in-progress",
      Confidence: "0.92",
      Direction: "inbound",
      From: `+1555${String(7_000_000 + i).padStart(7, "0")}`,
      Language: "en-US",
      SpeechResult: question.speech,
      To: question.to,
    };
    const body = new URLSearchParams(params).toString();
    webhooks.push({
      path,
      body,
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": signer.sign(url, params),
      },
    });
  }
  return webhooks;
}
