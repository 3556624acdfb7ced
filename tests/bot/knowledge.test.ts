import { describe, expect, test } from "bun:test";
import type { Business } from "../../src/bot/business.ts";
import {
  DEFAULT_CONFIDENCE_THRESHOLD,
  buildKnowledgeIndex,
  canonicalQuery,
  normalizeText,
  queryKnowledge,
  stem,
  termsOf,
  type KnowledgeIndex,
} from "../../src/bot/knowledge/index.ts";
import { SYNONYM_GROUPS } from "../../src/bot/knowledge/synonyms.ts";
import { CONFIRM_SHARE } from "../../src/bot/clarify.ts";
import { analyze } from "../../src/bot/knowledge/terms.ts";
import { explainQuery } from "../../src/bot/knowledge/index.ts";
import { sampleBusinesses } from "../../src/bot/sample-businesses.ts";

const businesses = new Map<string, Business>(sampleBusinesses().map((b) => [b.id, b]));
const indexes = new Map<string, KnowledgeIndex>(
  [...businesses.values()].map((b) => [b.id, buildKnowledgeIndex(b.faqs, { businessName: b.name })]),
);

function ask(businessId: string, text: string) {
  const index = indexes.get(businessId);
  if (!index) throw new Error(`no sample business ${businessId}`);
  return queryKnowledge(index, text);
}

describe("normalizeText", () => {
  test("lowercases, strips punctuation and accents, expands contractions", () => {
    expect(normalizeText("What's the Café's Wi-Fi password?!")).toBe("what is the cafe wi fi password");
    expect(normalizeText("I don't think we'll make it, y'all can't wait")).toBe("i do not think we will make it you all can not wait");
    expect(normalizeText("We’re open — aren’t we?")).toBe("we are open are not we");
    expect(normalizeText("  ¿Dónde   está?  ")).toBe("donde esta");
    expect(normalizeText("...")).toBe("");
  });
});

describe("stem", () => {
  test("conflates inflections callers mix freely", () => {
    expect(["parking", "parked", "parks", "park"].map(stem)).toEqual(["park", "park", "park", "park"]);
    expect(new Set(["deliveries", "delivery"].map(stem)).size).toBe(1);
    expect(new Set(["delivered", "delivering", "deliver"].map(stem)).size).toBe(1);
    expect(new Set(["close", "closes", "closed", "closing"].map(stem)).size).toBe(1);
    expect(new Set(["price", "prices", "priced", "pricing"].map(stem)).size).toBe(1);
    expect(new Set(["appointment", "appointments"].map(stem)).size).toBe(1);
    expect(stem("payment")).toBe(stem("pay"));
    expect(stem("delivery")).toBe(stem("deliver"));
    expect(stem("weekly")).toBe(stem("week"));
    expect(stem("stopped")).toBe("stop");
    expect(stem("tomatoes")).toBe(stem("tomato"));
    // Irregular forms, from the lexicon's inflections of WordNet's words.
    expect(stem("children")).toBe(stem("child"));
    expect(stem("teeth")).toBe(stem("tooth"));
    expect(stem("women")).toBe(stem("woman"));
    expect(stem("paid")).toBe(stem("pay"));
    // British spellings meet American ones.
    expect(stem("colour")).toBe(stem("color"));
    expect(stem("centre")).toBe(stem("center"));
    expect(stem("travelling")).toBe(stem("traveling"));
  });

  test("keeps apart words that only look alike", () => {
    expect(stem("care")).not.toBe(stem("car"));
    expect(stem("hoping")).not.toBe(stem("hopping"));
    expect(stem("need")).toBe("need");
    expect(stem("bring")).toBe("bring");
    expect(stem("city")).not.toBe(stem("cite"));
    expect(stem("glass")).toBe("glass");
    expect(stem("free")).toBe("free");
  });
});

describe("terms", () => {
  test("drop stop words and filler, fold synonyms and phrases onto one term", () => {
    expect(termsOf("Um, hi, I was wondering if you guys have parking?")).toEqual(["park"]);
    expect(termsOf("How much does delivery cost?")).toEqual(["cost", stem("delivery")]);
    expect(termsOf("the children")).toEqual(termsOf("the child"));
    expect(termsOf("how much time does it take")).toEqual(["durat"]);
    expect(termsOf("a table for to at seven thirty")).toEqual(["tabl", "2", "7", "30"]);
    expect(termsOf("yes okay thanks")).toEqual([]);
  });

  test("no word belongs to two synonym groups (it would merge unrelated FAQs)", () => {
    const owner = new Map<string, string>();
    for (const group of SYNONYM_GROUPS) {
      for (const word of group) {
        const key = stem(word);
        const previous = owner.get(key);
        if (previous !== undefined && previous !== group[0]) throw new Error(`"${word}" is in "${previous}" and "${group[0]}"`);
        owner.set(key, group[0]!);
      }
    }
    expect(owner.size).toBeGreaterThan(20);
  });

  test("canonicalQuery is one key for questions that must get one answer", () => {
    expect(canonicalQuery("Do you have PARKING?")).toBe(canonicalQuery("parking??"));
    expect(canonicalQuery("how much does delivery cost")).toBe(canonicalQuery("Delivery: how much?"));
    expect(canonicalQuery("um so do you have wi fi")).toBe(canonicalQuery("wi-fi?"));
    expect(canonicalQuery("do you deliver")).not.toBe(canonicalQuery("do you cater"));
    const index = indexes.get("bella-pizza")!;
    expect(queryKnowledge(index, "how much does delivery cost")).toEqual(queryKnowledge(index, "Delivery: how much?"));
    expect(queryKnowledge(index, "how much does delivery cost")?.faqIndex).toBe(queryKnowledge(index, "Delivery: what's the charge?")?.faqIndex);
  });
});

