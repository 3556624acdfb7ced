/**
 * The few vocabulary bridges WordNet cannot give a phone bot; everything else comes from the
 * lexicon (lexicon/). What is left, and why:
 *
 * - PHRASES: spoken question forms whose meaning is not in their words ("how much" asks a price,
 *   "how long" a duration, "what street are you on" where the business is, "without paying" or "for
 *   nothing" whether it is free, "in the middle of the night" or "out of hours" after hours, "put my
 *   name down" a booking, "pull out of" or "get out of my contract" cancelling).
 * - PHRASES also hold the everyday ways of naming a phone bot's common topics without their word,
 *   the same in every trade: a car left or put somewhere is parking, food brought or dropped off
 *   at the caller's home is delivery, "my 4 year old" or "the little ones" are children, "split it
 *   up" is paying in installments, "not a member" is a guest, "a walking frame" or "cant manage
 *   stairs" asks about access, getting into or out of the room is check-in or check-out.
 *   WordNet holds words, not idioms. An idiom may stand for several words; none of them counts
 *   against a business that never uses it.
 * - PHRASES also join ways to pay named in several words ("american express", "write a check").
 * - SYNONYM_GROUPS: brand names and trade jargon of payments and ordering that WordNet either lacks
 *   ("venmo", "doordash", "byob") or holds in another sense only ("visa" is a travel document,
 *   "amex" is missing), with the American and British names of ordering to take away; and the "cost" family, because WordNet keeps "price", "fee", "charge" and
 *   "rate" in different senses a caller does not distinguish when asking what something costs; and
 *   the trades' "quote", "estimate" and "quotation" for the price of a job, which WordNet keeps apart;
 *   pausing ("freeze", "suspend", "pause"), childcare ("babysitting", "creche", "daycare",
 *   "toddler", which WordNet lacks), video calls by the apps' names, languages in their own names
 *   ("espanol"), and what coeliac callers say ("wheat", "coeliac" for gluten).
 *
 * Groups are applied at index-build time, like WordNet's synonyms: an FAQ word of a group gets
 * postings for the group's other words. A word belongs to one group at most (a test checks it).
 */

/** Groups of interchangeable words; the first word names the group. */
export const SYNONYM_GROUPS: ReadonlyArray<readonly string[]> = [
  ["cost", "price", "pricing", "charge", "fee", "rate", "expensive", "cheap", "afford", "affordable"],
  ["pay", "payment", "card", "credit", "debit", "cash", "visa", "mastercard", "amex", "venmo", "paypal", "applepay"],
  ["deliver", "delivery", "doordash", "ubereats", "grubhub"],
  ["pickup", "carryout", "takeout", "takeaway"],
  ["wifi", "internet", "wireless"],
  ["quote", "estimate", "quotation"],
  // Pausing a membership, a subscription or an account.
  ["freeze", "suspend", "pause"],
  // Looking after children while the parent is busy, in the words WordNet lacks or keeps apart.
  ["childcare", "babysitting", "babysitter", "creche", "daycare"],
  ["child", "toddler", "kiddo"],
  // Meeting by video, named by the apps callers use.
  ["video", "zoom", "facetime", "skype", "videocall"],
  // Languages named in their own language.
  ["spanish", "espanol", "castellano"],
  ["french", "francais"],
  ["portuguese", "portugues"],
  ["german", "deutsch"],
  ["italian", "italiano"],
  // What coeliac callers ask about.
  ["gluten", "wheat", "celiac", "coeliac"],
];

/**
 * Word patterns that mean one thing, matched on normalised words before stop words (syntax in
 * phrase-patterns.ts: "|" between alternatives, "(…)" for a slot that may be left out); the longest
 * match wins. The meaning's words are implied: none of them costs against a business that never
 * uses it, and its stop words ("what", "after") are no terms.
 */
