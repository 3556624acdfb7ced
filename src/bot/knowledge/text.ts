/**
 * Text normalisation shared by intent detection and the knowledge base: the caller's words as
 * speech recognition writes them, reduced to lowercase words without punctuation, accents or
 * contractions.
 */

// Ordered: the specific forms ("won't") must run before the general ones ("n't"). Each with the
// text it needs: a pattern whose text is absent is not run (most texts hold one or two of them).
const CONTRACTIONS: ReadonlyArray<readonly [string, RegExp, string]> = [
  ["won't", /\bwon't\b/g, "will not"],
  ["can't", /\bcan't\b/g, "can not"],
  ["cannot", /\bcannot\b/g, "can not"],
  ["shan't", /\bshan't\b/g, "shall not"],
  ["ain't", /\bain't\b/g, "is not"],
  ["y'all", /\by'all\b/g, "you all"],
  ["let's", /\blet's\b/g, "let us"],
  ["n't", /n't\b/g, " not"],
  ["'re", /'re\b/g, " are"],
  ["'m", /'m\b/g, " am"],
  ["'ll", /'ll\b/g, " will"],
  ["'ve", /'ve\b/g, " have"],
  ["'d", /'d\b/g, " would"],
  // "'s" after these is "is"; after anything else it is a possessive ("Bella's") and just goes.
  ["'s", /\b(it|that|what|where|there|here|who|how|when|why|he|she|this|everything|nothing|something)'s\b/g, "$1 is"],
  ["'s", /'s\b/g, ""],
];

/**
 * Lowercase words separated by single spaces: Unicode-aware (letters and digits of any script
 * are kept, accents are dropped so "café" matches "cafe"), contractions expanded, every other
 * character a word break.
 *
 * @example
 * ```ts
 * normalizeText("What's the Café's Wi-Fi password?!") // "what is the cafe wi fi password"
 * normalizeText("I don't  see it")                   // "i do not see it"
 * ```
 */
export function normalizeText(text: string): string {
  return normalizeAscii(text) ?? normalizeByRules(text);
}

/**
 * {@link normalizeText} for ASCII text without apostrophes (what speech recognition mostly
 * writes), with the same result and no regular expression over Unicode: in ASCII, NFKD and the
 * mark removal change nothing, letters and digits are the only `\p{L}` and `\p{N}`, and with no
 * apostrophe (or back quote, which becomes one) there is no contraction to expand. Text that is
 * already lower-case words between single spaces comes back as it is. Undefined for anything else.
 */
function normalizeAscii(text: string): string | undefined {
  // Whether the text is already its own normal form, and whether the last character was a space (or the start).
  let normal = true;
  let afterSpace = true;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x80 || code === 0x27 || code === 0x60) return undefined;
    if ((code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39)) afterSpace = false;
    else if (code === 0x20 && !afterSpace) afterSpace = true;
    else normal = false;
  }
  if (normal && !(afterSpace && text.length > 0)) return text;
  return text.toLowerCase().replace(NOT_ASCII_WORD, " ").trim();
}

/** What separates words in lower-case ASCII text. */
const NOT_ASCII_WORD = /[^a-z0-9]+/g;

function normalizeByRules(text: string): string {
  let out = text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/[’‘ʼ`´]/g, "'");
  if (out.includes("'")) {
    for (const [needed, pattern, replacement] of CONTRACTIONS) if (out.includes(needed)) out = out.replace(pattern, replacement);
  }
  return out.replace(/[^\p{L}\p{N}]+/gu, " ").trim();
}

/**
 * The words of `text` after {@link normalizeText}.
 *
 * @example
 * ```ts
 * words("Do you deliver?") // ["do", "you", "deliver"]
 * ```
 */
export function words(text: string): string[] {
  const normalized = normalizeText(text);
  return normalized === "" ? [] : normalized.split(" ");
}
