/** The clarifying question's parts: FAQ topics, the ranking contract it relies on, and the choice between two FAQs. */
import { describe, expect, test } from "bun:test";
import { parseBusinessFile } from "../../src/bot/business.ts";
import { CONFIRM_SHARE, chooseBetween, clarifyingQuestion, confirmation, confirmingQuestion } from "../../src/bot/clarify.ts";
import { buildKnowledgeIndex, queryKnowledge } from "../../src/bot/knowledge/index.ts";
import { faqTopic } from "../../src/bot/topics.ts";

const [salon] = parseBusinessFile(await Bun.file("tests/fixtures/businesses/salon.json").json(), "salon.json");
const topic = (question: string) => faqTopic({ question });

describe("faqTopic", () => {
  test("the question without its frame, the caller's pronouns said back", () => {
    expect(topic("How much is a women's haircut?")).toBe("a women's haircut");
    expect(topic("Do you have gluten-free options?")).toBe("gluten-free options");
    expect(topic("Do you offer a free consultation?")).toBe("a free consultation");
    expect(topic("Is there a gym or pool?")).toBe("a gym or pool");
    expect(topic("What is your cancellation policy?")).toBe("our cancellation policy");
    expect(topic("What forms of payment do you take?")).toBe("the forms of payment");
    expect(topic("How do I cancel my membership?")).toBe("how to cancel your membership");
    expect(topic("Can I bring a guest?")).toBe("whether you can bring a guest");
    expect(topic("Do you deliver?")).toBe("whether we deliver");
    expect(topic("Where are you located?")).toBe("where we are located");
    expect(topic("Is breakfast included?")).toBe("whether breakfast is included");
    expect(topic("Opening a tab")).toBe("opening a tab");
    expect(topic("How much do you charge?")).toBe("our prices");
    expect(topic("How much do you charge for a will?")).toBe("what we charge for a will");
    expect(topic("Do your repairs come with a warranty?")).toBe("whether our repairs come with a warranty");
  });

  test("a question of several sentences is named by the owner's first keyword", () => {
    expect(faqTopic({ question: "My engine warning light is on. Can you check it?", keywords: ["warning light", "diagnostic"] })).toBe("the warning light");
  });

  test("the owner's topic wins, and the business file accepts it", () => {
    expect(salon!.faqs[1]!.topic).toBe("our men's cut");
    expect(faqTopic(salon!.faqs[1]!)).toBe("our men's cut");
    expect(() => parseBusinessFile({ businesses: [{ id: "x", name: "X", phoneNumbers: ["+15550000009"], faqs: [{ question: "Q?", answer: "A.", topic: "" }] }] }, "t.json")).toThrow(/topic/);
  });
});

describe("the ranking contract the clarifying question relies on", () => {
  const index = buildKnowledgeIndex(salon!.faqs, { businessName: salon!.name });

  test("close strong FAQs are ambiguous and name their runner-up; a clear match is not", () => {
    const haircut = queryKnowledge(index, "how much is a haircut")!;
    expect(haircut.ambiguous).toBe(true);
    expect(haircut.runnerUp).toBeDefined();
    expect(haircut.runnerUp!.faqIndex).not.toBe(haircut.faqIndex);
    expect([0, 1, 2]).toContain(haircut.runnerUp!.faqIndex);
    const parking = queryKnowledge(index, "do you have parking")!;
    expect(parking.faqIndex).toBe(3);
    expect(parking.ambiguous).toBe(false);
  });

  test("among ranks only the FAQs given", () => {
    expect(queryKnowledge(index, "do you have parking", { among: [0, 1] })?.faqIndex ?? null).not.toBe(3);
    expect(queryKnowledge(index, "ladies cut", { among: [1, 2] })?.faqIndex ?? null).not.toBe(0);
    expect(queryKnowledge(index, "the ladies cut", { among: [0, 1] })?.faqIndex).toBe(0);
  });
});

