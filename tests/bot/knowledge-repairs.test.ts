import { describe, expect, test } from "bun:test";
import { phoneticCode, phoneticTable, repairWord } from "../../src/bot/knowledge/repairs.ts";
import { stem } from "../../src/bot/knowledge/stem.ts";
import { buildVocabulary } from "../../src/bot/knowledge/vocabulary.ts";

const salon = [
  { question: "Do you do balayage?", answer: "Yes, balayage starts at $180.", keywords: ["highlights"] },
  { question: "Is it gluten free?", answer: "Every dish can be made gluten free.", keywords: ["celiac"] },
];

describe("repairs of a caller's word against a business's vocabulary", () => {
  test("a word that sounds like an FAQ word and is spelled close to it is repaired to its term, the table made on first need", () => {
    const vocabulary = buildVocabulary(salon);
    expect(vocabulary.phonetic).toBeUndefined();
    expect(repairWord(vocabulary, "baliage")).toEqual([stem("balayage")]);
    expect(vocabulary.phonetic).toBe(phoneticTable(vocabulary) as typeof vocabulary.phonetic);
    expect(phoneticTable(vocabulary).get(phoneticCode("balayage")!)).toEqual({ word: "balayage", term: stem("balayage") });
  });

  test("two of the business's words run together are split; a known word or a far spelling is left alone", () => {
    const vocabulary = buildVocabulary(salon);
    expect(repairWord(vocabulary, "glutenfree")).toEqual([stem("gluten"), stem("free")]);
    expect(repairWord(vocabulary, "ballet")).toEqual([]);
    expect(repairWord(vocabulary, "bellagio")).toEqual([]);
  });

  test("a code two terms share repairs to neither", () => {
    const vocabulary = buildVocabulary([
      { question: "Do you sell flour?", answer: "Yes, by the kilo.", keywords: [] },
      { question: "Do you make flower bouquets?", answer: "Only on Fridays.", keywords: [] },
    ]);
    expect(phoneticCode("flour")).toBe("FLR");
    expect(phoneticCode("flower")).toBe("FLR");
    expect(phoneticTable(vocabulary).has("FLR")).toBe(false);
    expect(repairWord(vocabulary, "flowr")).toEqual([]);
  });
});
