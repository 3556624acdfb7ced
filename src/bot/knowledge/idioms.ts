/**
 * Idioms: word patterns that mean one thing, matched on normalised words before stop words (syntax
 * in phrase-patterns.ts: "|" between alternatives, "(…)" for a slot that may be left out, "*" any
 * one word, "1..17" a number in range); the longest match wins. WordNet holds words, not idioms.
 *
 * - Spoken question forms whose meaning is not in their words: "how much" asks a price, "how long"
 *   a duration, "what street are you on" where the business is, "without paying" whether it is
 *   free, "out of hours" after hours, "put my name down" a booking, "pull out of" cancelling, "what
 *   happens if" a policy, "what kind of … do you do" the range of a business's work.
 * - The everyday ways of naming a phone bot's common topics without their word, the same in every
 *   trade: a car left somewhere is parking, food brought to the caller's home is delivery, "my 4
 *   year old" is a child, "split it up" is installments, "not a member" a guest, "cant manage
 *   stairs" asks about access, a driving licence is photo ID, a burst pipe or a pet hit by a car is
 *   an emergency.
 *
 * The meaning's words are implied: none of them costs against a business that never uses it, and
 * its stop words ("what", "after") are no terms, except the last ("kind" in "what kind").
 */
export const IDIOMS: ReadonlyArray<readonly [string, string]> = [
  ["how much time", "duration"],
  ["how many hours|minutes|days|weeks|months", "duration"],
  ["when should|do|can|will i|we come back|collect|pick", "duration"],
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
  ["just show|turn|rock up", "walk in"],
  ["one off|time visit|session|class|entry", "drop in"],
  ["pay as you go", "drop in"],
  ["just|only once", "drop in"],
  ["for (just) 1 day|night|visit|session|class", "drop in"],
  // Children left in someone's care while the parent is busy, and children counted.
  ["leave|drop (off) the|my|our baby|babies|kids|children|child|toddler|little", "childcare"],
  ["my|our (1..9) (little|young) boys|girls|lads", "child"],
  // Going online is the internet.
  ["get|go|getting|be (my|the|our|a|this|his|her) (*) online", "internet"],
  // Whether a cost is carried by an insurer or a guarantee.
  ["covered|cover for|by|under", "insurance warranty guarantee"],
  ["will|does|would (my|the|your) (*) cover it|that|this|me|us|the", "insurance warranty guarantee"],
  ["cover it|that|this|me|us|stuff|anything|everything|things", "insurance warranty guarantee"],
  ["no|lost|lose (my|our|any) (dental|health|medical) insurance|coverage", "without insurance"],
  // A repair that fails again should not be paid twice: what a guarantee covers.
  ["pay|paying for it|that (all) twice|again", "warranty guarantee"],
  ["pay|paying twice", "warranty guarantee"],
  // Whether something costs more or is in the price.
  ["part of the|your rate|price|cost|deal|package|room", "included"],
  ["come|comes with (the) (room|rate|price)", "included"],
  ["is that|it extra", "included"],
  ["pay (for) (it|that) separately", "included"],
  // Bringing someone along to an event or a club.
  ["plus 1|one|ones", "guest"],
  // Somewhere safe for one's things.
  ["somewhere|anywhere|place|spot safe|secure to put|leave|keep|store", "locker storage"],
  // A gift bought as a voucher.
  ["voucher|vouchers", "gift card"],
  // Food for a crowd: for twenty people or more it is catering, not a table.
  ["food|meal|meals|lunch|dinner|order|orders|enough for (like|about|around|maybe|roughly|over) 20..2000 people|guests|persons", "catering"],
  ["big|large|bulk order|orders", "catering"],
  ["office|work|company lunch|party|event", "catering"],
  // Pricing a job is quoting for it.
  ["price|cost (up|out) the|a|my|our|this|that job|work|project|repair|repairs", "quote"],
  // Trade work in phrasal verbs: "put in a new bathtub" is fitting one, "take care of snakes" treating them.
  ["put|putting in", "install fit"],
  ["take|taking care of", "treat care"],
  // Being taught: "show me how to use the machines" asks for training or a lesson.
  ["show|teach me|us how (to)", "training lesson"],
  // Exercising together is a class.
  ["group workout|workouts|exercise|exercises|session|sessions|fitness|training", "class"],
  // Meeting a professional to talk a matter through: a consultation.
  ["sit down (with) (you|someone|somebody|one|1) (and|to) (go|talk|run) (over|through|about)", "consultation meeting"],
  ["go|talk|run over|through my|our (*) situation|case|options|matter", "consultation"],
  // A first meeting with a professional is a consultation; needing one's own things is bringing them.
  ["first|initial +appointment|appointments|meeting|meetings|visit", "consultation"],
  ["do|will|would i|we need (to) (have) my|our", "bring"],
  // A signature witnessed and stamped is notarised.
  ["witness|witnessed|stamp|stamped|certify|certified my|a|the|our signature|signatures", "notarize"],
  ["signature|signatures witnessed|stamped|certified", "notarize"],
  ["signature|signatures (*) witnessed|stamped|certified", "notarize"],
  // Staying in a room past the usual time is a late check-out.
  ["keep|have the|our|my room|rooms (a) (bit|little) longer|later", "late check out"],
  ["stay in the|our|my room|rooms (a) (bit|little) longer|later", "late check out"],
  // Food in the morning is breakfast.
  ["something|anything to eat (early) in the morning", "breakfast"],
  ["eat|food|meal (early) in the morning", "breakfast"],
  ["morning meal|food", "breakfast"],
  // A pint is a drink; a six pack is beer.
  ["pint|pints", "drink"],
  ["six|6 pack|packs", "beer"],
  // Flying in: a terminal or a landing is the airport.
  ["land|landing|landed|fly|flying|arrive|arriving in|into|at (the) terminal|airport", "airport"],
  ["terminal 1..9", "airport"],
  // A cheap meal deal.
  ["on a budget", "cheap deal"],
  ["combo|combination meal|meals|deal|deals", "deal"],
  // What something costs, in the ways callers ask it without "cost".
  ["set|sets me|us|you back", "cost"],
  ["whats|what is the damage", "cost"],
  // Several visits bought together, and a first visit to try.
  ["pack|packs|bundle|bundles|block|blocks of (*) classes|sessions|lessons|visits", "class pass"],
  ["punch|loyalty|class card|cards", "class pass"],
  ["trial|taster|intro|introductory class|session|week|month|period|pass|offer|thing", "intro offer new"],
  ["newbie|newbies|noob|noobs", "beginner new"],
  ["newcomer|newcomers", "new"],
  ["never been (to) (your|the|this) (*) before", "new"],
  // Being put to sleep for treatment, and being worked up or freaking out.
  ["knock|put me|him|her|them|us out|under", "sedation anesthesia"],
  ["worked|wound up", "nervous anxious"],
  ["freak|freaks|freaking|freaked out", "nervous scared"],
  // Fetching a car (or anything) from the caller, and lending one.
  ["come and|to fetch|get|collect it|them|the|my|our|her|his", "collect pickup"],
  ["borrow|lend|loan (me|us) a|the (*) car|motor|vehicle|van", "loan car courtesy"],
  // A tooth that hurts or broke is a toothache to see to quickly.
  ["cracked|chipped|broke|broken|lost my|a|his|her|the (*) tooth|teeth|filling|crown|molar", "toothache urgent"],
  ["tooth|teeth|molar|molars is|are (really) throbbing|aching|killing|hurting|sore", "toothache urgent"],
  ["tooth|teeth|molar|filling|crown got|is|was|has (been) chipped|cracked|broken|knocked", "toothache urgent"],
  // Teeth that are not white ask for whitening.
  ["yellow|stained|discoloured|discolored (*) teeth", "teeth whitening"],
  ["teeth are|look (kind) (of) (really|quite|a) (bit) yellow|stained|discoloured|discolored", "teeth whitening"],
  // Joining as a patient, member or client is being new.
  ["become|becoming|be|join as a|an (new) patient|member|client|customer|student", "new join"],
  // Children counted by their age: "my twins are four".
  ["twins|kids|boys|girls|son|daughter|sons|daughters are|is (only|just) 1..17", "child"],
  // Injections: "what shots does he need".
  ["shot|shots|jab|jabs|booster|boosters|vaccine|vaccines|injection|injections", "vaccination"],
  // Expecting a baby.
  ["bun in the oven", "pregnant prenatal"],
  ["im|shes expecting", "pregnant prenatal"],
  ["moms|mums|mothers|mom|mum|mother to be", "pregnant prenatal"],
  // A visit to the caller's home.
  ["come|comes out to my|our|your house|home|place|door", "mobile visit"],
  ["groom|cut|visit|treat|service|see|fix|clean|do (him|her|it|them|me|us) at (my|our|her|his|the) home|house|place", "mobile visit"],
  // Which stop to get off at is where the business is.
  ["what|which (*) stop|station do|should i|we get off", "where location"],
  // Food without an ingredient is free of it: "pasta that doesnt have wheat", "a wheat allergy".
  ["doesnt|dont|didnt have|contain (any) +wheat|gluten|dairy|milk|lactose|nuts|peanuts|meat|egg|eggs|soy|sugar", "free"],
  ["without (any) +wheat|gluten|dairy|milk|lactose|nuts|peanuts|meat|egg|eggs|soy|sugar", "free"],
  ["wheat|gluten allergy|allergies|intolerance|intolerant|sensitivity", "gluten free"],
  ["allergic|intolerant|sensitive to wheat|gluten", "gluten free"],
  ["dairy|lactose|milk allergy|allergies|intolerance|intolerant", "dairy free"],
  ["allergic|intolerant to dairy|lactose|milk", "dairy free"],
  // A room not ready yet is before check-in; cases dropped off are luggage left.
  ["before the|our|my room|rooms is|are|gets|get ready", "before check in"],
  ["drop|leave (off) our|my|the|some cases|suitcases|luggage|bags", "leave luggage bags"],
  // Ordering to collect: "order ahead", "come and grab it myself".
  ["order ahead", "order pickup"],
  ["grab|collect|get it|them myself|ourselves", "pickup"],
  ["come|pop (in|by|round) (and) grab|collect it|them", "pickup"],
  // The times of what a business runs on a timetable.
  ["class|classes|session|sessions|lesson|lessons times", "class schedule"],
  // A British place to train.
  ["leisure|sports|fitness centre|center|club", "gym"],
  // Withdrawing from a commitment.
  ["get out of my|our|the|a +contract|membership|booking|reservation|subscription|lease|plan|agreement", "cancel"],
  ["end|quit|terminate|stop my|our|the +membership|contract|subscription|plan|account|lease|gym|club", "cancel"],
  ["quit|leave the|my|your +gym|club", "cancel"],
  // Keeping a commitment but pausing it for a while.
  ["on hold", "pause freeze"],
  ["stop|pause|hold paying|payments|payment (for) (a|the) while|bit|month|months|time", "pause"],
  ["pull|back out of", "cancel"],
  ["drop|dropping|pull|pulling out (of) (a|the|my|our|this|that|tonights|todays|tomorrows) (*) class|session|booking|appointment|lesson|course|event|tour|reservation|trip", "cancel"],
  ["drop|dropping out", "cancel"],
  ["cant|cannot|wont|couldnt make (it|the|my|our|tonights|todays|tomorrows) (*) (class|session|booking|appointment|lesson|reservation|meeting)", "cancel"],
  ["can|will|could not make (it|the|my|our|tonights|todays|tomorrows) (*) (class|session|booking|appointment|lesson|reservation|meeting)", "cancel"],
  ["dont|didnt|doesnt|never show|turn up", "cancel"],
  ["move|moving|shift|change my|our|the (*) (*) to another day|time|date|week", "reschedule cancel"],
  ["move|moving|shift|change my|our|the (*) (*) to a|an different|later|earlier day|time|date|week", "reschedule cancel"],
  ["no show|shows", "cancel"],
  ["miss|missed|skip my|our|a|the (*) class|session|booking|appointment|lesson|reservation|meeting", "cancel"],
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
  // Weeks old is a baby, or a puppy or kitten.
  ["1..52 week|weeks old", "young baby puppy kitten"],
  // A child's helping of food is what a kids' menu serves.
  ["childrens|children|kids|kid|child portion|portions|size|sizes|meal|meals", "kids menu"],
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
  ["get there|here (from)", "where location"],
  ["are you|ye the (*) (*) above|below|beside|behind|opposite|near|next|across|by|off|on|at", "where location"],
  ["are you the one", "where location"],
  ["next to", "where location"],
  ["across from", "where location"],
];
