/**
 * How the knowledge base reads a caller's sentence beyond its words: what an answer states (a
 * price, a time), a question that points back at the situation ("would that be ok"), a modal that
 * is a noun ("a will"), and idioms that keep the topic they name ("stop my membership"). Made-up
 * businesses of other trades, so that none of it leans on the development set.
 */
import { describe, expect, test } from "bun:test";
import { DEFAULT_CONFIDENCE_THRESHOLD, buildKnowledgeIndex, queryKnowledge } from "../../src/bot/knowledge/index.ts";
import { answerTypeWords } from "../../src/bot/knowledge/answer-types.ts";
import { analyze, tokensOf } from "../../src/bot/knowledge/terms.ts";
import { stem } from "../../src/bot/knowledge/stem.ts";

const answered = (index: ReturnType<typeof buildKnowledgeIndex>, said: string) => {
  const match = queryKnowledge(index, said);
  return match !== null && match.score >= DEFAULT_CONFIDENCE_THRESHOLD && !match.ambiguous ? match.faqIndex : -1;
};

describe("what an answer states", () => {
  test("prices and clock times are recognised in the forms owners write them", () => {
    expect(answerTypeWords("Ponies stay for €20 a night.")).toEqual(["cost"]);
    expect(answerTypeWords("A lesson is 30 dollars.")).toEqual(["cost"]);
    expect(answerTypeWords("Lessons run from 9:30 am.")).toEqual(["time", "morning"]);
    expect(answerTypeWords("We open at noon, $5 entry.")).toEqual(["cost", "time"]);
    expect(answerTypeWords("We have two arenas and 40 horses.")).toEqual([]);
    expect(answerTypeWords("Pony club runs weekdays from 8 am to noon.")).toEqual(["time", "morning"]);
    expect(answerTypeWords("Night rides leave at 7:30 pm.")).toEqual(["time", "evening", "night"]);
    expect(answerTypeWords("The office shuts at 3 pm.")).toEqual(["time"]);
    expect(answerTypeWords("Every repair has a 12-month guarantee.")).toEqual(["duration"]);
    expect(answerTypeWords("Most orders are ready in about 20 minutes.")).toEqual(["duration"]);
  });

  test("'is there a charge for …' reaches the FAQ about the thing whose answer gives a price, without taking the price FAQ's word", () => {
    const stables = buildKnowledgeIndex([
      { question: "Can I bring my own horse?", answer: "Visiting horses are welcome in the guest stalls for €20 a night.", keywords: ["horse"] },
      { question: "What are your lesson prices?", answer: "Group lessons are €35 an hour.", keywords: ["price", "cost"] },
      { question: "Do you cancel lessons in bad weather?", answer: "We move you to the indoor arena, or refund you if it is closed; no one is charged for a lesson we call off.", keywords: ["weather"] },
    ]);
    expect(answered(stables, "is there a charge for bringing a horse")).toBe(0);
    expect(answered(stables, "how much does it cost for a lesson")).toBe(1);
    // The price's words reach the horse FAQ through its answer, as words it does not write: the
    // price FAQ's own "cost" keeps its distinctiveness.
    const reach = (word: string) => stables.vocabulary.postings.get(stem(word))?.find((posting) => posting.faq === 0);
    expect(reach("charge")).toMatchObject({ topical: false, written: false });
    expect(reach("cost")).toMatchObject({ topical: false, written: false });
    expect(stables.vocabulary.postings.get(stem("cost"))?.filter((posting) => posting.written).map((posting) => posting.faq)).toEqual([1]);
  });
});

