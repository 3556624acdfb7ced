/**
 * The word checks that let detectIntent skip its large expressions (no person word: no request
 * for a person; a word no goodbye is made of: no goodbye; no repeat word: no repeat; no
 * contraction: nothing to expand) never change an answer: detectIntent always agrees with running
 * every expression. And the reader of phrase patterns the goodbye check is built from finds every
 * word a pattern can match, or refuses.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { detectIntent, detectIntentExhaustively } from "../../src/bot/intents.ts";
import { mayAskForPerson, ROLE_WORDS, STAFF_WORDS, TITLES } from "../../src/bot/person-words.ts";
import { phraseWords } from "../../src/bot/phrase-words.ts";
import { spokenForm } from "../../src/bot/spoken-form.ts";
import { prng } from "../support/prng.ts";

/** Words of every kind the rules care about, plus question words, plurals and non-ASCII ones. */
const VOCABULARY = (
  "bye goodbye good night goodnight thanks thank you so very much a lot that is was all it everything for now today i we needed " +
  "no more questions nothing else cheers see ya later talk speak soon hang up end the this call have nice day take care grand " +
  "great perfect lovely ok okay please yes yeah sure just um thats im dont cant whats id ill wanna gonna gimme lemme " +
  "manager managers receptionist reception front desk someone somebody anyone person human real live agent agents nurses " +
  "staff member of customer service services to with put me through transfer connect my get give can could is are there " +
  "in available mr mrs dr smith doctor sir madam " +
  "parking park car open opened close closing hours sunday saturday weekend tomorrow what time when do does how late early " +
  "repeat say again pardon sorry excuse huh eh hm hmm missed catch hear once one come not did could quite that by me over run go " +
  "more time last bit deliver delivery fee price insurance walk appointment " +
  "café straße smør øl 日本 4th 24"
).split(" ");

/** Every quoted string in the intent rules' own tests: the utterances they were written against. */
function utterancesOfIntentTests(): string[] {
  const source = readFileSync(new URL("./intents.test.ts", import.meta.url), "utf8");
  return [...source.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((match) => match[1]!).filter((text) => text.length > 0);
}

describe("detectIntent's word checks", () => {
  test("agree with every expression on the utterances the intent rules are tested with", () => {
    const utterances = utterancesOfIntentTests();
    expect(utterances.length).toBeGreaterThan(200);
    for (const text of utterances) expect({ text, intent: detectIntent(text) }).toEqual({ text, intent: detectIntentExhaustively(text) });
  });

  test("agree with every expression on random utterances of the words the rules look for", () => {
    const random = prng(1014);
    let skippedSome = false;
    for (let n = 0; n < 20_000; n++) {
      const count = 1 + Math.floor(random() * 7);
      const words: string[] = [];
      for (let i = 0; i < count; i++) words.push(VOCABULARY[Math.floor(random() * VOCABULARY.length)]!);
      const text = words.join(random() < 0.2 ? ", " : " ");
      expect({ text, intent: detectIntent(text) }).toEqual({ text, intent: detectIntentExhaustively(text) });
      skippedSome ||= spokenForm(text, true).words !== undefined;
    }
    expect(skippedSome).toBe(true);
  });

  test("a person word is any staff, role or title word, plural or not, and the verbs that ask to be put through", () => {
    for (const phrase of [...STAFF_WORDS, ...ROLE_WORDS, ...TITLES]) {
      const first = phrase.split(" ")[0]!;
      expect({ phrase, found: mayAskForPerson([first]) && mayAskForPerson(["the", `${first}s`]) && mayAskForPerson([`${first}es`]) }).toEqual({ phrase, found: true });
    }
    for (const verb of ["transfer", "put", "connect"]) expect(mayAskForPerson([verb])).toBe(true);
    expect(mayAskForPerson(["is", "there", "parking", "near", "you"])).toBe(false);
  });

  test("words are given only for ASCII text, after contractions are expanded", () => {
    expect(spokenForm("Thats all, thanks!", true)).toEqual({ normalized: "that is all thanks", words: ["that", "is", "all", "thanks"] });
    expect(spokenForm("Thats all, thanks!", false)).toEqual({ normalized: "that is all thanks", words: undefined });
    expect(spokenForm("danke, straße, bye", true).words).toBeUndefined();
  });
});

describe("phraseWords", () => {
  test("every word of every phrase a pattern can match", () => {
    expect(phraseWords([/\b(good ?bye|see (you|ya))\b/g])).toEqual(new Set(["goodbye", "good", "bye", "see", "you", "ya"]));
    expect(phraseWords([/\b(mon|tues)day( then)?\b/g, /^(?:hi )?open(?! late)$/])).toEqual(new Set(["monday", "tuesday", "then", "hi", "open"]));
    // A repetition of whole words holds no new word after the second time.
    expect(phraseWords([/\bthank(s| you)( (so|very) much| again)*\b/g])).toEqual(new Set(["thanks", "thank", "you", "so", "very", "much", "again"]));
  });

  test("refuses what could match words it cannot list", () => {
    for (const pattern of [/[a-z]+ please/, /\bhm+\b/, /\bhello.\b/, /\bhey{2}\b/, /\bhi\s+there/, /\bhi(?<name>x)/, /\byes?? please/, /\bYES\b/i, /\bok\b/u]) {
      expect({ pattern: String(pattern), words: phraseWords([pattern]) }).toEqual({ pattern: String(pattern), words: undefined });
    }
  });
});