describe("chooseBetween and clarifyingQuestion", () => {
  test("a word of one FAQ, an ordinal, both, or neither", () => {
    expect(chooseBetween(salon!, "the men's one", [0, 1])).toEqual([1]);
    expect(chooseBetween(salon!, "for the ladies", [0, 1])).toEqual([0]);
    expect(chooseBetween(salon!, "the first one", [0, 1])).toEqual([0]);
    expect(chooseBetween(salon!, "the second", [0, 1])).toEqual([1]);
    expect(chooseBetween(salon!, "both of them", [0, 1])).toEqual([0, 1]);
    expect(chooseBetween(salon!, "do you have parking", [0, 1])).toEqual([]);
    expect(chooseBetween(salon!, "yes", [0, 1])).toEqual([]);
    // By number, and by naming the one the caller does not mean.
    expect(chooseBetween(salon!, "number two", [0, 1])).toEqual([1]);
    expect(chooseBetween(salon!, "option one please", [0, 1])).toEqual([0]);
    expect(chooseBetween(salon!, "not the men's one", [0, 1])).toEqual([0]);
    expect(chooseBetween(salon!, "no not the first", [0, 1])).toEqual([1]);
    expect(chooseBetween(salon!, "not sure", [0, 1])).toEqual([]);
  });

  test("asks only for an ambiguous answer whose FAQs are still where the cache says", () => {
    const base = { answer: "x", question: salon!.faqs[0]!.question, score: 0.8, faqIndex: 0, runnerUp: { faqIndex: 1, question: salon!.faqs[1]!.question } };
    expect(clarifyingQuestion(salon!, { ...base, ambiguous: true })).toEqual({ say: "Do you mean a women's haircut or our men's cut?", between: [0, 1] });
    expect(clarifyingQuestion(salon!, { ...base, ambiguous: false })).toBeUndefined();
    expect(clarifyingQuestion(salon!, { ...base, ambiguous: true, runnerUp: { faqIndex: 1, question: "Renamed?" } })).toBeUndefined();
  });
});

describe("confirmingQuestion and confirmation", () => {
  const parking = salon!.faqs.findIndex((faq) => /parking/i.test(faq.question));
  const found = (score: number, ambiguous = false) => ({ answer: "x", question: salon!.faqs[parking]!.question, score, faqIndex: parking, ambiguous });

  test("checks a match below the threshold and above its share of it; never a confident, weak or ambiguous one", () => {
    expect(confirmingQuestion(salon!, found(0.35), 0.48)).toEqual({ say: "Are you asking about parking?", between: [parking, parking] });
    expect(confirmingQuestion(salon!, found(0.5), 0.48)).toBeUndefined();
    expect(confirmingQuestion(salon!, found(CONFIRM_SHARE * 0.48 - 0.01), 0.48)).toBeUndefined();
    expect(confirmingQuestion(salon!, found(0.35, true), 0.48)).toBeUndefined();
    expect(confirmingQuestion(salon!, null, 0.48)).toBeUndefined();
    expect(confirmingQuestion(salon!, { ...found(0.35), question: "Renamed?" }, 0.48)).toBeUndefined();
  });

  test("yes and no as callers say them; anything else is a new question", () => {
    for (const said of ["yes", "Yeah, that's right.", "yep", "um yes please", "exactly", "correct"]) expect(confirmation(said)).toBe("yes");
    for (const said of ["no", "nope", "no thats not it", "Not really."]) expect(confirmation(said)).toBe("no");
    for (const said of ["no i meant the gift cards", "what time do you open", "yes and do you have parking"]) expect(confirmation(said)).toBeUndefined();
  });

  test("agreeing and refusing in the many ways callers do, with politeness around; any other word is a question", () => {
    for (const said of ["yep thats it", "aye", "absolutely", "of course", "thats the one thanks", "yeah thats what i mean", "mm hmm", "you got it", "grand yeah", "yes sir", "right yeah", "i do", "it is"]) {
      expect([said, confirmation(said)]).toEqual([said, "yes"]);
    }
    for (const said of ["no not that", "nah not really", "no i meant something else", "not at all", "no its not", "no thats not right", "neither"]) {
      expect([said, confirmation(said)]).toEqual([said, "no"]);
    }
    // To the offer of a person as well: "please do", "connect me"; "thats ok", "im good", "not now" decline it.
    for (const said of ["please do", "connect me", "that would be great", "go ahead"]) expect([said, confirmation(said)]).toEqual([said, "yes"]);
    for (const said of ["thats ok thanks", "im good", "not now"]) expect([said, confirmation(said)]).toEqual([said, "no"]);
    for (const said of ["yes how much is it", "right so how much is it", "is it free", "that is expensive", "i do not know", "the mens one"]) {
      expect([said, confirmation(said)]).toEqual([said, undefined]);
    }
  });
});