// [business, what a caller says, the FAQ question that should answer it]
const PARAPHRASES: ReadonlyArray<readonly [string, string, string]> = [
  ["bella-pizza", "is there somewhere to park my car", "Do you have parking?"],
  ["bella-pizza", "where can I park", "Do you have parking?"],
  ["bella-pizza", "hi yeah um do you guys have a parking lot", "Do you have parking?"],
  ["bella-pizza", "how much does delivery cost", "Is there a delivery fee?"],
  ["bella-pizza", "what do you charge for delivery", "Is there a delivery fee?"],
  ["bella-pizza", "what's the minimum order for delivery", "Is there a delivery fee?"],
  ["bella-pizza", "do you guys deliver to my neighborhood", "Do you deliver?"],
  ["bella-pizza", "can you bring the food to my house", "Do you deliver?"],
  ["bella-pizza", "does Bella Pizza do deliveries", "Do you deliver?"],
  ["bella-pizza", "what's the price of a medium cheese pizza", "How much is a large pizza?"],
  ["bella-pizza", "what sizes do your pizzas come in", "How much is a large pizza?"],
  ["bella-pizza", "do you have gluten free crust", "Do you have gluten-free pizza?"],
  ["bella-pizza", "I have celiac disease, can I eat there", "Do you have gluten-free pizza?"],
  ["bella-pizza", "do you have meatless options", "Do you have vegetarian or vegan options?"],
  ["bella-pizza", "can I bring my kid", "Are kids welcome? Do you have a kids menu?"],
  ["bella-pizza", "do you have high chairs for babies", "Are kids welcome? Do you have a kids menu?"],
  ["bella-pizza", "can I book a table for eight people", "Can I make a reservation?"],
  ["bella-pizza", "do you take credit cards", "What payment methods do you accept?"],
  ["bella-pizza", "can I pay with apple pay", "What payment methods do you accept?"],
  ["bella-pizza", "can you cater an office party", "Do you do catering?"],
  ["bella-pizza", "my son is allergic to peanuts", "Do you have any nut allergies concerns or allergen information?"],
  ["bella-pizza", "do you sell gift certificates", "Do you sell gift cards?"],
  ["bright-smile-dental", "is my insurance accepted", "Which insurance plans do you accept?"],
  ["bright-smile-dental", "are you in network with cigna", "Which insurance plans do you accept?"],
  ["bright-smile-dental", "I'm a new patient, can I sign up", "Are you accepting new patients?"],
  ["bright-smile-dental", "I have a terrible toothache", "What should I do in a dental emergency?"],
  ["bright-smile-dental", "my tooth hurts really bad", "What should I do in a dental emergency?"],
  ["bright-smile-dental", "what's the price of a checkup", "How much does a cleaning cost?"],
  ["bright-smile-dental", "I'd like to schedule an appointment", "How do I book an appointment?"],
  ["bright-smile-dental", "is there a fee if I miss my appointment", "What is your cancellation policy?"],
  ["bright-smile-dental", "is parking validated", "Is there parking at the office?"],
  ["bright-smile-dental", "do you treat children", "Do you see children?"],
  ["bright-smile-dental", "do you take care credit", "Do you offer payment plans or financing?"],
  ["bright-smile-dental", "can I pay in monthly installments", "Do you offer payment plans or financing?"],
  ["bright-smile-dental", "I'm really scared of dentists", "I'm nervous about the dentist. Do you offer sedation?"],
  ["riverside-auto", "what do you charge for an oil change", "How much is an oil change?"],
  ["riverside-auto", "how much time does an oil change take", "How long does an oil change take?"],
  ["riverside-auto", "can I just walk in", "Do I need an appointment or do you take walk-ins?"],
  ["riverside-auto", "can I get a courtesy car while mine is in the shop", "Do you have loaner cars or a shuttle?"],
  ["riverside-auto", "are your repairs guaranteed", "Do you offer a warranty on repairs?"],
  ["riverside-auto", "my check engine light is on", "How much do you charge to check the engine light?"],
  ["riverside-auto", "my brakes are grinding", "Do you work on brakes?"],
  ["riverside-auto", "I have a flat tire", "Do you sell and install tires?"],
  ["riverside-auto", "my car won't start, can you tow it", "Do you offer towing?"],
  ["riverside-auto", "can I leave my car overnight", "Can I drop off my car after hours?"],
  ["riverside-auto", "do you fix Hondas", "Do you work on all makes and models?"],
  ["riverside-auto", "can I pay with a credit card", "What forms of payment do you take?"],
];

// [business, an off-topic or other-business question]
const OFF_TOPIC: ReadonlyArray<readonly [string, string]> = [
  ["bella-pizza", "what's the capital of France"],
  ["bella-pizza", "who won the game last night"],
  ["bella-pizza", "do you sell used cars"],
  ["bella-pizza", "how old is the owner"],
  ["bella-pizza", "do you sell pizza ovens"],
  ["bright-smile-dental", "can you fix my car"],
  ["bright-smile-dental", "do you deliver pizza"],
  ["bright-smile-dental", "tell me a joke"],
  ["bright-smile-dental", "do you do botox"],
  ["bright-smile-dental", "can I bring my dog"],
  ["riverside-auto", "how much is a large pizza"],
  ["riverside-auto", "what's the best car to buy"],
  ["riverside-auto", "do you have a kids menu"],
  ["riverside-auto", "is the mayor running for reelection"],
  ["riverside-auto", "can you recommend a good dentist"],
];

