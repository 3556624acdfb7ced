import { describe, expect, test } from "bun:test";
import { decodeExpansions, encodeExpansions } from "../../src/bot/knowledge/lexicon/expansions.ts";
import { EXPANSION_GROUPS, frequencyRank, irregularLemma, isModifier, lemmaExpansionsOf, lemmasByRules, lemmasOf, lexiconStem, relationsOf, stemmedRelationsOf } from "../../src/bot/knowledge/lexicon/index.ts";
import data from "../../src/bot/knowledge/lexicon/lexicon.json" with { type: "json" };
import { decodePrefixStarts, encodePrefixStarts, prefixKey } from "../../src/bot/knowledge/lexicon/prefixes.ts";
import { applyStemEdit, decodeStemEdits, encodeStemEdits, stemEdit } from "../../src/bot/knowledge/lexicon/stem-edits.ts";
import { stem, stemByRules } from "../../src/bot/knowledge/stem.ts";
import { STOP_WORDS } from "../../src/bot/knowledge/stopwords.ts";

describe("the lexicon (a slice of WordNet 3.1, bun run build:lexicon)", () => {
  test("synonyms hold both ways, even where one side's sense is untagged (the British 'lift')", () => {
    expect(relationsOf("elevator").synonyms).toContain("lift");
    expect(relationsOf("lift").synonyms).toContain("elevator");
  });

  test("a broader word is found past hypernyms that are compounds the lexicon leaves out", () => {
    // terrier → "hunting dog" (a compound) → dog
    expect(relationsOf("terrier").broader).toContain("dog");
    expect(relationsOf("puppy").broader).toContain("dog");
    expect(relationsOf("padlock").broader).toContain("lock");
  });

  test("relations name common single words only", () => {
    for (const word of ["terrier", "dog", "lift", "catering", "cancel"]) {
      const { synonyms, broader, narrower, related } = relationsOf(word);
      for (const neighbour of [...synonyms, ...broader, ...narrower, ...related]) {
        expect(neighbour).toMatch(/^[a-z]{2,}$/);
        expect(frequencyRank(neighbour)).toBeDefined();
      }
    }
  });

  test("everyday words the tagged corpus never saw are known and rare, reach common words, and never expand a business's words", () => {
    for (const word of ["allergy", "fax", "pint", "peanut"]) {
      expect(frequencyRank(word)).toBeDefined();
      expect(frequencyRank(word)!).toBeGreaterThan(frequencyRank("luggage")!);
    }
    expect(relationsOf("allergy").broader).toContain("sensitivity");
    for (const word of ["sensitivity", "unit", "facsimile"]) {
      const { synonyms, broader, narrower, related } = relationsOf(word);
      for (const rare of ["allergy", "pint", "fax"]) expect([...synonyms, ...broader, ...narrower, ...related]).not.toContain(rare);
    }
    // A proper name is no English word, even one WordNet lists ("Delgado" is not there at all).
    expect(frequencyRank("delgado")).toBeUndefined();
  });

  test("inflections come back to their lemmas; unknown words have none", () => {
    expect(irregularLemma("children")).toBe("child");
    expect(lemmasOf("suitcases")).toContain("suitcase");
    expect(lemmasOf("balayage")).toEqual([]);
    expect(frequencyRank("time")!).toBeLessThan(frequencyRank("luggage")!);
  });
});

describe("modifiers", () => {
  test("adjectives and adverbs are modifiers, nouns and verbs are not, in any inflection", () => {
    for (const word of ["usually", "small", "plain", "actually", "nearby"]) expect(isModifier(word)).toBe(true);
    for (const word of ["parking", "dog", "cancel", "booked", "children"]) expect(isModifier(word)).toBe(false);
    expect(isModifier("balayage")).toBe(false);
  });
});

describe("lookups", () => {
  test("every word is found within its two-letter prefix, and words outside a–z are not", () => {
    expect(data.words.split(" ").filter((word) => frequencyRank(word) === undefined)).toEqual([]);
    for (const word of ["", "a", "Dog", "dög", "d0g", "zzzz", "aaaaaa"]) expect(frequencyRank(word)).toBeUndefined();
  });
});