describe("the question's reach", () => {
  test("a question that names nothing asks about the situation told around it", () => {
    expect([...analyze("were travelling with our grandson would that be ok").narrative]).toEqual([]);
    expect([...analyze("were travelling with our grandson would that be ok").trailing]).toEqual([]);
    // A question that names something keeps the situation apart.
    expect([...analyze("were travelling with our grandson do you have cots").narrative].sort()).toEqual(["grandson", "travel"]);
  });

  test("'will' and 'can' after a determiner, or in the plural, are nouns; as verbs they stay function words", () => {
    const terms = (text: string) => tokensOf(text).map((token) => token.term).filter((term) => term !== "");
    expect(terms("how much to get a will done")).toContain("will");
    expect(terms("wills and estates")).toContain("will");
    expect(terms("that will be fine")).toEqual(["fine"]);
    expect(terms("trainers that can help")).toEqual(["train", "help"]);
  });

  test("an idiom that names a topic keeps it: 'stop my membership' cancels one, and an owner's 'end my contract' keeps its word", () => {
    const club = buildKnowledgeIndex([
      { question: "How do I cancel my membership?", answer: "Email the office a month ahead.", keywords: [] },
      { question: "Can I pause my membership?", answer: "For up to two months.", keywords: ["pause"] },
      { question: "How much is a membership?", answer: "$30 a month.", keywords: ["price"] },
    ]);
    expect(answered(club, "i need to stop my membership im moving away")).toBe(0);
    expect(answered(club, "how do i quit the club")).toBe(0);
    const words = tokensOf("How do I end my contract?").map((token) => token.word);
    expect(words).toContain("cancel");
    expect(words).toContain("contract");
  });

  test("coming just once is a single visit, and a plus one is a guest", () => {
    const pool = buildKnowledgeIndex([
      { question: "Do you sell single swims?", answer: "A drop-in swim is $8.", keywords: ["drop in"] },
      { question: "How much is a membership?", answer: "$45 a month.", keywords: ["membership", "price"] },
      { question: "Can I bring a guest?", answer: "Members bring a guest free on Sundays.", keywords: ["guest"] },
    ]);
    expect(answered(pool, "how much is it to swim there just once")).toBe(0);
    expect(answered(pool, "whats the rule about bringing a plus one")).toBe(2);
  });
});

describe("the caller's own plans after the question", () => {
  test("'before our …', 'while we …' start a clause of the caller's own: its owner's words count for less", () => {
    expect([...analyze("what time is lunch served before our coach trip").trailing].sort()).toEqual(["befor", "coach", "trip"].sort());
    expect([...analyze("can i leave my bike before check in").trailing]).toEqual([]);
    const inn = buildKnowledgeIndex([
      { question: "What time is lunch?", answer: "Lunch is served from noon to 2 pm in the bar.", keywords: ["lunch"] },
      { question: "Do you have coach parking?", answer: "Coaches park on Mill Lane.", keywords: ["coach", "coach parking"] },
      { question: "Do you have rooms?", answer: "Six rooms upstairs.", keywords: ["rooms"] },
    ]);
    expect(answered(inn, "what time is lunch served before our coach trip")).toBe(0);
    // The caller's own coach is no question about coach parking.
    expect(answered(inn, "can we get some food before our coach")).not.toBe(1);
  });
});

describe("idioms of every trade", () => {
  test("being taught, exercising together, talking a matter through and a witnessed signature", () => {
    const studio = buildKnowledgeIndex([
      { question: "Do you offer private lessons?", answer: "One to one lessons are $50.", keywords: ["lesson"] },
      { question: "What classes do you run?", answer: "Salsa and tango every evening.", keywords: ["classes"] },
      { question: "Where are you?", answer: "Above the bakery on High Street.", keywords: ["address"] },
    ]);
    expect(answered(studio, "can somebody show me how to do the steps")).toBe(0);
    expect(answered(studio, "do you do group sessions")).toBe(1);
    const accountant = buildKnowledgeIndex([
      { question: "Do you offer a free consultation?", answer: "The first meeting is free.", keywords: ["consultation"] },
      { question: "Do you have a notary?", answer: "Yes, $5 a stamp.", keywords: ["notary"] },
      { question: "What are your hours?", answer: "9 to 5.", keywords: ["hours"] },
    ]);
    expect(answered(accountant, "can i sit down with someone and go over my options")).toBe(0);
    expect(answered(accountant, "i need a signature witnessed")).toBe(1);
  });

  test("a room kept longer, food in the morning, a pint, a landing and a budget meal", () => {
    const guesthouse = buildKnowledgeIndex([
      { question: "What time is check-out?", answer: "By 10 am; late check-out on request.", keywords: ["check out", "late checkout"] },
      { question: "Do you serve breakfast?", answer: "From 8 am in the conservatory.", keywords: ["breakfast"] },
      { question: "Is there a bar?", answer: "The lounge bar opens at 5 pm.", keywords: ["bar", "drinks"] },
      { question: "How do I get here from the airport?", answer: "The 747 bus stops outside.", keywords: ["airport"] },
      { question: "Do you have any deals?", answer: "Two nights for the price of one in March.", keywords: ["deals", "offers"] },
    ]);
    expect(answered(guesthouse, "could we keep the room a bit longer on sunday")).toBe(0);
    expect(answered(guesthouse, "can we get something to eat in the morning")).toBe(1);
    expect(answered(guesthouse, "can we get a pint there")).toBe(2);
    expect(answered(guesthouse, "we land in terminal 2 at midnight how do we get to you")).toBe(3);
    expect(answered(guesthouse, "anything for a family on a budget")).toBe(4);
  });
});

