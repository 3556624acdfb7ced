/**
 * Words that say nothing about which FAQ a caller means: function words, and the filler of
 * spoken questions ("um, hi, I was wondering if you guys …"). A word is dropped when it or its
 * stem is one of these stems ("accepted" goes with "accept").
 *
 * Contractions come without their apostrophe too, as speech recognition writes them ("whats",
 * "theyre"); "ill", "id", "were" and "well" are left alone, they are words of their own.
 *
 * Kept out on purpose: "where" (a location question), "free", "long", "late", "early", "new",
 * "open", "close": each of those points at an answer. Intensifiers ("terrible toothache") go: they
 * colour a question without saying what it is about.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  `
  a an the this that these those there here
  i me my mine myself we us our ours you your yours yourself yourselves he him his she her it its
  they them their theirs one ones someone somebody something anything anyone anybody everything
  somewhere anywhere everywhere
  is am are was were be been being have has had having do does did doing done
  will would shall should can could may might must not no nor
  of at by for with about into through during to from in on off up down out over again then once
  and but or if because as while so than too very just also still even ever only really actually
  any some all both each every few more most other such own same much many
  what which who whom whose how when why whether
  get gets got getting go goes going gone gonna wanna gotta want wants wanted need needs needed
  like know tell please thanks thank hi hello hey hiya howdy um umm uh uhh er ah oh okay ok yeah yes yep sure sorry anyway cheers ta regarding concerning
  well guys guy wondering wonder wondered question questions ask asking asked let make makes made
  kind sort thing things way place possible available offer offers provide provides take takes job
  terrible horrible awful pretty super quite bit basically literally honestly seriously obviously apparently
  accept accepts see come comes came eat today tonight tomorrow now currently right able
  cant dont wont im ive isnt doesnt didnt wasnt werent arent couldnt wouldnt shouldnt
  whats thats theres hes shes theyre youre weve youve theyve lets
  ye yall yous youse yiz
  `
    .split(/\s+/)
    .filter((word) => word !== ""),
);

/** Function words that are not stop words (they point at an answer) yet no lexicon entry: known, never repaired. */
export const KNOWN_FUNCTION_WORDS: ReadonlySet<string> = new Set(["where", "whereabouts", "without", "per"]);

/**
 * Hesitations and the filler "like" ("can i put it on like hold"): taken out of the words before
 * idioms and an owner's phrases are looked for, so that they do not break one apart.
 */
export const FILLERS: ReadonlySet<string> = new Set(["um", "umm", "uh", "uhh", "uhm", "er", "erm", "hmm", "like"]);
