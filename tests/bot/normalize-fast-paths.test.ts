/**
 * The shortcuts a turn takes when reading the caller's words give what the written rules give:
 * normalizeText's pass for ASCII text equals the rules as they read (NFKD, marks dropped, lower
 * case, apostrophes, contractions, every other character a break), and spokenForm, which keeps the
 * last utterance it read, answers every call as a fresh read would, in either mode and any order.
 */
import { describe, expect, test } from "bun:test";
import { normalizeText } from "../../src/bot/knowledge/index.ts";
import { spokenForm } from "../../src/bot/spoken-form.ts";
import { prng } from "../support/prng.ts";

/** normalizeText's rules, written out here as the reference the fast path is held to. */
const CONTRACTIONS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bwon't\b/g, "will not"], [/\bcan't\b/g, "can not"], [/\bcannot\b/g, "can not"], [/\bshan't\b/g, "shall not"],
  [/\bain't\b/g, "is not"], [/\by'all\b/g, "you all"], [/\blet's\b/g, "let us"], [/n't\b/g, " not"], [/'re\b/g, " are"],
  [/'m\b/g, " am"], [/'ll\b/g, " will"], [/'ve\b/g, " have"], [/'d\b/g, " would"],
  [/\b(it|that|what|where|there|here|who|how|when|why|he|she|this|everything|nothing|something)'s\b/g, "$1 is"],
  [/'s\b/g, ""],
];

function byRules(text: string): string {
  let out = text.normalize("NFKD").replace(/\p{M}+/gu, "").toLowerCase().replace(/[’‘ʼ`´]/g, "'");
  if (out.includes("'")) for (const [pattern, replacement] of CONTRACTIONS) out = out.replace(pattern, replacement);
  return out.replace(/[^\p{L}\p{N}]+/gu, " ").trim();
}

/** Pieces transcripts and hostile input are made of: words, capitals, digits, every kind of break, apostrophes, non-ASCII. */
const PIECES = [
  "is", "there", "Parking", "I", "OK", "dont", "don't", "can't", "won`t", "it's", "Bella's", "y'all", "24", "4th", "a1",
  " ", "  ", "\t", "\n", ",", "?", "!", ".", "-", "'", "`", "\"", "(", ")", "_", "/", "\u0000", "\u007f",
  "café", "Straße", "’s", "ﬁ", "²", "日本", "Ö",
];

function randomText(random: () => number): string {
  const count = Math.floor(random() * 9);
  let text = "";
  for (let i = 0; i < count; i++) {
    if (random() < 0.15) text += String.fromCharCode(Math.floor(random() * 128));
    else text += PIECES[Math.floor(random() * PIECES.length)]!;
    if (random() < 0.6) text += " ";
  }
  return text;
}

describe("normalizeText", () => {
  test("equals its rules on every ASCII character and on random text, ASCII or not", () => {
    for (let code = 0; code < 128; code++) {
      for (const text of [String.fromCharCode(code), `a${String.fromCharCode(code)}b`, ` ${String.fromCharCode(code)} `]) {
        expect({ text, normalized: normalizeText(text) }).toEqual({ text, normalized: byRules(text) });
      }
    }
    const random = prng(938);
    for (let n = 0; n < 20_000; n++) {
      const text = randomText(random);
      expect({ text, normalized: normalizeText(text) }).toEqual({ text, normalized: byRules(text) });
    }
  });

  test("gives back text that is already normal, and normalises what is not", () => {
    expect(normalizeText("do you have parking")).toBe("do you have parking");
    expect(normalizeText("")).toBe("");
    expect(normalizeText(" do you have parking")).toBe("do you have parking");
    expect(normalizeText("do you  have parking ")).toBe("do you have parking");
    expect(normalizeText("Do you have PARKING?")).toBe("do you have parking");
    expect(normalizeText("what`s up")).toBe("what is up");
  });
});

describe("spokenForm", () => {
  test("answers as a fresh read would, whatever was read before and in which mode", () => {
    const random = prng(4711);
    const texts = ["thats all thanks", "Thats all, thanks!", "im looking for my order", "café open", "do you have parking", "", "id like a table"];
    const fresh = (text: string, checkWords: boolean) => {
      // A different utterance in between: the memo cannot answer from the text asked.
      spokenForm(`${text} something else`, !checkWords);
      return spokenForm(text, checkWords);
    };
    for (let n = 0; n < 2_000; n++) {
      const text = random() < 0.5 ? texts[Math.floor(random() * texts.length)]! : randomText(random);
      const checkWords = random() < 0.5;
      const answered = spokenForm(text, checkWords);
      expect({ text, checkWords, answered }).toEqual({ text, checkWords, answered: fresh(text, checkWords) });
    }
  });

  test("reads the same text with and without word checks, and expands transcript contractions either way", () => {
    expect(spokenForm("Thats all, thanks!", true)).toEqual({ normalized: "that is all thanks", words: ["that", "is", "all", "thanks"] });
    expect(spokenForm("Thats all, thanks!", false)).toEqual({ normalized: "that is all thanks", words: undefined });
    expect(spokenForm("im at the café", false)).toEqual({ normalized: "i am at the cafe", words: undefined });
    // Accents go before the words are read, so "café" leaves ASCII words to check.
    expect(spokenForm("im at the café", true)).toEqual({ normalized: "i am at the cafe", words: ["i", "am", "at", "the", "cafe"] });
    expect(spokenForm("im at the 日本 shop", true)).toEqual({ normalized: "i am at the 日本 shop", words: undefined });
  });
});