describe("what the caller points at", () => {
  test("'stuff like that' points back at what the caller described: the described thing is the question", () => {
    expect([...analyze("i like group workouts do you have stuff like that").narrative]).toEqual([]);
    expect([...analyze("my kids love painting is there anything like that").narrative]).toEqual([]);
  });

  test("a first appointment is a consultation, needing one's own things is bringing them, and the business's name word is what it does", () => {
    const firm = buildKnowledgeIndex([
      { question: "What kinds of work do you take on?", answer: "Tax returns, payroll and bookkeeping.", keywords: [] },
      { question: "Do you offer a free consultation?", answer: "Your first hour is free, in person or on a video call.", keywords: ["consultation"] },
      { question: "What should I bring to my appointment?", answer: "Bring last year's return and your bank statements.", keywords: ["bring", "appointment"] },
    ]);
    const named = buildKnowledgeIndex(firm.faqs, { businessName: "Harlow Accounting" });
    expect(answered(named, "what kind of accounting do you guys do")).toBe(0);
    expect(answered(firm, "can i do the first appointment over zoom")).toBe(1);
    expect(answered(firm, "do we need our passports")).toBe(2);
  });
});

describe("words that carry little, and words chosen as interchangeable", () => {
  test("a light verb ('bring', 'need') costs what a modifier costs: the thing brought is the topic", () => {
    const inn = buildKnowledgeIndex([
      { question: "Are pets allowed?", answer: "Well-behaved pets stay free.", keywords: ["pets", "dogs"] },
      { question: "Is there parking?", answer: "In the yard behind the inn.", keywords: ["parking"] },
      { question: "Do you serve dinner?", answer: "Until 9 pm in the dining room.", keywords: ["dinner"] },
    ]);
    expect(answered(inn, "can we bring the dog with us hes only a small terrier")).toBe(0);
  });

  test("a hand group's synonym ('suspend' for 'pause') is surer than a WordNet sense, and pricing a job is quoting it", () => {
    const club = buildKnowledgeIndex([
      { question: "Can I pause my membership?", answer: "For up to two months a year.", keywords: ["pause"] },
      { question: "How much is a membership?", answer: "$30 a month.", keywords: ["membership", "price"] },
      { question: "How do I cancel?", answer: "Email the office.", keywords: ["cancel"] },
    ]);
    expect(answered(club, "is there a way to suspend my membership while im away")).toBe(0);
    const roofer = buildKnowledgeIndex([
      { question: "Do you give free quotes?", answer: "Quotes are free within ten miles.", keywords: ["quote"] },
      { question: "What is your hourly rate?", answer: "$70 an hour.", keywords: ["rate", "hourly"] },
      { question: "Do you fix gutters?", answer: "Yes, and we clear them too.", keywords: ["gutter"] },
    ]);
    expect(answered(roofer, "do you charge to come out and price the job")).toBe(0);
  });
});

describe("amounts and spans that name a topic", () => {
  test("food for twenty people or more is catering, and stopping payments for a while is a pause", () => {
    const deli = buildKnowledgeIndex([
      { question: "Do you cater?", answer: "Platters for offices and parties, two days' notice.", keywords: ["catering"] },
      { question: "Can I book a table?", answer: "For up to eight people.", keywords: ["book", "table"] },
      { question: "Do you deliver?", answer: "Within two miles.", keywords: ["delivery"] },
    ]);
    expect(answered(deli, "can you do food for about 40 people on friday")).toBe(0);
    const club = buildKnowledgeIndex([
      { question: "Can I pause my membership?", answer: "For up to two months a year.", keywords: ["pause"] },
      { question: "How much is a membership?", answer: "$30 a month.", keywords: ["membership", "price"] },
      { question: "How do I cancel?", answer: "Email the office.", keywords: ["cancel"] },
    ]);
    expect(answered(club, "i hurt my back can i stop paying for a while")).toBe(0);
  });
});

