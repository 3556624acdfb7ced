/**
 * A small TwiML builder for the verbs the bot speaks: plain string concatenation, no DOM.
 *
 * Every verb returns a `TwimlVerb`, a string branded so that only builder output (never raw
 * caller text) can be nested into `gather()` or `response()`. All text and attribute values are
 * XML-escaped, and characters XML 1.0 forbids (most control characters, lone surrogates, U+FFFE,
 * U+FFFF) are dropped, so a business's FAQ answer or a caller's words can never break the document.
 */

declare const twimlVerbBrand: unique symbol;

/** Rendered TwiML for one verb. Build it with the functions of this module. */
export type TwimlVerb = string & { readonly [twimlVerbBrand]: true };

/** The content type for TwiML responses. */
export const TWIML_CONTENT_TYPE = "text/xml; charset=utf-8";

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

type AttributeValue = string | number | boolean | undefined;

/** Options of `<Say>`. */
export interface SayOptions {
  /** e.g. `Polly.Joanna-Neural` */
  voice?: string;
  /** BCP 47, e.g. `en-US` */
  language?: string;
  loop?: number;
}

/**
 * `<Say>`: text to speech.
 *
 * @example
 * say("Thanks for calling Bella Pizza.", { voice: "Polly.Joanna-Neural", language: "en-US" })
 * // <Say voice="Polly.Joanna-Neural" language="en-US">Thanks for calling Bella Pizza.</Say>
 */
export function say(text: string, options: SayOptions = {}): TwimlVerb {
  const attributes =
    attribute("voice", options.voice) + attribute("language", options.language) + attribute("loop", options.loop);
  return element("Say", attributes, escapeText(text));
}

/** Options of `<Gather>`; only the ones given are rendered. */
export interface GatherOptions {
  /** What to listen for; a list renders space-separated (`dtmf speech`). */
  input?: "speech" | "dtmf" | "dtmf speech" | "speech dtmf" | ReadonlyArray<"speech" | "dtmf">;
  /** Where Twilio posts `SpeechResult`. */
  action?: string;
  method?: "GET" | "POST";
  /** Seconds to wait for the caller to start. */
  timeout?: number;
  /** Keypad presses that end the gather at once (1: a single key, such as 0 for a person). */
  numDigits?: number;
  /** The key that ends keypad input (Twilio's default `#`); empty for none. */
  finishOnKey?: string;
  /** `auto` or whole seconds of silence that end the speech. */
  speechTimeout?: "auto" | number;
  speechModel?: string;
  /** Phrases that help recognition; a list renders comma-separated. */
  hints?: string | readonly string[];
  language?: string;
  profanityFilter?: boolean;
  /** Post to `action` even when nothing was heard (otherwise Twilio runs the next verb). */
  actionOnEmptyResult?: boolean;
}

/**
 * `<Gather>` with its prompts inside, so the caller can speak over them (barge in).
 *
 * @example
 * gather({ input: "speech", action: "/twilio/gather", method: "POST", speechTimeout: "auto" },
 *        [say("How can I help?")])
 */
export function gather(options: GatherOptions, children: readonly TwimlVerb[] = []): TwimlVerb {
  const input = typeof options.input === "object" ? options.input.join(" ") : options.input;
  const hints = typeof options.hints === "object" ? options.hints.join(", ") : options.hints;
  const attributes =
    attribute("input", input) +
    attribute("action", options.action) +
    attribute("method", options.method) +
    attribute("timeout", options.timeout) +
    attribute("numDigits", options.numDigits) +
    attribute("finishOnKey", options.finishOnKey) +
    attribute("speechTimeout", options.speechTimeout) +
    attribute("speechModel", options.speechModel) +
    attribute("hints", hints) +
    attribute("language", options.language) +
    attribute("profanityFilter", options.profanityFilter) +
    attribute("actionOnEmptyResult", options.actionOnEmptyResult);
  return element("Gather", attributes, children.join(""));
}

/**
 * `<Redirect>`: continue with the TwiML at `url`.
 *
 * @example
 * redirect("/twilio/voice?retry=1", { method: "POST" })
 */
export function redirect(url: string, options: { method?: "GET" | "POST" } = {}): TwimlVerb {
  return element("Redirect", attribute("method", options.method), escapeText(url));
}

/** Options of `<Dial>`. */
export interface DialOptions {
  /** Where Twilio posts once the dialled call ends. */
  action?: string;
  method?: "GET" | "POST";
  /** Seconds to let it ring. */
  timeout?: number;
  /** Seconds the bridged call may last. */
  timeLimit?: number;
  callerId?: string;
  answerOnBridge?: boolean;
}

/**
 * `<Dial>`: transfer the caller to a person.
 *
 * @example
 * dial("+15550009999", { timeout: 20 }) // <Dial timeout="20">+15550009999</Dial>
 */
export function dial(number: string, options: DialOptions = {}): TwimlVerb {
  const attributes =
    attribute("action", options.action) +
    attribute("method", options.method) +
    attribute("timeout", options.timeout) +
    attribute("timeLimit", options.timeLimit) +
    attribute("callerId", options.callerId) +
    attribute("answerOnBridge", options.answerOnBridge);
  return element("Dial", attributes, escapeText(number));
}

/**
 * `<Hangup/>`: end the call.
 *
 * @example
 * response(say("Goodbye."), hangup())
 */
