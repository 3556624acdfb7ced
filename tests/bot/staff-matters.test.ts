import { describe, expect, test } from "bun:test";
import { isStaffMatter } from "../../src/bot/staff-matters.ts";
import { sampleBusinesses } from "../../src/bot/sample-businesses.ts";
import heldOut from "../fixtures/knowledge/held-out.json" with { type: "json" };
import conversations from "../fixtures/conversations/utterances.json" with { type: "json" };

describe("matters only the staff can help with", () => {
  test("the caller's own order, bill or case, with what went wrong or is awaited", () => {
    for (const said of [
      "my card got charged twice this month can somebody fix that",
      "um i think you double charged me for my last visit",
      "my delivery never arrived and it has been an hour",
      "whats the status of my claim",
      "im calling about my booking from last weekend",
      "can i pay my bill over the phone",
      "i want to settle our account before we leave",
    ]) expect(isStaffMatter(said)).toBe(true);
  });

  test("something left behind, and jobs", () => {
    for (const said of [
      "i think i left my sunglasses on the table last night",
      "did anyone hand in a black wallet",
      "do you have a lost and found",
      "i forgot my charger there yesterday",
      "are you guys hiring at the moment",
      "my son is looking for a job for the summer",
      "where can i drop off my resume",
    ]) expect(isStaffMatter(said)).toBe(true);
  });

  test("capitals, punctuation, contractions and accents are read as the rules read them", () => {
    expect(isStaffMatter("My card got CHARGED twice this month, can somebody fix that?")).toBe(true);
    expect(isStaffMatter("I'm sure I left my scarf at the table — did anyone find it?")).toBe(true);
    expect(isStaffMatter("Where can I drop off my résumé?")).toBe(true);
    expect(isStaffMatter("What forms of payment do you take?")).toBe(false);
  });

  test("questions about the business's services are not staff matters, however they are put", () => {
    for (const said of [
      "what forms of payment do you take",
      "can i leave my bags before check in",
      "can i pay with my card",
      "i lost my job can i cancel my membership",
      "can i cancel my booking and get a refund",
      "can i pause my account while im away",
      "where can i leave the hire car overnight",
      "is there a charge for bringing a dog",
      "my dad passed away last month and i need help with his will",
    ]) expect(isStaffMatter(said)).toBe(false);
  });

  test("no in-scope question of the development set, the held-out trades or the sample paraphrases is taken for one", () => {
    const inScope: string[] = [];
    for (const business of conversations.businesses) {
      inScope.push(...business.answers.map(([said]) => said!), ...business.person, ...business.goodbye, ...business.hours.map((entry) => (Array.isArray(entry) ? entry[0]! : entry)));
    }
    for (const business of heldOut.businesses) inScope.push(...business.answers.map(([said]) => said!));
    for (const business of sampleBusinesses()) inScope.push(...business.faqs.map((faq) => faq.question));
    expect(inScope.length).toBeGreaterThan(300);
    expect(inScope.filter(isStaffMatter)).toEqual([]);
  });
});