describe("queryKnowledge", () => {
  test(`has at least 30 paraphrases to answer (${PARAPHRASES.length})`, () => {
    expect(PARAPHRASES.length).toBeGreaterThanOrEqual(30);
  });

  for (const [businessId, text, question] of PARAPHRASES) {
    test(`${businessId}: "${text}" → "${question}"`, () => {
      const match = ask(businessId, text);
      expect(match?.question).toBe(question);
      expect(match!.score).toBeGreaterThanOrEqual(DEFAULT_CONFIDENCE_THRESHOLD);
      expect(match!.score).toBeLessThanOrEqual(1);
      expect(match!.answer).toBe(businesses.get(businessId)!.faqs[match!.faqIndex]!.answer);
    });
  }

  for (const [businessId, text] of OFF_TOPIC) {
    test(`${businessId}: "${text}" falls below the threshold`, () => {
      const match = ask(businessId, text);
      expect(match === null || match.score < DEFAULT_CONFIDENCE_THRESHOLD).toBe(true);
    });
  }

  test("every FAQ's own question finds itself confidently and unambiguously, in every business", () => {
    for (const business of businesses.values()) {
      const index = indexes.get(business.id)!;
      business.faqs.forEach((faq, faqIndex) => {
        const match = queryKnowledge(index, faq.question);
        expect({ business: business.id, faqIndex: match?.faqIndex, ambiguous: match?.ambiguous }).toEqual({ business: business.id, faqIndex, ambiguous: false });
        expect(match!.score).toBeGreaterThanOrEqual(DEFAULT_CONFIDENCE_THRESHOLD);
      });
    }
  });

  test("the confidence scale does not depend on how many FAQs a business has", () => {
    const parking = businesses.get("bella-pizza")!.faqs[0]!;
    const alone = buildKnowledgeIndex([parking]);
    const among = indexes.get("bella-pizza")!;
    for (const text of ["is there somewhere to park my car", "do you have parking"]) {
      expect(queryKnowledge(alone, text)!.score).toBeCloseTo(queryKnowledge(among, text)!.score, 5);
    }
    const offTopic = queryKnowledge(alone, "what's the capital of France");
    expect(offTopic === null || offTopic.score < DEFAULT_CONFIDENCE_THRESHOLD).toBe(true);
  });

  test("the business's own name neither helps nor hurts", () => {
    const withName = ask("bella-pizza", "does Bella Pizza deliver")!;
    const without = ask("bella-pizza", "do you deliver")!;
    expect(withName.faqIndex).toBe(without.faqIndex);
    expect(withName.score).toBeCloseTo(without.score, 5);
  });

  test("nothing to match gives null", () => {
    expect(ask("bella-pizza", "")).toBeNull();
    expect(ask("bella-pizza", "um, okay, yes")).toBeNull();
    expect(queryKnowledge(buildKnowledgeIndex([]), "do you have parking")).toBeNull();
  });

  test("keywords let an FAQ answer words its question never uses", () => {
    const index = buildKnowledgeIndex([
      { question: "Do you have parking?", answer: "Behind the building.", keywords: [] },
      { question: "Can I bring my dog?", answer: "Dogs are welcome on the patio.", keywords: ["trampoline"] },
    ]);
    const withoutKeyword = buildKnowledgeIndex([{ question: "Do you have parking?", answer: "Behind the building.", keywords: [] }]);
    expect(queryKnowledge(withoutKeyword, "is there a trampoline")).toBeNull();
    expect(queryKnowledge(index, "is there a trampoline")?.faqIndex).toBe(1);
  });
});

  test("an owner's phrase of stop words counts when said as written, and only then", () => {
    const faqs = [
      { question: "How do I order takeout?", answer: "Order at the counter.", keywords: ["to go"] },
      { question: "Do you take reservations?", answer: "For six or more.", keywords: ["reserve"] },
      { question: "When is check-in?", answer: "From 3 pm.", keywords: ["check in"] },
      { question: "When is check-out?", answer: "By 11 am.", keywords: ["check out"] },
    ];
    const index = buildKnowledgeIndex(faqs);
    const withoutPhrase = buildKnowledgeIndex(faqs.map((faq, i) => (i === 0 ? { ...faq, keywords: [] } : faq)));
    const utterance = "um can i get food to go or do i have to sit down";
    expect(queryKnowledge(withoutPhrase, utterance)?.faqIndex).not.toBe(0);
    const match = queryKnowledge(index, utterance)!;
    expect(match.faqIndex).toBe(0);
    expect(match.score).toBeGreaterThanOrEqual(DEFAULT_CONFIDENCE_THRESHOLD);
    // The words apart are not the phrase: "go" and "to" in another order say nothing.
    expect(queryKnowledge(index, "i want to sit down before we go")?.faqIndex ?? -1).not.toBe(0);
    // The stop word decides between two phrases that share their content word.
    expect(queryKnowledge(index, "what time do we have to check out")?.faqIndex).toBe(3);
    expect(queryKnowledge(index, "when can we check in")?.faqIndex).toBe(2);
  });

describe("explainQuery", () => {
  test("names the caller's words no FAQ writes, related by WordNet or not, and gives the same match as queryKnowledge", () => {
    const index = buildKnowledgeIndex([
      { question: "Do you have childcare?", answer: "Our Kids Club looks after children.", keywords: ["kids club"] },
      { question: "Where are you?", answer: "On Mill Road.", keywords: [] },
    ]);
    const said = "um do you have a playroom for my tyke near mill road";
    const { match, unwritten } = explainQuery(index, said);
    expect(unwritten).toEqual(["playroom", "tyke", "near"]);
    expect(match).toEqual(queryKnowledge(index, said));
  });
});

describe("compounds", () => {
  test("an owner's compound head said after another noun is another thing: 'credit card' is no 'gift card'", () => {
    const index = buildKnowledgeIndex([
      { question: "Do you sell gift cards?", answer: "At the host stand.", keywords: ["gift card"] },
      { question: "What forms of payment do you take?", answer: "Visa and Mastercard.", keywords: ["payment"] },
      { question: "Do you have any specials?", answer: "Family Night on Wednesdays.", keywords: ["family night"] },
      { question: "Do you take reservations?", answer: "For six or more.", keywords: ["book a table"] },
    ]);
    const score = (text: string, faq: number) => {
      const match = queryKnowledge(index, text)!;
      return match.faqIndex === faq ? match.score : match.runnerUp?.faqIndex === faq ? match.runnerUp.score : 0;
    };
    // The head alone, or with the owner's own modifier, keeps its weight; after another noun it loses it.
    expect(score("do you have cards", 0)).toBeGreaterThan(score("do you have credit cards", 0));
    expect(score("is there a family night", 2)).toBeGreaterThan(score("is there a friday night", 2));
    expect(queryKnowledge(index, "can i book for friday night")?.faqIndex).toBe(3);
    // An adjective is no other compound: "a smaller card" may still be the owner's.
    expect(score("do you have smaller cards", 0)).toBeCloseTo(score("do you have cards", 0), 1);
  });
});