export function hangup(): TwimlVerb {
  return "<Hangup/>" as TwimlVerb;
}

/**
 * `<Pause>`: silence, in whole seconds (Twilio's default of one second when omitted).
 *
 * @example
 * pause(2) // <Pause length="2"/>
 * @throws RangeError when `seconds` is not a non-negative integer (a programming error).
 */
export function pause(seconds?: number): TwimlVerb {
  if (seconds !== undefined && !(Number.isInteger(seconds) && seconds >= 0)) {
    throw new RangeError(`pause length must be a whole number of seconds, got ${seconds}`);
  }
  return element("Pause", attribute("length", seconds), "");
}

/** Options of `<Connect><ConversationRelay>`. */
export interface ConversationRelayOptions {
  /** The `wss://` URL of the socket Twilio connects to. */
  url: string;
  welcomeGreeting?: string;
  welcomeGreetingInterruptible?: string;
  voice?: string;
  language?: string;
  ttsProvider?: string;
  transcriptionProvider?: string;
  speechModel?: string;
  interruptible?: string;
  dtmfDetection?: boolean;
  /** Sent to the socket in the `setup` frame as `customParameters`. */
  parameters?: Readonly<Record<string, string>>;
  /** Where Twilio posts when the session ends. */
  action?: string;
  method?: "GET" | "POST";
}

/**
 * `<Connect><ConversationRelay>`: hand the call to a WebSocket speaking the ConversationRelay protocol.
 *
 * @example
 * connectConversationRelay({ url: "wss://bot.example.com/relay", parameters: { business: "bella-pizza" } })
 */
export function connectConversationRelay(options: ConversationRelayOptions): TwimlVerb {
  const relayAttributes =
    attribute("url", options.url) +
    attribute("welcomeGreeting", options.welcomeGreeting) +
    attribute("welcomeGreetingInterruptible", options.welcomeGreetingInterruptible) +
    attribute("voice", options.voice) +
    attribute("language", options.language) +
    attribute("ttsProvider", options.ttsProvider) +
    attribute("transcriptionProvider", options.transcriptionProvider) +
    attribute("speechModel", options.speechModel) +
    attribute("interruptible", options.interruptible) +
    attribute("dtmfDetection", options.dtmfDetection);
  let parameters = "";
  for (const [name, value] of Object.entries(options.parameters ?? {})) {
    parameters += "<Parameter" + attribute("name", name) + attribute("value", value) + "/>";
  }
  const relay = element("ConversationRelay", relayAttributes, parameters);
  return element("Connect", attribute("action", options.action) + attribute("method", options.method), relay);
}

/**
 * The whole TwiML document.
 *
 * @example
 * new Response(response(say("Hello."), hangup()), { headers: { "content-type": TWIML_CONTENT_TYPE } })
 */
export function response(...verbs: TwimlVerb[]): string {
  return verbs.length === 0
    ? XML_DECLARATION + "<Response/>"
    : XML_DECLARATION + "<Response>" + verbs.join("") + "</Response>";
}

function element(name: string, attributes: string, content: string): TwimlVerb {
  return (content === "" ? `<${name}${attributes}/>` : `<${name}${attributes}>${content}</${name}>`) as TwimlVerb;
}

function attribute(name: string, value: AttributeValue): string {
  return value === undefined ? "" : ` ${name}="${escapeAttribute(String(value))}"`;
}

// Fast-path tests: most text needs no change at all, and one regex test is cheaper than replacing.
const TEXT_NEEDS_WORK = /[&<>"'\r\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]/;
const ATTRIBUTE_NEEDS_WORK = /[&<>"'\u0000-\u001f\ud800-\udfff\ufffe\uffff]/;
// Characters outside XML 1.0's Char production; paired surrogates are kept.
const INVALID_XML_CHARS =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// A raw carriage return would be read back as a line feed, so it travels as a reference.
const TEXT_SPECIALS = /[&<>"'\r]/g;
// Tabs and line breaks are escaped in attributes too: a parser would otherwise turn them into spaces.
const ATTRIBUTE_SPECIALS = /[&<>"'\t\n\r]/g;

const ENTITIES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
  "\t": "&#9;",
  "\n": "&#10;",
  "\r": "&#13;",
};

const toEntity = (char: string): string => ENTITIES[char] ?? char;

/**
 * Escapes element text and drops characters XML 1.0 forbids.
 *
 * @example
 * escapeText("Tom & Jerry's <b>") // "Tom &amp; Jerry&apos;s &lt;b&gt;"
 */
export function escapeText(text: string): string {
  if (!TEXT_NEEDS_WORK.test(text)) return text;
  return text.replace(INVALID_XML_CHARS, "").replace(TEXT_SPECIALS, toEntity);
}

/**
 * Escapes an attribute value (quotes, tabs and line breaks included) and drops characters XML 1.0 forbids.
 *
 * @example
 * escapeAttribute('/gather?a=1&b="2"') // "/gather?a=1&amp;b=&quot;2&quot;"
 */
export function escapeAttribute(value: string): string {
  if (!ATTRIBUTE_NEEDS_WORK.test(value)) return value;
  return value.replace(INVALID_XML_CHARS, "").replace(ATTRIBUTE_SPECIALS, toEntity);
}