describe("idioms with a word inside", () => {
  test("getting a device online is the internet, and a children's portion is the kids' menu", () => {
    const cafe = buildKnowledgeIndex([
      { question: "Do you have WiFi?", answer: "Yes, the code is on the counter.", keywords: ["wifi"] },
      { question: "Do you have a kids menu?", answer: "Toasties and juice for $5.", keywords: ["kids menu"] },
      { question: "Do you do takeaway?", answer: "Everything on the menu.", keywords: ["takeaway"] },
    ]);
    expect(answered(cafe, "how do i get my tablet online")).toBe(0);
    expect(answered(cafe, "do you do childrens portions")).toBe(1);
  });
});

describe("booking, missing it and finding the place", () => {
  const climbing = buildKnowledgeIndex([
    { question: "How do I book a session?", answer: "Online, up to a week ahead.", keywords: [] },
    { question: "What is your cancellation policy?", answer: "Cancel 24 hours ahead or pay the session.", keywords: ["cancel"] },
    { question: "Where are you located?", answer: "Unit 4, Dock Road.", keywords: ["address"] },
    { question: "Do you rent shoes?", answer: "Yes, $4 a pair.", keywords: ["shoes"] },
  ]);

  test("reserving is booking, whichever word the owner wrote", () => {
    expect(answered(climbing, "can i reserve a session for saturday")).toBe(0);
  });

  test("dropping out, not making it and missing a session are cancelling", () => {
    for (const said of ["how late can i drop out of a session", "i cant make my session tonight", "what if i miss a session"]) expect([said, answered(climbing, said)]).toEqual([said, 1]);
  });

  test("getting there, and 'are you the … near …', ask where the business is", () => {
    for (const said of ["how do i get there from the motorway", "are you the place behind the station"]) expect([said, answered(climbing, said)]).toEqual([said, 2]);
  });
});

describe("how long, not turning up, and what a cover pays for", () => {
  const garage = buildKnowledgeIndex([
    { question: "Do your repairs come with a warranty?", answer: "Every repair has a 12-month parts and labour guarantee.", keywords: ["warranty"] },
    { question: "Do you work on hybrids?", answer: "Yes, our technicians repair hybrid and electric cars.", keywords: ["hybrid"] },
    { question: "What is your cancellation policy?", answer: "Cancel a day ahead; a missed booking costs £20.", keywords: ["cancel"] },
    { question: "Where are you located?", answer: "Abbey Road.", keywords: ["address"] },
  ]);

  test("'how long' reaches an answer that gives a length of time, and 'covered for' a guarantee", () => {
    expect(answered(garage, "how long are your repairs covered for")).toBe(0);
  });

  test("not turning up and moving a booking to another day are what a cancellation policy covers", () => {
    expect(answered(garage, "is there a fee if i dont show up")).toBe(2);
    expect(answered(garage, "can i move my booking to another day")).toBe(2);
  });

  test("'without' and 'per' are known words, never repaired into an owner's word nor costed as a rare one", () => {
    expect(analyze("can i cancel without paying").unknown.size).toBe(0);
    expect(analyze("how much per hour").unknown.size).toBe(0);
  });
});