export const PHRASES: ReadonlyArray<readonly [string, string]> = [
  // Talk around the question on a phone call, which says nothing of what it asks: dropped.
  ["i mean", ""],
  ["you know", ""],
  ["good morning|afternoon|evening|day", ""],
  ["im|i|were|we (am|are|was|were) (just) calling|ringing|phoning (you) (because|about|to|regarding|with)", ""],
  ["is this the right number|place (for|to)", ""],
  ["quick question|one", ""],
  ["real quick", ""],
  ["i (just) have|had a question", ""],
  ["sorry to bother|trouble you", ""],
  ["i|im|we|were (was|were|am|are) (just) hoping (that) you can|could help (me|us) (out) (with) (something)", ""],
  ["can|could you help me|us (out) (with) (something)", ""],
  ["my name is|was *", ""],
  ["this is", ""],
  ["i|we hope youre (doing) well", ""],
  ["i|we hope you are (doing) well", ""],
  ["hope youre (doing) well", ""],
  ["hope you are (doing) well", ""],
  ["i|we saw|read|heard|noticed (it) on|in your|the website|site|facebook|instagram|page|ad|advert (that)", ""],
  ["my|a|our friend|friends|neighbour|neighbor|colleague|coworker|sister|brother|mum|mom|dad|cousin|daughter|son told|recommended (me|us) (about) you|your", ""],
  ["told|telling me|us about you", ""],
  ["recommended you|your", ""],
  ["thanks|thank (you) for picking|answering (the) (phone) (up)", ""],
  ["thanks|thank (you) for taking my|the call", ""],
  ["hold|hang on (a) (second|sec|minute|moment)", ""],
  ["by any chance", ""],
  ["any chance", ""],
  ["happen|happens to", ""],
  ["find out (if|whether|about)", ""],
  ["just to check|confirm", ""],
  ["just checking", ""],
  ["just|im curious", ""],
  ["i am curious", ""],
  ["out of curiosity", ""],
  ["do you mind if i ask", ""],
  ["mind if i ask", ""],
  ["i have|got a couple (of) questions", ""],
  ["i have|got 2|3|some questions (first)", ""],
  ["first of all", ""],
  ["okay|ok|oh cool|great|perfect|awesome|lovely|brilliant", ""],
  ["listen|alright|right (so)", ""],
  ["can you hear me", ""],
  ["i was|were told to call|ring (you)", ""],
  ["i|we was|were|am|are (just) looking online|around (and)", ""],
  ["im|were new to|in the area", ""],
  // Asking to hear about a topic, in words that are no topic of their own.
  ["whats|what the deal|story with|on", ""],
  ["what is the deal|story with|on", ""],
  ["information|info|details about|on|regarding|for", ""],
  ["looking for", ""],
  // Tags after the question: "is that right", "if that makes sense", "that would be great".
  ["is that right|correct|true", ""],
  ["if that makes sense", ""],
  ["does that make sense", ""],
  ["that would|d be great|lovely|perfect|brilliant|helpful", ""],
  ["thatd be great|lovely|perfect|brilliant|helpful", ""],
  ["if you can|could", ""],
  ["how much time", "duration"],
  ["how much", "cost"],
  ["how long", "duration"],
  // Booking in other words: having one's name put down, a table saved or held.
  ["put our|my name down", "reserve"],
  ["put us down", "reserve"],
  ["save (us) a table", "reserve table"],
  ["hold a table", "reserve table"],
  ["under the|my|our name", "reserve"],
  // Situations that cannot wait, told instead of asking for the emergency line.
  ["hit|struck|run|knocked over|down|by (by) a|the car|truck|van|bus|bike", "emergency urgent"],
  ["not|isnt|stopped breathing", "emergency urgent"],
  ["cant|cannot breathe", "emergency urgent"],
  ["bleeding|choking|collapsed|unconscious|seizure|poisoned|flooding|flooded", "emergency urgent"],
  ["swallowed|ate|eaten (a|an|some|the|something) poison|chocolate|battery|batteries|sock|toy|bone|rat|medication|pills", "emergency urgent"],
  ["burst|bursting (a|the|water) pipe|pipes|main", "emergency urgent"],
  ["pipe|pipes|main (has|have|just) burst", "emergency urgent"],
  ["water (is|was) pouring|gushing|coming|leaking through|from|out|in (of) (the|my|our) (*) ceiling|roof|wall|walls|floor", "emergency urgent"],
  ["pouring|gushing through|from|out (of) the|my|our (*) ceiling|roof|wall|floor", "emergency urgent"],
  ["gas leak", "emergency urgent"],
  ["smell|smells|smelling (of) gas", "emergency urgent"],
  ["locked out", "emergency urgent"],
  ["broken|broke down", "emergency urgent"],
  ["knocked out (a|my|his|her|their) tooth|teeth", "emergency urgent"],
  ["asap|immediately", "urgent"],
  ["straight|right away", "urgent"],
  ["as soon as possible", "urgent"],
  // Identity documents a business may ask to see.
  ["drivers|driving license|licence|licenses|licences", "photo id identification"],
  ["id card|cards", "photo id identification"],
  // Coming once, without a membership or a package.
  ["single visit|session|class|entry|ticket", "drop in"],
  ["one off|time visit|session|class|entry", "drop in"],
  ["pay as you go", "drop in"],
  // Children left in someone's care while the parent is busy, and children counted.
  ["leave|drop (off) the|my|our baby|babies|kids|children|child|toddler|little", "childcare"],
  ["my|our (1..9) (little|young) boys|girls|lads", "child"],
  // Going online is the internet.
  ["get|go|getting|be online", "internet"],
  // Whether something costs more or is in the price.
  ["part of the|your rate|price|cost|deal|package|room", "included"],
  ["come|comes with (the) (room|rate|price)", "included"],
  ["is that|it extra", "included"],
  ["pay (for) (it|that) separately", "included"],
  // Bringing someone along to an event or a club.
  ["plus 1", "guest"],
  // Somewhere safe for one's things.
  ["somewhere|anywhere|place|spot safe|secure to put|leave|keep|store", "locker storage"],
  // A gift bought as a voucher.
  ["voucher|vouchers", "gift card"],
  // Food for a crowd.
  ["big|large|bulk order|orders", "catering"],
  ["office|work|company lunch|party|event", "catering"],
  // Trade work in phrasal verbs: "put in a new bathtub" is fitting one, "take care of snakes" treating them.
  ["put|putting in", "install fit"],
  ["take|taking care of", "treat care"],
  // Ordering to collect: "order ahead", "come and grab it myself".
  ["order ahead", "order pickup"],
  ["grab|collect|get it|them myself|ourselves", "pickup"],
  ["come|pop (in|by|round) (and) grab|collect it|them", "pickup"],
  // The times of what a business runs on a timetable.
  ["class|classes|session|sessions|lesson|lessons times", "class schedule"],
  // A British place to train.
  ["leisure|sports|fitness centre|center|club", "gym"],
  // Withdrawing from a commitment.
  ["get out of my|our|the|a contract|membership|booking|reservation|subscription|lease|plan|agreement", "cancel"],
  ["end|quit|terminate my|our|the membership|contract|subscription|plan|account|lease", "cancel"],
  // Keeping a commitment but pausing it for a while.
  ["on hold", "pause freeze"],
  ["pull|back out of", "cancel"],
  ["call off", "cancel"],
  // Times outside opening hours, as callers say them ("out of hours" is the British "after hours").
  ["middle of the night", "after hours"],
  ["out of hours", "after hours"],
  // Ways to pay named by more than one word.
  ["american express", "amex"],
  ["write a check|cheque", "pay check"],
  // Asking whether something costs nothing, without the word "free".
  ["without paying", "free"],
  ["without (a) charge", "free"],
  ["no charge", "free"],
  ["for nothing", "free"],
  ["cost|costs nothing", "free"],
  // Asking what follows from something is asking about a policy: "what happens if i cancel".
  ["what happens|happened (if|when)", "what policy"],
  ["what would|will happen (if|when)", "what policy"],
  // Asking what range a business covers ("what kind of law do you do" asks what an owner's "What
  // kinds of cases do you handle?" answers): "kind" is a stop word elsewhere ("any kind of parking").
  ["what kind|kinds|type|types|sort|sorts of", "what kind"],
  ["which kind|kinds|type|types|sort|sorts of", "which kind"],
  // Children named by their age or as the little ones: "my 4 year old", "the young ones".
  ["1..17 year|years old|olds", "child"],
  ["little|young|wee one|ones|uns", "child"],
  // Where a car can stand, without the word "park".
  ["leave|put|stick|keep|park the|my|our|a|your (hire|rental|rented) car|cars|van|vehicle|truck", "park"],
  ["space|spaces|spot|spots|room for (the|my|our|a) (guests|guest|customers|customer|visitors|visitor) car|cars", "park"],
  // Having something brought to the caller's door, without the word "deliver".
  ["bring|send|take|get|drop (an|the|some) (it|them|food|dinner|lunch|breakfast|everything|order|meal|meals) (out|over|round|around|off) to my|our house|home|place|apartment|flat|office|door|work|address|hotel", "deliver"],
  ["bring|send|take|get|drop (an|the|some) (it|them|food|dinner|lunch|breakfast|everything|order|meal|meals) (out|over|round|around|off) to the house|door", "deliver"],
  ["bring|send (an|the|some) (it|them|food|dinner|lunch|breakfast|everything|order|meal|meals) out|over|round|around to us", "deliver"],
  ["dropped|brought|sent|delivered (off|over|out|round) to|at my|our house|home|place|apartment|flat|office|door|work|address|hotel", "deliver"],
  // Food in other words.
  ["something|anything to eat", "food"],
  ["bite to eat", "food"],
  ["grab|get a bite", "food"],
  // Paying in parts.
  ["split|break (it|the|this|that) (cost|bill|payment|payments|fee|fees) up", "installments"],
  ["spread (it|the|this|that) (cost|payment|payments|fee|fees) out", "installments"],
  ["pay|paying (it|for) (it) (off) bit|little by bit|little", "installments"],
  // Coming along without being a member.
  ["not|isnt|arent|aint a member|members", "guest"],
  ["non member|members", "guest"],
  // Moving around with difficulty: what step-free access answers.
  ["walking frame|stick|aid", "accessible"],
  ["zimmer frame", "accessible"],
  ["mobility scooter|aid", "accessible"],
  ["cant|cannot manage|climb|do|use (the) stairs|steps", "accessible stairs"],
  ["step free", "accessible"],
  ["no|without (a) step|steps|stairs", "accessible"],
  // A room's key times, asked as getting into it or out of it.
  ["get|go in|into (to) the|our|my room", "check in"],
  ["be|get out of the|our|my room", "check out"],
  // Asking where the business is, in the forms callers use instead of "where are you located".
  ["what|which street|floor", "where location"],
  ["find you", "where location"],
  ["get to you|ye", "where location"],
  ["are you the one", "where location"],
  ["next to", "where location"],
  ["across from", "where location"],
];