describe("a compound's head is not expanded", () => {
  test("the synonyms of 'card' reach the payment FAQ, not the gift-card FAQ whose 'card' is only ever a gift card", () => {
    const index = buildKnowledgeIndex([
      { question: "What forms of payment do you take?", answer: "Cards, cash and Apple Pay.", keywords: ["payment", "credit card"] },
      { question: "Do you sell gift cards?", answer: "Yes, at the counter.", keywords: ["gift card"] },
    ]);
    for (const said of ["do you guys take american express", "can i pay with visa"]) {
      const match = queryKnowledge(index, said)!;
      expect([said, match.faqIndex, match.ambiguous]).toEqual([said, 0, false]);
    }
    expect(queryKnowledge(index, "can i buy a gift card")?.faqIndex).toBe(1);
  });
});

describe("the question's focus", () => {
  test("the word a 'what'/'which' question asks about outweighs the occasion it names", () => {
    const index = buildKnowledgeIndex([
      { question: "What should I bring to my appointment?", answer: "A photo ID and your papers.", keywords: ["documents"] },
      { question: "Do you offer a free consultation?", answer: "The first half hour is free.", keywords: ["consultation"] },
    ]);
    expect(queryKnowledge(index, "what documents should i have with me for the consultation")?.faqIndex).toBe(0);
    expect(queryKnowledge(index, "which kind of documents do i need for the consultation")?.faqIndex).toBe(0);
    // Without a "what", neither word is the focus: the rarer word decides as before.
    expect(analyze("do i need documents for the consultation").focus.size).toBe(0);
    // A request's verb is: "can you fix my car" asks for a service, whatever the car is to the business.
    expect(analyze("can you guys fix my car").focus).toEqual(new Set(analyze("fix").terms));
  });

  test("a focus reached only through a relation is only partly explained: 'the capital of france' is no seat at a table", () => {
    const index = buildKnowledgeIndex([
      { question: "Can I make a reservation?", answer: "For groups of six or more.", keywords: ["reserve", "book", "table", "seat"] },
      { question: "Do you have parking?", answer: "Behind the building.", keywords: ["parking"] },
    ]);
    // "capital" is a kind of "seat" (of government) in WordNet; asked about, it is not the owner's word.
    expect(queryKnowledge(index, "what is the capital of france")!.score).toBeLessThan(CONFIRM_SHARE * DEFAULT_CONFIDENCE_THRESHOLD);
    expect(queryKnowledge(index, "what is the seat booking policy")!.score).toBeGreaterThanOrEqual(DEFAULT_CONFIDENCE_THRESHOLD);
  });

  test("a focus the business never uses costs more: asked for something else, the bot does not answer", () => {
    const index = buildKnowledgeIndex([
      { question: "Where is the clinic?", answer: "At 12 Mill Road, by the station.", keywords: ["clinic", "address"] },
      { question: "Do you do vaccinations?", answer: "Yes, by appointment.", keywords: ["vaccines"] },
    ]);
    expect(analyze("whats the fax number for the clinic").focus).toEqual(new Set(["fax"]));
    expect(queryKnowledge(index, "whats the fax number for the clinic")!.score).toBeLessThan(DEFAULT_CONFIDENCE_THRESHOLD);
    expect(queryKnowledge(index, "what is the address of the clinic")!.score).toBeGreaterThanOrEqual(DEFAULT_CONFIDENCE_THRESHOLD);
  });
});

