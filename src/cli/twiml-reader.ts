/**
 * Reads the TwiML the bot answers with, as the call simulator needs it: the verbs in order, with
 * the text of `<Say>` and the attributes that decide what happens next. It reads exactly the verbs
 * the bot produces; anything else is reported as an unknown verb rather than guessed at, and a
 * document that is not well-formed XML throws (see xml-reader.ts).
 */
import { childElements, parseXml, textOf, type XmlElement } from "./xml-reader.ts";

export type TwimlStep =
  | { verb: "Say"; text: string }
  | { verb: "Gather"; action: string | undefined; says: string[] }
  | { verb: "Redirect"; url: string }
  | { verb: "Dial"; number: string }
  | { verb: "Hangup" }
  | { verb: "Connect"; url: string | undefined }
  | { verb: "Other"; name: string };

/**
 * The top-level verbs of a TwiML document; none when its root is not `<Response>`.
 *
 * @example
 * ```ts
 * readTwiml('<Response><Say>Hi</Say><Hangup/></Response>') // [{ verb: "Say", text: "Hi" }, { verb: "Hangup" }]
 * ```
 */
export function readTwiml(xml: string): TwimlStep[] {
  const root = parseXml(xml);
  return root.name === "Response" ? childElements(root).map(stepOf) : [];
}

function stepOf(verb: XmlElement): TwimlStep {
  switch (verb.name) {
    case "Say":
      return { verb: "Say", text: textOf(verb) };
    case "Gather":
      return {
        verb: "Gather",
        action: verb.attributes.action,
        says: childElements(verb).filter((child) => child.name === "Say").map((say) => textOf(say)),
      };
    case "Redirect":
      return { verb: "Redirect", url: textOf(verb) };
    case "Dial":
      return { verb: "Dial", number: textOf(verb).trim() };
    case "Hangup":
      return { verb: "Hangup" };
    case "Connect":
      // <Connect><ConversationRelay url=…/></Connect> or <Connect><Stream url=…/></Connect>.
      return { verb: "Connect", url: childElements(verb).find((child) => child.attributes.url !== undefined)?.attributes.url };
    default:
      return { verb: "Other", name: verb.name };
  }
}