describe("callers' everyday phrases across trades", () => {
  test("what it sets me back is its cost, a pack of lessons is a pass, a taster is an intro offer, a newbie a beginner", () => {
    const swim = buildKnowledgeIndex([
      { question: "How much is a lesson?", answer: "A single lesson is $30.", keywords: ["lesson price"] },
      { question: "Do you sell lesson passes?", answer: "A ten-lesson pass is $250.", keywords: ["pass"] },
      { question: "Do you have an intro offer for new swimmers?", answer: "Your first two weeks are $20.", keywords: ["intro offer"] },
      { question: "Which class suits beginners?", answer: "Starter Splash on Mondays.", keywords: ["beginners"] },
    ]);
    expect(answered(swim, "what would a lesson set me back")).toBe(0);
    expect(answered(swim, "do you sell packs of lessons")).toBe(1);
    expect(answered(swim, "is there a taster week")).toBe(2);
    expect(answered(swim, "im a total newbie which class")).toBe(3);
  });

  test("coming to fetch a car and lending one, a tooth that broke or throbs, children by age, shots, expecting, a home visit", () => {
    const garage = buildKnowledgeIndex([
      { question: "Can you collect my car?", answer: "Within five miles for £15.", keywords: ["collect"] },
      { question: "Do you have a loan car?", answer: "Two loan cars, book ahead.", keywords: ["loan car"] },
      { question: "Where are you?", answer: "Mill Lane.", keywords: ["address"] },
    ]);
    expect(answered(garage, "can one of your lads come and fetch it")).toBe(0);
    expect(answered(garage, "can you lend me a car for the week")).toBe(1);
    const clinic = buildKnowledgeIndex([
      { question: "Can I be seen today for a toothache?", answer: "We keep same-day slots.", keywords: ["toothache", "urgent"] },
      { question: "Do you see children?", answer: "From their first tooth.", keywords: ["children"] },
      { question: "Do you need proof of vaccination?", answer: "For the kennel stay, yes.", keywords: ["vaccination"] },
      { question: "Do you offer prenatal classes?", answer: "Tuesdays at 6 pm.", keywords: ["prenatal"] },
      { question: "Do you do home visits?", answer: "Within the city, $40.", keywords: ["mobile", "home visit"] },
    ]);
    expect(answered(clinic, "i cracked my tooth last night")).toBe(0);
    expect(answered(clinic, "my molar is throbbing")).toBe(0);
    expect(answered(clinic, "my twins are four do you take them")).toBe(1);
    expect(answered(clinic, "what shots does he need")).toBe(2);
    expect(answered(clinic, "my wife has a bun in the oven")).toBe(3);
    expect(answered(clinic, "can you come out to my house")).toBe(4);
  });

  test("fear in any of its words is the nerves an owner writes of", () => {
    const groomer = buildKnowledgeIndex([
      { question: "Can you groom nervous dogs?", answer: "Our quiet room is for them.", keywords: ["nervous"] },
      { question: "How much is a full groom?", answer: "$75.", keywords: ["price"] },
    ]);
    expect(answered(groomer, "my dog is terrified of strangers")).toBe(0);
  });
});

describe("more of callers' phrases across trades", () => {
  const salon = buildKnowledgeIndex([
    { question: "How long does a groom take?", answer: "About two hours; we text you when she is ready.", keywords: [] },
    { question: "Do you groom cats?", answer: "Our sister salon does.", keywords: ["cats"] },
    { question: "Do you have a mobile service?", answer: "Our van comes to you.", keywords: ["mobile"] },
    { question: "Are you taking new clients?", answer: "Yes, book online.", keywords: ["new clients"] },
  ]);

  test("'how many hours' and 'when should i come back' ask how long it takes", () => {
    expect(answered(salon, "how many hours will it be")).toBe(0);
    expect(answered(salon, "if i drop her off at nine when should i come back")).toBe(0);
  });

  test("a moggy is a cat, a visit at home is a mobile service, becoming a client is being new", () => {
    expect(answered(salon, "do you take moggies")).toBe(1);
    expect(answered(salon, "can you groom her at home")).toBe(2);
    expect(answered(salon, "can i become a client")).toBe(3);
  });

  test("a tooth that got chipped, and teeth that are yellow", () => {
    const dentist = buildKnowledgeIndex([
      { question: "Can I be seen today for a toothache?", answer: "We keep same-day slots.", keywords: ["toothache", "urgent"] },
      { question: "Do you do teeth whitening?", answer: "In-chair whitening is $400.", keywords: ["whitening"] },
      { question: "Where are you located?", answer: "On Elm Street.", keywords: ["address"] },
    ]);
    expect(answered(dentist, "my sons front tooth got chipped at soccer")).toBe(0);
    expect(answered(dentist, "my teeth are kind of yellow")).toBe(1);
  });

  test("'can somebody …' opens a question: what the caller told before it is their situation", () => {
    expect([...analyze("i cracked it on a popcorn kernel can somebody look at it").narrative].length).toBeGreaterThan(0);
  });
});