describe("question idioms", () => {
  test("everyday ways of naming common topics without their word reach them in any trade", () => {
    const clinic = buildKnowledgeIndex([
      { question: "Is there parking?", answer: "Free spaces behind the surgery.", keywords: ["parking"] },
      { question: "Do you see children?", answer: "Yes, from six months old.", keywords: ["children"] },
      { question: "Do you offer payment plans?", answer: "Over six months for treatment above $500.", keywords: ["installments"] },
      { question: "Is the practice wheelchair accessible?", answer: "Yes, step-free from the street.", keywords: ["accessible"] },
      { question: "How do I cancel my plan?", answer: "Write to us a month ahead.", keywords: ["cancel"] },
    ]);
    const cases: ReadonlyArray<readonly [string, number]> = [
      ["where can i leave my car when i come in", 0],
      ["is there room for visitors cars", 0],
      ["do you take my 6 year old", 1],
      ["can i bring the little ones in together", 1],
      ["can i split the cost up", 2],
      ["my dad uses a walking frame will he be ok", 3],
      ["my mother cant manage stairs", 3],
      ["how do i get out of my contract", 4],
      ["i want to end my plan", 4],
    ];
    for (const [said, faq] of cases) expect([said, queryKnowledge(clinic, said)?.faqIndex]).toEqual([said, faq]);
    // An adult's age is no child, and a bag is no car.
    expect(analyze("my 80 year old mother").terms).not.toContain(analyze("child").terms[0]);
    expect(analyze("where can i leave my bag").terms).not.toContain(analyze("park").terms[0]);
  });

  test("the Irish and Southern plural 'you' (ye, yall, yous) is a function word like 'you', no topic", () => {
    const index = buildKnowledgeIndex([
      { question: "Is there a bar?", answer: "The bar serves food until 10 pm.", keywords: ["bar", "food"] },
      { question: "Do you have parking?", answer: "Behind the hotel.", keywords: ["parking"] },
    ]);
    for (const you of ["you", "ye", "yall", "yous"]) expect(analyze(`do ${you} do food at night`).terms).toEqual(analyze("do you do food at night").terms);
    expect(queryKnowledge(index, "do ye do food")!.score).toBeCloseTo(queryKnowledge(index, "do you do food")!.score, 6);
  });

  test("ordering to collect, booking under a name, class times and a leisure centre, in other words", () => {
    const cafe = buildKnowledgeIndex([
      { question: "Can I order for pickup?", answer: "Order on the app and collect at the counter.", keywords: ["pickup"] },
      { question: "Do you take reservations?", answer: "For groups of six or more.", keywords: ["reservations"] },
      { question: "What is the class schedule?", answer: "Pottery classes run Tuesday and Thursday evenings.", keywords: ["classes", "schedule"] },
      { question: "Is there a gym nearby?", answer: "Guests get a day pass to the Riverside club.", keywords: ["gym"] },
    ]);
    const cases: ReadonlyArray<readonly [string, number]> = [
      ["can i order ahead on my way home", 0],
      ["i want to call it in and grab it myself", 0],
      ["can you put a table under the name walsh", 1],
      ["when are the class times", 2],
      ["is there a leisure centre around here", 3],
    ];
    for (const [said, faq] of cases) expect([said, queryKnowledge(cafe, said)?.faqIndex]).toEqual([said, faq]);
  });

  test("trade work in other words: a job priced as an estimate, fitted as 'put in', treated as 'taken care of'", () => {
    const index = buildKnowledgeIndex([
      { question: "Do you give free quotes?", answer: "Yes, after a site visit.", keywords: ["quote"] },
      { question: "Do you fit EV chargers?", answer: "Yes, from $900 fitted.", keywords: ["charger"] },
      { question: "Do you treat damp?", answer: "We find the cause and fix it.", keywords: ["damp"] },
      { question: "Where are you based?", answer: "On Mill Road.", keywords: [] },
    ]);
    for (const [said, faq] of [["can i get an estimate", 0], ["can you put in a charger for my car", 1], ["can you take care of the damp in my basement", 2]] as const) {
      const match = queryKnowledge(index, said)!;
      expect([said, match.faqIndex]).toEqual([said, faq]);
      expect(match.score).toBeGreaterThanOrEqual(DEFAULT_CONFIDENCE_THRESHOLD);
    }
  });

  test("talk around the question (greetings, 'i mean', 'im calling because', hesitations) changes nothing", () => {
    const index = buildKnowledgeIndex([
      { question: "Do you have parking?", answer: "Behind the building.", keywords: ["parking"] },
      { question: "Can I freeze my membership?", answer: "For up to three months.", keywords: ["freeze", "hold"] },
      { question: "Do you sell gift cards?", answer: "At the front desk.", keywords: ["gift card"] },
    ]);
    const plain = queryKnowledge(index, "do you have parking")!;
    for (const said of [
      "good morning do you have parking",
      "i mean do you have parking",
      "hi im calling because um do you have parking",
      "is this the right number for do you have parking",
      "quick question do you have parking",
      "do you you know have parking",
      "basically do you have parking",
      "hiya sorry to bother you do you have parking",
      "i was hoping you could help me do you have parking",
      "hi there i hope youre well do you have parking",
      "i saw on your website that do you have parking",
      "real quick do you have parking",
      "thanks for picking up do you have parking",
      "just to check do you have parking by any chance",
      "do you happen to have parking okay cool",
      "i have two questions first do you have parking",
      "alright so listen do you have parking if that makes sense",
      "im new to the area do you have parking cheers",
    ]) {
      const match = queryKnowledge(index, said)!;
      expect([said, match.faqIndex]).toEqual([said, 0]);
      expect(match.score).toBeCloseTo(plain.score, 6);
    }
    // A topic named alone, and the same with words that only ask to hear about it.
    const named = queryKnowledge(index, "parking")!;
    for (const said of ["whats the deal with parking", "i need some information about parking", "im looking for parking", "info on parking", "id like to enquire about parking", "im interested in parking", "regarding parking", "im after parking", "i have a query about parking", "im looking to sort out parking", "can you check if you have parking", "whats the situation with parking", "can you explain parking"]) {
      const match = queryKnowledge(index, said)!;
      expect([said, match.faqIndex]).toEqual([said, 0]);
      expect(match.score).toBeCloseTo(named.score, 6);
    }
    // A tag after the question does not move where the question starts.
    expect(analyze("my sister is visiting do you have parking is that right").narrative).toEqual(analyze("my sister is visiting do you have parking").narrative);
    // A caller's name costs what their situation costs, not what a word of the question would.
    expect(queryKnowledge(index, "hi my name is delgado do you have parking")!.score).toBeGreaterThan(queryKnowledge(index, "do you have parking delgado")!.score);
    // A hesitation or a filler "like" inside an idiom does not break it.
    expect(analyze("can i put my membership on like hold").terms).toEqual(analyze("can i put my membership on hold").terms);
  });

  test("'what happens if …' asks about a policy", () => {
    const index = buildKnowledgeIndex([
      { question: "What is your cancellation policy?", answer: "Cancel a day ahead for a full refund.", keywords: ["cancel"] },
      { question: "What is your late policy?", answer: "Arrive over 15 minutes late and we may rebook you.", keywords: ["late"] },
      { question: "Do you take walk-ins?", answer: "Yes, when a chair is free.", keywords: ["walk in"] },
    ]);
    expect(queryKnowledge(index, "what happens if i need to pull out of my appointment")?.faqIndex).toBe(0);
    expect(queryKnowledge(index, "what would happen if im running a bit late")?.faqIndex).toBe(1);
    expect(analyze("what happens if i cancel").focus.size).toBe(0);
  });

  test("words for topics of every trade that WordNet lacks or keeps apart", () => {
    const index = buildKnowledgeIndex([
      { question: "Can I have my appointment by video?", answer: "Yes, we send a link.", keywords: ["video"] },
      { question: "Do you speak Spanish?", answer: "Two of our staff do.", keywords: ["spanish"] },
      { question: "What do I need to bring?", answer: "Photo ID and your booking number.", keywords: ["photo id"] },
      { question: "Can I come without a membership?", answer: "Yes, with a drop-in pass.", keywords: ["drop in"] },
      { question: "Do you have childcare?", answer: "A creche for under-fives.", keywords: ["childcare"] },
      { question: "Is there WiFi?", answer: "Free, ask for the code.", keywords: ["wifi", "internet"] },
      { question: "Is the class fee included in the membership?", answer: "Yes, all classes are.", keywords: ["included"] },
      { question: "Can I pause my subscription?", answer: "Up to two months a year.", keywords: ["freeze"] },
      { question: "Do you sell gift cards?", answer: "In any amount.", keywords: ["gift card"] },
      { question: "Is the building accessible?", answer: "Yes, with a lift.", keywords: ["accessible", "wheelchair"] },
    ]);
    const cases: ReadonlyArray<readonly [string, number]> = [
      ["can we do it over zoom", 0],
      ["is there anyone who habla espanol", 1],
      ["do i need my drivers license", 2],
      ["can i pay for a single session", 3],
      ["is there somewhere i can leave the kids", 4],
      ["is there babysitting", 4],
      ["how do i get online", 5],
      ["are the classes part of the price", 6],
      ["can i suspend my subscription", 7],
      ["do you sell vouchers", 8],
      ["are there rooms with no steps", 9],
    ];
    for (const [said, faq] of cases) expect([said, queryKnowledge(index, said)?.faqIndex]).toEqual([said, faq]);
  });

  test("a situation that cannot wait reaches the emergency FAQ, in any trade", () => {
    const emergency = (question: string) =>
      buildKnowledgeIndex([
        { question, answer: "Call 555-0100 day or night.", keywords: ["emergency", "urgent"] },
        { question: "What are your prices?", answer: "From $60.", keywords: ["price"] },
        { question: "Where are you?", answer: "On Mill Road.", keywords: [] },
      ]);
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["Do you do emergency call-outs?", "theres water pouring through my kitchen ceiling"],
      ["Do you do emergency call-outs?", "i think a pipe has burst"],
      ["Do you do emergency call-outs?", "i can smell gas in the hall"],
      ["What do I do in an emergency?", "my cat was hit by a car"],
      ["What do I do in an emergency?", "my dog ate some chocolate"],
      ["Do you take urgent appointments?", "my son knocked out a tooth can you see him asap"],
      ["Do you do emergency lockouts?", "im locked out of my flat"],
    ];
    for (const [question, said] of cases) expect([said, queryKnowledge(emergency(question), said)?.faqIndex]).toEqual([said, 0]);
  });

  test("delivery, a guest and a room's times in other words", () => {
    const takeaway = buildKnowledgeIndex([
      { question: "Do you deliver?", answer: "Within three miles, $3.", keywords: ["delivery"] },
      { question: "Can I bring a guest?", answer: "Members may bring one guest a month.", keywords: ["guest"] },
      { question: "What time is check-in?", answer: "From 2 pm; check-out by 11.", keywords: ["check in", "check out"] },
    ]);
    for (const said of ["can you bring dinner out to my flat", "can i have it dropped off at my office", "can you send it over to us"]) {
      expect([said, queryKnowledge(takeaway, said)?.faqIndex]).toEqual([said, 0]);
    }
    expect(queryKnowledge(takeaway, "my brother is not a member can he come")?.faqIndex).toBe(1);
    expect(queryKnowledge(takeaway, "when can we get into the room")?.faqIndex).toBe(2);
  });

  test("'what kind of … do you do' asks what a business's 'What kinds of …' FAQ answers, whatever the caller calls it", () => {
    const index = buildKnowledgeIndex([
      { question: "What kinds of jobs do you take on?", answer: "Rewiring, fuse boards and fault finding.", keywords: [] },
      { question: "Do you give free quotes?", answer: "Yes, within a day.", keywords: [] },
      { question: "Where are you based?", answer: "On Mill Road.", keywords: [] },
    ]);
    for (const said of ["hi um what kind of work do you guys do", "what sort of stuff do you do", "which types of jobs do you do"]) {
      expect(queryKnowledge(index, said)?.faqIndex).toBe(0);
      expect(queryKnowledge(index, said)!.score).toBeGreaterThanOrEqual(DEFAULT_CONFIDENCE_THRESHOLD);
    }
    // Elsewhere "kind" is a stop word: "any kind of" asks about the quote, not the range of jobs.
    expect(queryKnowledge(index, "do you do any kind of free quote")?.faqIndex).toBe(1);
  });

  test("a question word with its object before the auxiliary starts the question: its words are not the caller's situation", () => {
    expect([...analyze("hi um what kind of law do you guys do").narrative]).toEqual([]);
    expect([...analyze("which documents do i need").narrative]).toEqual([]);
    expect([...analyze("my son is picky what food do you have").narrative].sort()).toEqual(["picki", "son"].sort());
  });

  test("the ways callers ask where a business is reach its location FAQ, however the owner wrote it", () => {
    const others = [
      { question: "Do you have parking?", answer: "Behind the building.", keywords: [] },
      { question: "Do you sell gift cards?", answer: "At the counter.", keywords: [] },
    ];
    for (const location of [
      { question: "Where are you?", answer: "At 5 Main Street.", keywords: [] },
      { question: "Where are you located?", answer: "At 5 Main Street.", keywords: ["address"] },
    ]) {
      const index = buildKnowledgeIndex([location, ...others]);
      for (const said of ["what street are you on", "how do i find you", "how do i get to you", "what floor are you on"]) {
        const match = queryKnowledge(index, said);
        expect(match?.faqIndex).toBe(0);
        expect(match!.score).toBeGreaterThanOrEqual(DEFAULT_CONFIDENCE_THRESHOLD);
      }
    }
  });

  test("having one's name put down is booking; pulling or backing out is cancelling", () => {
    const index = buildKnowledgeIndex([
      { question: "Can I reserve a place on the walking tour?", answer: "Yes, online or by phone.", keywords: [] },
      { question: "What if I cancel?", answer: "Full refund up to a day before.", keywords: [] },
      { question: "How long is the tour?", answer: "About two hours.", keywords: [] },
    ]);
    for (const [said, faq] of [["can you put my name down for saturday", 0], ["what happens if we have to pull out of it", 1], ["can i back out of the walking tour", 1]] as const) {
      const match = queryKnowledge(index, said)!;
      expect(match.faqIndex).toBe(faq);
      expect(match.score).toBeGreaterThanOrEqual(DEFAULT_CONFIDENCE_THRESHOLD);
    }
  });

  test("the middle of the night and 'out of hours' are after hours", () => {
    const index = buildKnowledgeIndex([
      { question: "Do you have an emergency service?", answer: "Call the after-hours line.", keywords: ["after hours"] },
      { question: "How much is a new key?", answer: "From $5.", keywords: ["key"] },
    ]);
    for (const said of ["who do i ring in the middle of the night", "is there anyone out of hours"]) {
      const match = queryKnowledge(index, said)!;
      expect(match.faqIndex).toBe(0);
      expect(match.score).toBeGreaterThanOrEqual(DEFAULT_CONFIDENCE_THRESHOLD);
    }
  });

  test("ways to pay named in more than one word reach the payment FAQ", () => {
    const index = buildKnowledgeIndex([
      { question: "What forms of payment do you accept?", answer: "Cash and all major cards, but no personal checks.", keywords: [] },
      { question: "Do you have a dress code?", answer: "Smart casual.", keywords: [] },
    ]);
    expect(termsOf("do you take american express")).toContain(stem("amex"));
    for (const said of ["do you take american express", "can i write a check"]) {
      const match = queryKnowledge(index, said)!;
      expect(match.faqIndex).toBe(0);
      expect(match.score).toBeGreaterThanOrEqual(DEFAULT_CONFIDENCE_THRESHOLD);
    }
  });

  test("asking for something without paying is asking whether it is free", () => {
    const index = buildKnowledgeIndex([
      { question: "Is the first visit free?", answer: "Your first half hour costs nothing.", keywords: ["trial"] },
      { question: "Can I pay in installments?", answer: "Yes, over up to six months.", keywords: ["payment plan", "pay over time"] },
    ]);
    for (const said of ["can i see someone without paying anything", "can i talk to someone for nothing", "can i see someone with no charge"]) {
      expect(queryKnowledge(index, said)?.faqIndex).toBe(0);
    }
    expect(queryKnowledge(index, "can i pay over time")?.faqIndex).toBe(1);
  });

  test("the situation a caller tells before asking costs less than words in the question itself", () => {
    const index = buildKnowledgeIndex([
      { question: "Do you have parking?", answer: "Behind the building.", keywords: [] },
      { question: "Do you sell gift cards?", answer: "At the counter.", keywords: [] },
      { question: "Do you deliver?", answer: "Within three miles.", keywords: [] },
    ]);
    const told = queryKnowledge(index, "yeah so my sister and her husband are visiting from ohio next week do you have parking")!;
    const appended = queryKnowledge(index, "do you have parking my sister and her husband are visiting from ohio next week")!;
    expect(told.faqIndex).toBe(0);
    expect(appended.faqIndex).toBe(0);
    expect(told.score).toBeGreaterThan(appended.score);
    expect(told.score).toBeGreaterThanOrEqual(DEFAULT_CONFIDENCE_THRESHOLD);
  });

  test("a question opened by an idiom ('how much', 'how long') starts there: what comes before is the situation", () => {
    expect([...analyze("my sister got married last month how much is the room").narrative].sort()).toEqual(analyze("my sister got married last month").terms.slice().sort());
    expect([...analyze("we are driving up from cork how long does it take").narrative]).toContain(analyze("cork").terms[0]!);
  });

  test("a clause of the caller's own after the question is their situation too; an object of the question is not", () => {
    const trailing = (said: string) => [...analyze(said).trailing].sort();
    expect(trailing("do you have parking my sister is visiting next week")).toEqual(analyze("sister visiting next week").terms.slice().sort());
    expect(trailing("is there a kids menu its for my daughter")).toEqual(analyze("daughter").terms);
    expect(trailing("can i bring my dog")).toEqual([]);
    expect(trailing("do we have to pay for my son")).toEqual([]);
    expect(trailing("what time do we have to check out")).toEqual([]);
    // Everyday words of it cost the situation's share; a rarer word may be the real concern and costs in full.
    const index = buildKnowledgeIndex([
      { question: "Do you have a kids menu?", answer: "Pasta and pizza.", keywords: ["kids menu"] },
      { question: "Do you have parking?", answer: "Behind the building.", keywords: ["parking"] },
    ]);
    expect(queryKnowledge(index, "do you have a kids menu my sister is visiting next week")!.score).toBeGreaterThanOrEqual(DEFAULT_CONFIDENCE_THRESHOLD);
    expect(queryKnowledge(index, "is the kids pasta cooked in peanut oil my son has a nut allergy")!.score).toBeLessThan(DEFAULT_CONFIDENCE_THRESHOLD);
  });

  test("what WordNet relates to the caller's situation is no evidence: 'my friend told me about you' reaches no other FAQ", () => {
    const index = buildKnowledgeIndex([
      { question: "What forms of payment do you take?", answer: "Cards and cash.", keywords: ["payment", "credit card"] },
      { question: "Do you have a family night?", answer: "Wednesdays.", keywords: ["family night"] },
    ]);
    const told = queryKnowledge(index, "my friend told me about you do you take american express")!;
    expect(told.faqIndex).toBe(0);
    expect(told.runnerUp).toBeUndefined();
    expect(told.score).toBeGreaterThanOrEqual(DEFAULT_CONFIDENCE_THRESHOLD);
  });

  test("a modifier the business never uses ('usually', 'small') costs less than a noun it never uses", () => {
    const index = buildKnowledgeIndex([
      { question: "Do you have parking?", answer: "Behind the building.", keywords: [] },
      { question: "Do you sell gift cards?", answer: "At the counter.", keywords: [] },
    ]);
    const qualified = queryKnowledge(index, "is there usually parking")!;
    const named = queryKnowledge(index, "is there tractor parking")!;
    expect(qualified.faqIndex).toBe(0);
    expect(qualified.score).toBeGreaterThan(named.score);
  });

  test("what an idiom implies is not held against the question when the business never uses the word", () => {
    const index = buildKnowledgeIndex([
      { question: "Do you have parking?", answer: "Behind the building.", keywords: [] },
      { question: "Do you sell gift cards?", answer: "At the counter.", keywords: [] },
    ]);
    // "how much" implies a price; this business writes no price words, and parking still answers.
    expect(queryKnowledge(index, "how much is parking")!.score).toBeGreaterThanOrEqual(queryKnowledge(index, "is there parking")!.score - 0.05);
  });
});

