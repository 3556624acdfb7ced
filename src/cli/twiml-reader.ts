/**
 * Reads the TwiML the bot answers with, as the call simulator needs it: the verbs in order, with
 * the text of `<Say>` and the attributes that decide what happens next. It reads exactly the verbs
 * the bot produces; anything else is reported as an unknown verb rather than guessed at.
 */
export type TwimlStep =
  | { verb: "Say"; text: string }
  | { verb: "Gather"; action: string | undefined; says: string[] }
  | { verb: "Redirect"; url: string }
  | { verb: "Dial"; number: string }
  | { verb: "Hangup" }
  | { verb: "Connect"; url: string | undefined }
  | { verb: "Other"; name: string };

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, ref: string) => {
    if (ref[0] === "#") return String.fromCodePoint(ref[1] === "x" || ref[1] === "X" ? Number.parseInt(ref.slice(2), 16) : Number(ref.slice(1)));
    return ENTITIES[ref.toLowerCase()] ?? "";
  });
}

function attributes(source: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const match of source.matchAll(/([A-Za-z_][\w.-]*)\s*=\s*("([^"]*)"|'([^']*)')/g)) {
    out[match[1] as string] = decode(match[3] ?? match[4] ?? "");
  }
  return out;
}

/**
 * The top-level verbs of a TwiML document.
 *
 * @example
 * ```ts
 * readTwiml('<Response><Say>Hi</Say><Hangup/></Response>') // [{ verb: "Say", text: "Hi" }, { verb: "Hangup" }]
 * ```
 */
export function readTwiml(xml: string): TwimlStep[] {
  const body = /<Response\s*>([\s\S]*)<\/Response>/.exec(xml)?.[1] ?? "";
  const steps: TwimlStep[] = [];
  const verb = /<([A-Za-z]+)((?:\s+[^>]*?)?)(\/>|>([\s\S]*?)<\/\1>)/g;
  for (const match of body.matchAll(verb)) {
    const [, name = "", attrText = "", , inner = ""] = match;
    const attrs = attributes(attrText);
    switch (name) {
      case "Say":
        steps.push({ verb: "Say", text: decode(inner) });
        break;
      case "Gather":
        steps.push({ verb: "Gather", action: attrs.action, says: [...inner.matchAll(/<Say[^>]*>([\s\S]*?)<\/Say>/g)].map((m) => decode(m[1] ?? "")) });
        break;
      case "Redirect":
        steps.push({ verb: "Redirect", url: decode(inner) });
        break;
      case "Dial":
        steps.push({ verb: "Dial", number: decode(inner.replace(/<[^>]+>/g, "")) });
        break;
      case "Hangup":
        steps.push({ verb: "Hangup" });
        break;
      case "Connect":
        steps.push({ verb: "Connect", url: /url="([^"]*)"/.exec(inner)?.[1] });
        break;
      default:
        steps.push({ verb: "Other", name });
    }
  }
  return steps;
}
