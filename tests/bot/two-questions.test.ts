import { describe, expect, test } from "bun:test";
import type { Business } from "../../src/bot/business.ts";
import { buildKnowledgeIndex, queryKnowledge, DEFAULT_CONFIDENCE_THRESHOLD } from "../../src/bot/knowledge/index.ts";
import type { KnowledgeAnswer } from "../../src/bot/lookups.ts";
import { splitQuestions, twoAnswers } from "../../src/bot/two-questions.ts";

const faqs = [
  { question: "Do you have parking?", answer: "Behind the building.", keywords: ["parking"] },
  { question: "Do you have WiFi?", answer: "Yes, the password is on the menu.", keywords: ["wifi"] },
  { question: "Do you have vegan options?", answer: "Three vegan mains.", keywords: ["vegan"] },
  { question: "Do you have gluten-free options?", answer: "Gluten-free pasta.", keywords: ["gluten free"] },
];
const business = { id: "cafe", name: "Cafe", faqs } as unknown as Business;
const index = buildKnowledgeIndex(faqs);
const answer = async (_: Business, question: string): Promise<KnowledgeAnswer | null> => queryKnowledge(index, question);
const both = (said: string) => twoAnswers(business, splitQuestions(said)!, answer, DEFAULT_CONFIDENCE_THRESHOLD);

describe("two questions in one utterance", () => {
  test("cut at the first 'and', 'also' or 'plus' with something named on both sides", () => {
    expect(splitQuestions("do you have parking and whats the wifi password")).toEqual(["do you have parking", "whats the wifi password"]);
    expect(splitQuestions("me and my wife are coming do you have parking")).toBeUndefined(); // "me" names nothing
    expect(splitQuestions("is there parking also do you have wifi")).toEqual(["is there parking", "do you have wifi"]);
    expect(splitQuestions("do you have parking")).toBeUndefined();
  });

  test("both answered when two different FAQs answer the parts confidently; else the utterance is one question", async () => {
    expect((await both("is there parking and do you have wifi"))?.map((f) => f.faqIndex)).toEqual([0, 1]);
    expect((await both("do you have gluten free and vegan options"))?.map((f) => f.faqIndex)).toEqual([3, 2]);
    // The same FAQ twice, or a part no FAQ answers: one question.
    expect(await both("is there parking and where do i park")).toBeUndefined();
    expect(await both("is there parking and can i bring my horse")).toBeUndefined();
  });
});
