/**
 * How much one of the caller's words counts, apart from which FAQs use it: its commonness in
 * English, what a word the business never uses costs, and the share an owner's compound head keeps
 * after another noun. Used by the ranking (retrieval.ts); the numbers live in calibration.ts.
 */
import { CALIBRATION } from "./calibration.ts";
import { frequencyRank, isModifier, lemmasOf } from "./lexicon/index.ts";
import { KNOWN_FUNCTION_WORDS } from "./stopwords.ts";
import { stem } from "./stem.ts";
import { isKnownWord, type Analysis } from "./terms.ts";

/**
 * How much a term's general English frequency leaves of its distinctiveness: words callers use in
 * every other sentence ("day", "time", "order") point less than rare ones ("sauna", "notary").
 *
 * @example
 * ```ts
 * commonness(stem("time")) < commonness(stem("sauna")) // true
 * ```
 */
export function commonness(term: string): number {
  if (/^\d+$/.test(term)) return CALIBRATION.numberWeight;
  if (KNOWN_FUNCTION_WORDS.has(term)) return CALIBRATION.commonFloor;
  const rank = frequencyRank(term);
  if (rank === undefined) return 1;
  return Math.max(CALIBRATION.commonFloor, Math.min(1, Math.log(rank + 2) / Math.log(CALIBRATION.commonRank)));
}

/**
 * What a known word the business never uses adds to the evidence for "none of the FAQs". What the
 * caller tells of their situation before asking ("my doctor says …") is not the question; a
 * modifier ("usually", "small") qualifies it, while nouns and verbs name what it is about; the
 * question's focus ("whats the fax number") costs most; a rarer word is likelier the real topic.
 *
 * @example
 * ```ts
 * unexplainedWordCost(analyze("whats the fax number"), "fax", "fax") > unexplainedWordCost(analyze("whats the fax number"), "number", "number") // true
 * ```
 */
export function unexplainedWordCost(analysis: Analysis, term: string, spoken: string | undefined): number {
  const rank = spoken === undefined ? undefined : wordRank(spoken);
  const rare = rank === undefined || rank >= CALIBRATION.rareRank ? CALIBRATION.rareWordCost : 0;
  const share =
    (analysis.narrative.has(term) ? CALIBRATION.situationShare : 1) *
    (isModifier(spoken ?? term) || LIGHT_VERBS.has(term) ? CALIBRATION.modifierShare : 1) *
    (analysis.focus.has(term) ? CALIBRATION.focusWeight : 1);
  if (!analysis.trailing.has(term)) return share * (CALIBRATION.unknownWordCost + rare);
  // After the question, everyday words are the caller's situation ("my sister is visiting next
  // week"); a rarer word may be the real concern ("… my son has a nut allergy") and costs in full.
  return share * (CALIBRATION.situationShare * CALIBRATION.unknownWordCost + rare);
}

/**
 * Verbs that carry little of a question by themselves ("can we bring the dog", "do i need to use
 * my card"): the thing brought or used is the topic. They cost what a modifier costs.
 */
const LIGHT_VERBS = new Set(["bring", "need", "want", "use", "put", "give", "take", "get", "come", "go", "make", "keep", "let", "try"].map(stem));

/** A word's frequency rank through its lemma ("certificates" → "certificate"). */
function wordRank(word: string): number | undefined {
  const lemma = lemmasOf(word)[0];
  return lemma === undefined ? undefined : frequencyRank(lemma);
}

/**
 * How much a compound's head counts for an FAQ when the caller puts another modifier before it:
 * "friday night" is not the specials' "family night", a "credit card" is no "gift card".
 *
 * @example
 * ```ts
 * otherModifierShare(analyze("is there a friday night"), "night", new Set(["famili"])) // CALIBRATION.otherModifierShare
 * otherModifierShare(analyze("is there a family night"), "night", new Set(["famili"])) // 1
 * ```
 */
export function otherModifierShare(analysis: Analysis, head: string, modifiers: ReadonlySet<string> | undefined): number {
  if (modifiers === undefined) return 1;
  for (const join of analysis.joins) {
    if (join.parts[1] !== head || modifiers.has(join.parts[0])) continue;
    // A noun before it makes another compound; an adjective ("smaller menu", "meatless
    // options") or a word the lexicon does not know (a slip, a name) may still mean the owner's.
    const word = join.word.slice(0, join.word.length - (analysis.words.get(head)?.length ?? 0));
    if (isKnownWord(word) && !isModifier(word) && !/\d/.test(word)) return CALIBRATION.otherModifierShare;
  }
  return 1;
}