describe("stored stems and lemmas", () => {
  test("every word's stored stem is the one the stemmer's rules compute (else run bun run build:lexicon)", () => {
    const differing = data.words.split(" ").filter((word) => lexiconStem(word) !== stemByRules(word));
    expect(differing).toEqual([]);
  });

  test("every word's lemmas are the ones the rules find, though most are read as stored (else run bun run build:lexicon)", () => {
    const differing = data.words.split(" ").filter((word) => lemmasOf(word).join(" ") !== lemmasByRules(word).join(" "));
    expect(differing).toEqual([]);
    expect(lemmasOf("glasses")).toEqual(lemmasByRules("glasses"));
    expect(lemmasOf("glasses")).toContain("glass");
  });

  test("a regular inflection of a word is stemmed as the rules stem it, though read through its lemma's stored stem", () => {
    const inflect = (word: string): string[] =>
      word.endsWith("y") ? [`${word}s`, `${word.slice(0, -1)}ies`, `${word.slice(0, -1)}ied`, `${word}ing`] : word.endsWith("e") ? [`${word}s`, `${word}d`, `${word.slice(0, -1)}ing`] : [`${word}s`, `${word}es`, `${word}ed`, `${word}ing`, `${word}ly`];
    // Every fourth word, in all its regular inflections: tens of thousands of forms, most not held.
    const inflections = data.words.split(" ").filter((_, i) => i % 4 === 0).flatMap(inflect);
    const differing = inflections.filter((word) => stem(word) !== stemByRules(word));
    expect(differing).toEqual([]);
    expect(stem("reservations")).toBe(lexiconStem("reservation")!);
  });

  test("relations with stems name the same neighbours as relationsOf, in the same order", () => {
    for (const word of ["elevator", "dog", "cancel", "delivery", "terrier", "balayage"]) {
      const words = relationsOf(word);
      const stemmed = stemmedRelationsOf(word);
      for (const group of ["synonyms", "broader", "narrower", "related"] as const) {
        expect(stemmed[group].map((neighbour) => neighbour.word)).toEqual([...words[group]]);
        for (const neighbour of stemmed[group]) expect(neighbour.stem).toBe(stemByRules(neighbour.word));
      }
    }
    expect(lexiconStem("delivery")).toBe("deliv");
    expect(lexiconStem("balayage")).toBeUndefined();
  });
});

describe("stored expansions", () => {
  test("every word's stored expansions are its relations' stems, each once in the order reached, with every group it came through, stop words left out", () => {
    // What an index made of the relations before they were stored: run build:lexicon when this fails.
    const fromRelations = (word: string) => {
      const relations = stemmedRelationsOf(word);
      const stems: string[] = [];
      const groups: number[] = [];
      [relations.synonyms, relations.narrower, relations.broader, relations.related].forEach((neighbours, group) => {
        for (const neighbour of neighbours) {
          if (STOP_WORDS.has(neighbour.word)) continue;
          const at = stems.indexOf(neighbour.stem);
          if (at < 0) {
            stems.push(neighbour.stem);
            groups.push(1 << group);
          } else groups[at]! |= 1 << group;
        }
      });
      return { stems, groups };
    };
    const differing = data.words.split(" ").filter((word) => JSON.stringify(lemmaExpansionsOf(word)) !== JSON.stringify(fromRelations(word)));
    expect(differing).toEqual([]);
    expect(EXPANSION_GROUPS).toEqual(["synonym", "narrower", "broader", "related"]);
    const elevator = lemmaExpansionsOf("elevator");
    expect(elevator.groups[elevator.stems.indexOf("lift")]! & 1).toBe(1);
    expect(lemmaExpansionsOf("balayage")).toEqual({ stems: [], groups: [] });
  });

  test("an expansions line names a stem reached twice once, with both groups' marks, and drops stop words", () => {
    const lift = { position: 46, word: "lift", stem: "lift" };
    const the = { position: 7, word: "the", stem: "the" };
    const hoist = { position: 1300, word: "hoists", stem: "hoist" };
    const line = encodeExpansions([[lift, the], [hoist], [], [lift]], (word) => word === "the");
    const stemAt = (position: number) => ({ 46: "lift", 7: "the", 1300: "hoist" })[position]!;
    expect(decodeExpansions(`x${line}x`, 1, line.length + 1, stemAt)).toEqual({ stems: ["lift", "hoist"], groups: [0b1001, 0b10] });
    expect(decodeExpansions("", 0, 0, stemAt)).toEqual({ stems: [], groups: [] });
  });
});

describe("lexicon.json's encodings", () => {
  test("a stem edit cuts letters and appends a tail; the commonest edits get the first symbols", () => {
    const edits = ["parking→park", "happy→happi", "teeth→tooth", "dog→dog", "cats→cat"].map((pair) => pair.split("→") as [string, string]);
    const encoded = encodeStemEdits(edits.map(([word, stem]) => stemEdit(word, stem)));
    const table = decodeStemEdits(encoded.table);
    edits.forEach(([word, stem], i) => expect(applyStemEdit(word, table[encoded.symbols.charCodeAt(i)]!)).toBe(stem));
    expect(stemEdit("teeth", "tooth")).toBe("4ooth");
    expect(encodeStemEdits(["3", "0", "3"])).toEqual({ table: "3 0", symbols: "010" });
  });

  test("prefix starts bound each two-letter prefix's words; an unsorted list or a word outside a–z is refused", () => {
    const list = ["ab", "abc", "ba", "bb", "zz"];
    const starts = decodePrefixStarts(encodePrefixStarts(list));
    for (const [i, word] of list.entries()) {
      const key = prefixKey(word);
      expect(starts[key]! <= i && i < starts[key + 1]!).toBe(true);
    }
    expect(starts[prefixKey("ca")]).toBe(starts[prefixKey("ca") + 1]);
    expect(() => encodePrefixStarts(["ba", "ab"])).toThrow();
    expect(() => encodePrefixStarts(["ab", "Ac"])).toThrow();
  });
});
