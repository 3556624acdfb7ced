/**
 * The calibration of the knowledge base's confidence (see retrieval.ts). Measured on the
 * development set of caller utterances together with the sample businesses' paraphrase and
 * off-topic tests; the held-out trades (tests/fixtures/knowledge-held-out.json) check that it
 * carries over. One set of numbers for every business: none of them names a word.
 */
/** The knobs of the confidence; read-only in practice (a measuring script may vary them). */
export const CALIBRATION = {
  /** Evidence for "none of the FAQs" before the caller says anything: one distinctive owner's word beats it. */
  noneBase: 0.6,
  /** Share of noneBase kept when ranking among the FAQs a clarifying question offered. */
  clarifiedNoneShare: 0.5,
  /** How sharply evidence differences turn into confidence. */
  sharpness: 2.5,
  /** Cost of a common English word the business never uses ("nephew", "tonight"). */
  unknownWordCost: 0.3,
  /** Cost of a word the lexicon does not know (a name, a slip no repair fits, a rare word like "sauna"). */
  unlistedWordCost: 0.1,
  /** Share of those costs kept for a word of the caller's situation, told before the question (after it, for everyday words only). */
  situationShare: 0.3,
  /** Share of an owner's word's evidence kept when said in a clause of the caller's own after the question ("… before our tour bus"). */
  trailingMatchShare: 0.5,
  /** Share of those costs kept for a modifier (an adjective or adverb: "usually", "small"). */
  modifierShare: 0.3,
  /** Share an owner's compound head keeps when the caller says it after another modifier ("friday night" for "family night"). */
  otherModifierShare: 0.5,
  /** Weight of the word a "what"/"which" question asks about ("what documents …"). */
  focusWeight: 1.4,
  /** Extra cost for a rarer English word, which is more likely the real topic ("sauna"). */
  rareWordCost: 0.2,
  /** Frequency rank from which a word counts as rare. */
  rareRank: 6000,
  /** Runner-up evidence ratio at or above which two strong matches are ambiguous. */
  ambiguousRatio: 0.9,
  /** How much a caller's word reaching an FAQ through its own relations counts, against the FAQ's expansions. */
  callerRelationWeight: 0.8,
  /** Evidence for saying all of an FAQ's question (in proportion for part of it). */
  coverageWeight: 0.45,
  /** Most evidence words found only in an FAQ's answer may add. */
  answerEvidenceCap: 1.15,
  /** Frequency rank from which a word keeps its full distinctiveness (log scale below it). */
  commonRank: 5000,
  /** Distinctiveness the commonest words keep. */
  commonFloor: 0.35,
  /** Distinctiveness kept by a word of the business's name that the FAQs use too. */
  nameWeight: 0.45,
  /** Weight of a number ("for 2", "24 hour"): numbers point weakly. */
  numberWeight: 0.3,
};
