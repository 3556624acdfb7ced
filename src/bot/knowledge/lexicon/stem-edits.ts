/**
 * How lexicon.json writes each word's stem: as an edit of the word (cut its last N letters, append
 * a tail: "parking" → "park" is "3", "happy" → "happi" is "1i"), and each edit as one character
 * naming it in a short table of the edits that occur (under a hundred), so that a word's stem is
 * read at run time instead of computed, and the table costs a byte per word.
 */

/** The characters an edit is named by, in order: printable ASCII that JSON writes unescaped. */
const SYMBOLS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!#$%&'()*+,-./:;<=>?@[]^_`{|}~";

/** A stem as an edit of its word: the letters cut from its end (base 36), then the letters appended. */
export function stemEdit(word: string, stem: string): string {
  let kept = 0;
  while (kept < word.length && kept < stem.length && word[kept] === stem[kept]) kept++;
  const cut = word.length - kept;
  if (cut >= 36) throw new Error(`stem edit: "${word}" → "${stem}" cuts ${cut} letters, more than one base-36 digit says`);
  return `${cut.toString(36)}${stem.slice(kept)}`;
}

/**
 * The edits as lexicon.json stores them: `table`, the distinct edits commonest first (space
 * separated), and `symbols`, one character per word naming its edit.
 *
 * @example
 * ```ts
 * encodeStemEdits(["3", "0", "3"]) // { table: "3 0", symbols: "010" }
 * ```
 */
export function encodeStemEdits(edits: readonly string[]): { table: string; symbols: string } {
  const counts = new Map<string, number>();
  for (const edit of edits) counts.set(edit, (counts.get(edit) ?? 0) + 1);
  const table = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([edit]) => edit);
  if (table.length > SYMBOLS.length) throw new Error(`stem edits: ${table.length} distinct edits, more than the ${SYMBOLS.length} symbols`);
  const symbolOf = new Map(table.map((edit, i) => [edit, SYMBOLS[i]!]));
  return { table: table.join(" "), symbols: edits.map((edit) => symbolOf.get(edit)!).join("") };
}

/** A decoded edit: how many letters to cut, and what to append. */
export interface StemEdit {
  readonly cut: number;
  readonly tail: string;
}

/**
 * The edits of a stored table, indexed by their symbol's character code.
 *
 * @example
 * ```ts
 * const edits = decodeStemEdits("3 1i");
 * applyStemEdit("parking", edits["0".charCodeAt(0)]!) // "park"
 * ```
 */
export function decodeStemEdits(table: string): Array<StemEdit | undefined> {
  const decoded: Array<StemEdit | undefined> = new Array<StemEdit | undefined>(128).fill(undefined);
  if (table === "") return decoded;
  table.split(" ").forEach((edit, i) => {
    decoded[SYMBOLS.charCodeAt(i)] = { cut: parseInt(edit[0]!, 36), tail: edit.slice(1) };
  });
  return decoded;
}

/** The stem an edit makes of its word. */
export function applyStemEdit(word: string, edit: StemEdit): string {
  return edit.cut === 0 ? word + edit.tail : word.slice(0, word.length - edit.cut) + edit.tail;
}
