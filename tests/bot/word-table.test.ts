/**
 * The word table reads in one pass what cutting the text into words and looking each up would
 * tell: the text's shape and its words' flags. scannedForm, which the intent rules use, must agree
 * with spokenForm's words on every text.
 */
import { describe, expect, test } from "bun:test";
import { normalizeText } from "../../src/bot/knowledge/text.ts";
import { CONTRACTION_WORDS, scannedForm, spokenForm } from "../../src/bot/spoken-form.ts";
import { allFlags, anyFlags, NORMAL, NOT_ASCII, NOT_NORMAL, scanShape, wordTable } from "../../src/bot/word-table.ts";
import { prng } from "../support/prng.ts";

const LISTED: ReadonlyArray<readonly [string, number]> = [
  ...CONTRACTION_WORDS.map((word) => [word, 1] as const),
  ["bye", 2], ["thanks", 2], ["thank", 2], ["you", 2 | 4], ["manager", 4], ["a", 8], ["a1", 16], ["1", 16], ["hmm", 32],
];
const table = wordTable(LISTED, [["hm", 64]]);
const flagsByWord = new Map<string, number>();
for (const [word, flags] of LISTED) flagsByWord.set(word, (flagsByWord.get(word) ?? 0) | flags);

/** The flags the table should find, from the words cut out and looked up one by one. */
function expected(words: readonly string[]): { any: number; all: number } {
  let any = 0;
  let all = 0xfff;
  for (const word of words) {
    const flags = (flagsByWord.get(word) ?? 0) | (word.startsWith("hm") ? 64 : 0);
    any |= flags;
    all &= flags;
  }
  return { any, all };
}

function randomText(random: () => number): string {
  const pieces = ["bye", "thanks", "you", "manager", "a", "a1", "1", "hmm", "hm", "hmph", "thats", "im", "dont", "Im", "THANKS", "café", "日本", "don't", "x", "ab", " ", "  ", ",", "!", "'", "`", "\t", "ß"];
  let text = "";
  for (let n = Math.floor(random() * 7); n > 0; n--) text += pieces[Math.floor(random() * pieces.length)]! + (random() < 0.7 ? " " : "");
  return random() < 0.5 ? text.trim() : text;
}

describe("wordTable", () => {
  test("finds the shape and the union and intersection of the words' flags", () => {
    expect(scanShape(table.scan("thanks bye"))).toBe(NORMAL);
    expect([anyFlags(table.scan("thanks bye")), allFlags(table.scan("thanks bye"))]).toEqual([2, 2]);
    expect([anyFlags(table.scan("thank you manager")), allFlags(table.scan("thank you manager"))]).toEqual([6, 0]);
    expect(anyFlags(table.scan("hmmm hm"))).toBe(64);
    expect(anyFlags(table.scan("hmm"))).toBe(96);
    for (const text of ["Thanks", " bye", "bye ", "bye  you", "bye!", "a\tb"]) expect({ text, shape: scanShape(table.scan(text)) }).toEqual({ text, shape: NOT_NORMAL });
    for (const text of ["café", "bye 日本", "Ü"]) expect({ text, shape: scanShape(table.scan(text)) }).toEqual({ text, shape: NOT_ASCII });
  });

  test("agrees with cutting the text into words, on any text", () => {
    const random = prng(99);
    for (let n = 0; n < 20_000; n++) {
      const text = randomText(random);
      const scan = table.scan(text);
      const normal = normalizeText(text) === text && !/[^\x00-\x7f]/.test(text);
      const ascii = !/[^\x00-\x7f]/.test(text);
      expect({ text, shape: scanShape(scan) }).toEqual({ text, shape: normal ? NORMAL : ascii ? NOT_NORMAL : NOT_ASCII });
      if (normal) expect({ text, any: anyFlags(scan), all: allFlags(scan) }).toEqual({ text, ...expected(text === "" ? [] : text.split(" ")) });
    }
  });
});

describe("scannedForm", () => {
  test("gives spokenForm's text, and the flags of spokenForm's words exactly where it gives words", () => {
    const random = prng(7);
    for (let n = 0; n < 20_000; n++) {
      const text = randomText(random);
      const form = scannedForm(text, table, 1);
      const spoken = spokenForm(text, true);
      expect({ text, normalized: form.normalized }).toEqual({ text, normalized: spoken.normalized });
      expect({ text, scanned: form.scan !== undefined }).toEqual({ text, scanned: spoken.words !== undefined });
      if (form.scan !== undefined && spoken.words !== undefined) {
        const words = spoken.normalized === "" ? [] : spoken.words;
        expect({ text, any: anyFlags(form.scan), all: allFlags(form.scan) }).toEqual({ text, ...expected(words) });
      }
      // What spokenForm answers after a scan is what it answers fresh.
      scannedForm(text, table, 1);
      expect(spokenForm(text, false)).toEqual({ normalized: spoken.normalized, words: undefined });
    }
  });
});