describe("clarification: runner-up, ambiguity and ranking among offered FAQs", () => {
  const salon = buildKnowledgeIndex(
    [
      { question: "How much is a women's haircut?", answer: "A women's cut is $55.", keywords: ["womens cut"] },
      { question: "How much is a men's haircut?", answer: "A men's cut is $30.", keywords: ["mens cut"] },
      { question: "How much is a children's haircut?", answer: "A children's cut is $20.", keywords: ["kids cut"] },
      { question: "Do you have parking?", answer: "There is a car park behind the salon.", keywords: ["parking"] },
    ],
    { businessName: "Shear Delight" },
  );

  test("two strong, close FAQs are ambiguous, with the runner-up named", () => {
    const match = queryKnowledge(salon, "how much is a haircut")!;
    expect(match.ambiguous).toBe(true);
    expect([0, 1, 2]).toContain(match.faqIndex);
    expect(match.runnerUp).toBeDefined();
    expect([0, 1, 2]).toContain(match.runnerUp!.faqIndex);
    expect(match.runnerUp!.faqIndex).not.toBe(match.faqIndex);
    expect(match.runnerUp!.answer).toBe(salon.faqs[match.runnerUp!.faqIndex]!.answer);
    expect(match.runnerUp!.score).toBeLessThanOrEqual(match.score);
  });

  test("the deciding word decides: no question to ask", () => {
    const match = queryKnowledge(salon, "how much is a ladies cut")!;
    expect(match.faqIndex).toBe(0);
    expect(match.ambiguous).toBe(false);
    expect(match.score).toBeGreaterThanOrEqual(DEFAULT_CONFIDENCE_THRESHOLD);
    expect(queryKnowledge(salon, "is there somewhere to park")!.ambiguous).toBe(false);
  });

  test("the reply to 'Do you mean A or B?' is read among the offered FAQs only", () => {
    const offered = [0, 1, 2];
    const mens = queryKnowledge(salon, "the mens one", { among: offered })!;
    expect(mens.faqIndex).toBe(1);
    expect(mens.score).toBeGreaterThanOrEqual(DEFAULT_CONFIDENCE_THRESHOLD);
    expect(queryKnowledge(salon, "the kids one", { among: offered })!.faqIndex).toBe(2);
    // Parking is not among the offered FAQs, so it cannot be chosen.
    const parking = queryKnowledge(salon, "parking", { among: [0, 1] });
    expect(parking === null || [0, 1].includes(parking.faqIndex)).toBe(true);
    expect(queryKnowledge(salon, "parking", { among: [3] })!.faqIndex).toBe(3);
  });

  test("a single-FAQ answer has no runner-up and is never ambiguous", () => {
    const match = queryKnowledge(salon, "parking", { among: [3] })!;
    expect(match.runnerUp).toBeUndefined();
    expect(match.ambiguous).toBe(false);
  });
});