describe("British spellings", () => {
  test("a British spelling is read as the American one, for owners and callers alike", () => {
    const words = (text: string) => tokensOf(text).map((token) => token.word);
    expect(words("new tyres")).toEqual(["new", "tires"]);
    expect(words("pay in instalments")).toEqual(["pay", "in", "installments"]);
    const garage = buildKnowledgeIndex([
      { question: "Do you fit tires?", answer: "While you wait.", keywords: ["tires"] },
      { question: "Do you offer payment plans?", answer: "Pay in three installments.", keywords: ["installments"] },
      { question: "Where are you?", answer: "Mill Lane.", keywords: ["address"] },
    ]);
    expect(answered(garage, "do you do tyres")).toBe(0);
    expect(answered(garage, "can i pay in instalments")).toBe(1);
  });
});

describe("food free of something, and a room not ready", () => {
  test("'doesnt have', 'without' and an allergy or intolerance ask for food free of it", () => {
    const bakery = buildKnowledgeIndex([
      { question: "Do you have gluten-free bread?", answer: "A gluten-free loaf every morning.", keywords: ["gluten free"] },
      { question: "Do you have dairy-free cakes?", answer: "Two vegan cakes a day.", keywords: ["dairy free"] },
      { question: "Do you deliver?", answer: "Within two miles.", keywords: ["delivery"] },
    ]);
    expect(answered(bakery, "do you have bread that doesnt have gluten in it")).toBe(0);
    expect(answered(bakery, "my son has a gluten intolerance what can he have")).toBe(0);
    expect(answered(bakery, "im lactose intolerant is there a cake i can eat")).toBe(1);
    expect(answered(bakery, "any cakes without dairy")).toBe(1);
  });

  test("a room not ready yet is before check-in, and cases dropped off are luggage", () => {
    const inn = buildKnowledgeIndex([
      { question: "Can I leave my luggage before check-in?", answer: "Reception keeps bags all day.", keywords: ["luggage", "bags"] },
      { question: "What time is check-in?", answer: "From 3 pm.", keywords: ["check in"] },
      { question: "Do you have parking?", answer: "Behind the inn.", keywords: ["parking"] },
    ]);
    expect(answered(inn, "can we drop our cases somewhere before the room is ready")).toBe(0);
    expect(answered(inn, "can we drop off our cases early")).toBe(0);
  });
});

test("weeks old is a puppy or a baby, not a grown dog", () => {
  const groomer = buildKnowledgeIndex([
    { question: "Do you groom puppies?", answer: "From 12 weeks, $35.", keywords: ["puppies"] },
    { question: "How much is a full groom?", answer: "$75 for a full groom of any dog.", keywords: ["full groom"] },
  ]);
  expect(answered(groomer, "hes ten weeks old can he come in")).toBe(0);
});

describe("spelled letters, sedation, nerves and paying twice", () => {
  test("letters spelled one by one are the acronym they spell; 'i' stays the pronoun", () => {
    const words = (text: string) => tokensOf(text).map((token) => token.word);
    expect(words("my car needs its m o t")).toEqual(["my", "car", "needs", "its", "mot"]);
    expect(words("is the a c working")).toContain("ac");
    expect(words("can i a")).toEqual(["can", "i", "a"]);
  });

  test("being knocked out is sedation, being worked up or freaking out is nerves, paying twice is what a guarantee covers", () => {
    const clinic = buildKnowledgeIndex([
      { question: "Do you offer sedation?", answer: "Laughing gas for nervous patients.", keywords: ["sedation", "nervous"] },
      { question: "Is my filling guaranteed?", answer: "Fillings carry a two-year guarantee.", keywords: ["guarantee"] },
      { question: "Where are you located?", answer: "On Elm Street.", keywords: ["address"] },
    ]);
    expect(answered(clinic, "can you knock me out for it")).toBe(0);
    expect(answered(clinic, "i get really worked up in the chair")).toBe(0);
    expect(answered(clinic, "if it breaks again do i have to pay twice")).toBe(1);
  });
});
