/**
 * Callers' words as the intent rules read them (intents.ts). Speech recognition writes "thats" and
 * "id like", not "that's" and "I'd like": those are expanded here.
 */
import { normalizeText } from "./knowledge/text.ts";
import { anyFlags, NORMAL, scanShape, type WordScan, type WordTable } from "./word-table.ts";

/** Contractions as transcripts spell them, without the apostrophe; only forms that are not also words. */
const BARE_CONTRACTIONS: ReadonlyMap<string, string> = new Map([
  ["thats", "that is"], ["whats", "what is"], ["theres", "there is"], ["wheres", "where is"], ["hows", "how is"],
  ["whos", "who is"], ["heres", "here is"], ["im", "i am"], ["ive", "i have"], ["id", "i would"], ["youre", "you are"],
  ["youve", "you have"], ["theyre", "they are"], ["weve", "we have"], ["dont", "do not"], ["doesnt", "does not"],
  ["didnt", "did not"], ["isnt", "is not"], ["arent", "are not"], ["wasnt", "was not"], ["werent", "were not"],
  ["cant", "can not"], ["couldnt", "could not"], ["wouldnt", "would not"], ["shouldnt", "should not"],
  ["havent", "have not"], ["hasnt", "has not"], ["itll", "it will"], ["thatll", "that will"], ["youll", "you will"],
  ["wanna", "want to"], ["gonna", "going to"], ["gotta", "got to"], ["lemme", "let me"], ["gimme", "give me"],
]);

/** The contractions as transcripts spell them, for a word table (see {@link scannedForm}). */
export const CONTRACTION_WORDS: readonly string[] = [...BARE_CONTRACTIONS.keys()];

const BARE_CONTRACTION = new RegExp(`\\b(?:${[...BARE_CONTRACTIONS.keys()].join("|")})\\b`, "g");
const NON_ASCII = /[^\x00-\x7f]/;
const expandContraction = (word: string): string => BARE_CONTRACTIONS.get(word) ?? word;

/** An utterance normalised, and its words when word checks may rule expressions out. */
export interface SpokenForm {
  normalized: string;
  /** Set for ASCII text (what transcripts are) when word checks are on; undefined: run every expression. */
  words: readonly string[] | undefined;
}

/**
 * The caller's words normalised, with transcript contractions expanded ("thats all" → "that is
 * all"), and, when the text is ASCII and `checkWords` is on, its words: in ASCII text every `\b`
 * of the intent expressions falls between two words, so a look at the words can rule out an
 * intent whose expressions all need a word that is not there, without running them (they are
 * large, and most turns are questions that match none). Off, every expression runs.
 *
 * @example
 * ```ts
 * spokenForm("Thats all, thanks!", true) // { normalized: "that is all thanks", words: ["that", "is", "all", "thanks"] }
 * ```
 */
export function spokenForm(text: string, checkWords: boolean): SpokenForm {
  // A turn reads the same utterance more than once (the intents, then the staff check): the last
  // one is kept, and with it what either kind of call answers.
  if (text !== last.text) {
    last.text = text;
    last.checked = undefined;
    last.unchecked = undefined;
  }
  if (checkWords) return (last.checked ??= checkedForm(text));
  // With or without word checks the text comes out the same (see below); only the words differ.
  return (last.unchecked ??= { normalized: last.checked?.normalized ?? expand(normalizeText(text)), words: undefined });
}

/** The last utterance read, and its forms as read with and without word checks (undefined until asked). */
const last: { text: string | undefined; checked: SpokenForm | undefined; unchecked: SpokenForm | undefined } = { text: undefined, checked: undefined, unchecked: undefined };

const expand = (normalized: string): string => normalized.replace(BARE_CONTRACTION, expandContraction);

function checkedForm(text: string): SpokenForm {
  const normalized = normalizeText(text);
  if (NON_ASCII.test(normalized)) return { normalized: expand(normalized), words: undefined };
  const words = normalized.split(" ");
  // A contraction is a whole word (in ASCII, normalised text, every "\b" falls between words), so
  // the words tell whether the expression has anything to replace: the text is the expanded one either way.
  if (!hasContraction(words)) return { normalized, words };
  const expanded = expand(normalized);
  return { normalized: expanded, words: expanded.split(" ") };
}

function hasContraction(words: readonly string[]): boolean {
  for (let i = 0; i < words.length; i++) if (BARE_CONTRACTIONS.has(words[i]!)) return true;
  return false;
}

/**
 * {@link spokenForm}'s text with its words looked up in `table` instead of listed: the scan of the
 * text that spokenForm's words would be (undefined where spokenForm gives no words: text that is
 * not ASCII once normalised). `contraction` is the flag `table` gives {@link CONTRACTION_WORDS}.
 * Also what spokenForm(text, false) answers next, without reading the text again.
 *
 * @example
 * ```ts
 * const table = wordTable([...CONTRACTION_WORDS.map((w) => [w, 1] as const), ["bye", 2]]);
 * scannedForm("Thats all, bye!", table, 1) // { normalized: "that is all bye", scan: … (anyFlags 2) }
 * ```
 */
export function scannedForm(text: string, table: WordTable, contraction: number): { normalized: string; scan: WordScan | undefined } {
  // Text already in normal form is its own normalisation (normalizeText hands it back as it is).
  let normalized = text;
  let scan = table.scan(text);
  if (scanShape(scan) !== NORMAL) {
    normalized = normalizeText(text);
    scan = table.scan(normalized);
  }
  let form: { normalized: string; scan: WordScan | undefined };
  if (scanShape(scan) !== NORMAL) form = { normalized: expand(normalized), scan: undefined };
  else if ((anyFlags(scan) & contraction) === 0) form = { normalized, scan };
  else {
    const expanded = expand(normalized);
    form = { normalized: expanded, scan: table.scan(expanded) };
  }
  if (text !== last.text) {
    last.text = text;
    last.checked = undefined;
  }
  last.unchecked = { normalized: form.normalized, words: undefined };
  return form;
}