describe("speech-recognition repair against the business's own words", () => {
  const hotel = buildKnowledgeIndex(
    [
      { question: "Do you have WiFi?", answer: "Free WiFi in every room.", keywords: ["wifi"] },
      { question: "Do you have gluten-free breakfast?", answer: "Gluten-free bread is on request.", keywords: [] },
      { question: "What time is check-in?", answer: "Check-in is from 3 pm.", keywords: ["check in"] },
      { question: "Do you sell day passes for the spa?", answer: "A spa day pass is €30.", keywords: ["day pass"] },
    ],
    { businessName: "The Linden" },
  );
  const ask = (text: string) => queryKnowledge(hotel, text);

  test("split words are joined when the joined word is the owner's", () => {
    expect(ask("is there wi fi in the rooms")?.faqIndex).toBe(0);
  });

  test("joined words are split into the owner's words", () => {
    expect(ask("do you do glutenfree toast")?.faqIndex).toBe(1);
    expect(ask("how much are daypasses")?.faqIndex).toBe(3);
    expect(ask("when is checkin")?.faqIndex).toBe(2);
  });

  test("a known English word is not repaired into the business's vocabulary", () => {
    expect(ask("do you have a gym")).toBeNull();
    expect(termsOf("what age")).toEqual(["ag"]);
  });

  test("numbers said as words, and 'to'/'for' only where a number goes", () => {
    expect(termsOf("twenty four hour reception")).toEqual(["24", "hour", "recept"]);
    expect(termsOf("a room for to")).toEqual(["room", "2"]);
    expect(termsOf("how to book")).toEqual(["book"]);
    // Words that name properties of every JavaScript object are words, not numbers.
    expect(termsOf("constructor tostring valueof")).toEqual(["constructor", "tostr", "valueof"]);
  });
});
