/**
 * What an FAQ is about, as a short phrase the bot can say in a clarifying question ("Do you mean
 * a women's haircut or a men's haircut?"). The owner's `topic` wins; otherwise the phrase is
 * derived from the FAQ's question by taking off the question frame ("do you have", "what is
 * your", "how do I", "can I", "is there") and turning the caller's pronouns into the bot's.
 */
import type { Faq } from "./business.ts";

/** Question frames, tried in order; `say` turns what the frame leaves (pronouns already turned) into the topic phrase. */
const FRAMES: ReadonlyArray<{ readonly pattern: RegExp; readonly say: (m: RegExpExecArray) => string }> = [
  // "How much do you charge?" asks the prices, not about "you".
  { pattern: /^how much (?:do|does|will|would) (?:you|we|it|they)(?: guys)? (?:charge|cost)(?: for\s+(.+))?$/i, say: (m) => (m[1] ? `what we charge for ${m[1]}` : "our prices") },
  { pattern: /^how much (?:is|are|does|do|will|would)\s+(.+?)(?:\s+(?:cost|be|charge))?$/i, say: (m) => m[1]! },
  {
    pattern: /^(?:do|does|can|will) (?:you|we|they)(?: guys)? (?:have|offer|sell|provide|carry|stock|serve|take|accept|allow|do|run|host|make)\s+(?:any\s+)?(.+)$/i,
    say: (m) => m[1]!,
  },
  { pattern: /^(?:is|are) there\s+(?:any\s+)?(.+)$/i, say: (m) => m[1]! },
  { pattern: /^(?:what|which) (?:is|are) (?:your|the|our)\s+(.+)$/i, say: (m) => `our ${m[1]}` },
  { pattern: /^(?:what|which) ((?:kinds?|types?|sorts?|forms?) of .+?|\S+) (?:do|does|can) (?:you|we) \S+$/i, say: (m) => `the ${m[1]}` },
  { pattern: /^how (?:do|can|should|would) (?:i|we)\s+(.+)$/i, say: (m) => `how to ${m[1]}` },
  { pattern: /^(?:can|could|may) (?:i|we)\s+(.+)$/i, say: (m) => `whether you can ${m[1]}` },
  { pattern: /^(?:do|does) (?:i|we) need to\s+(.+)$/i, say: (m) => `whether you need to ${m[1]}` },
  { pattern: /^what (?:should|do|can) (?:i|we)\s+(.+)$/i, say: (m) => `what to ${m[1]}` },
  { pattern: /^(?:do|does|can|will) (?:you|we)\s+(.+)$/i, say: (m) => `whether we ${m[1]}` },
  // "Do your repairs come with a warranty?": a plural subject other than the caller or the business.
  { pattern: /^do (?!(?:you|we|i|they)\b)((?:your|our|the|my)\s+.+)$/i, say: (m) => `whether ${m[1]}` },
  { pattern: /^(is|are) (.+?) (included|available|free|allowed|required|needed|possible|extra)$/i, say: (m) => `whether ${m[2]} ${m[1]!.toLowerCase()} ${m[3]}` },
  {
    pattern: /^(where|when|what time) (is|are)\s+(.+?)(?: (located|based|held|served))?$/i,
    say: (m) => `${m[1]!.toLowerCase()} ${m[3]} ${m[2]!.toLowerCase()}${m[4] ? ` ${m[4]}` : ""}`,
  },
];

/** The caller's words as the bot says them back: "my membership" → "your membership". */
const PRONOUNS: Readonly<Record<string, string>> = { i: "you", me: "you", my: "your", mine: "yours", we: "you", us: "you", our: "your", you: "we", your: "our" };

function swapPronouns(phrase: string): string {
  return phrase.replace(/\b(i|me|my|mine|we|us|our|you|your)\b/gi, (word) => PRONOUNS[word.toLowerCase()] ?? word);
}

/**
 * The topic of an FAQ as a short noun phrase: its `topic` when the owner gave one, else derived
 * from the question.
 *
 * @example
 * ```ts
 * faqTopic({ question: "How much is a women's haircut?", answer: "…", keywords: [] }) // "a women's haircut"
 * faqTopic({ question: "Do you have gluten-free options?", answer: "…", keywords: [] }) // "gluten-free options"
 * faqTopic({ question: "How do I cancel my membership?", answer: "…", keywords: [] }) // "how to cancel your membership"
 * faqTopic({ question: "Do your repairs come with a warranty?", answer: "…", keywords: [] }) // "whether our repairs come with a warranty"
 * faqTopic({ question: "My engine light is on. Can you check it?", answer: "…", keywords: ["warning light"] }) // "the warning light"
 * faqTopic({ question: "…", answer: "…", keywords: [], topic: "our men's cut" }) // "our men's cut"
 * ```
 */
export function faqTopic(faq: Pick<Faq, "question" | "topic"> & { readonly keywords?: readonly string[] }): string {
  if (faq.topic !== undefined) return faq.topic;
  const question = faq.question.trim().replace(/[?.!\s]+$/, "");
  // "My engine warning light is on. Can you check it?": no frame says that back; the owner's
  // first keyword names it ("the warning light").
  const keyword = faq.keywords?.[0]?.trim();
  if (/[.?!]\s/.test(question) && keyword) return `the ${keyword}`;
  for (const { pattern, say } of FRAMES) {
    const match = pattern.exec(question);
    if (match === null) continue;
    // Pronouns are turned in what the caller would have said, never in the frame's own words.
    for (let i = 1; i < match.length; i++) if (match[i] !== undefined) match[i] = swapPronouns(match[i]!);
    return say(match).trim();
  }
  // No frame we know: the question itself, as part of a sentence.
  return swapPronouns(question.charAt(0).toLowerCase() + question.slice(1));
}
