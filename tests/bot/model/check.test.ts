/**
 * The answer check: only real answers whose every number is in the facts are spoken. (Model
 * answers here are written by hand; the grounding tests get them from the model stand-in, a test
 * double of a model server.)
 */
import { describe, expect, test } from "bun:test";
import { checkAnswer, DONT_KNOW_MARKER, factQuantities, groundingPrompt, numberWordsToDigits, quantities } from "../../../src/bot/model/index.ts";
import { sampleBusinesses } from "../../../src/bot/sample-businesses.ts";

const bella = sampleBusinesses()[0]!;
const NOW = new Date("2025-07-05T19:00:00Z"); // Saturday 15:00 in New York
const prompt = groundingPrompt(bella, NOW);

const reason = (answer: string, facts: string | ReadonlySet<string> = prompt) => {
  const verdict = checkAnswer(answer, facts);
  return verdict.ok ? "ok" : verdict.reason;
};

describe("the answer check", () => {
  test("rejects the don't-know marker, however the model wraps it", () => {
    expect(reason(DONT_KNOW_MARKER)).toBe("dont_know");
    expect(reason(`"${DONT_KNOW_MARKER}."`)).toBe("dont_know");
    expect(reason("Sorry, not in facts.")).toBe("dont_know");
  });

  test("rejects an empty answer and one that is only punctuation", () => {
    expect(reason("")).toBe("empty");
    expect(reason("  ... ")).toBe("empty");
  });

  test("rejects an answer too long to speak", () => {
    expect(reason("We have parking. ".repeat(40))).toBe("too_long");
    expect(checkAnswer("We have parking. ".repeat(10), prompt, { maxChars: 50 })).toEqual({ ok: false, reason: "too_long" });
  });

  test("rejects an invented price and accepts a price from the facts, in digits or in words", () => {
    expect(reason("A large pizza is 25 dollars.")).toBe("unsupported_number");
    expect(reason("A large pizza is $25.")).toBe("unsupported_number");
    expect(reason("A large pizza is twenty-five dollars.")).toBe("unsupported_number");
    expect(reason("A large pizza is 18 dollars.")).toBe("ok");
    expect(reason("A large pizza is $18.00.")).toBe("ok");
    expect(reason("A large pizza is eighteen dollars, toppings two dollars each.")).toBe("ok");
  });

  test("facts in words vouch for digits too", () => {
    const facts = "Facts:\n- Q: Delivery? A: We deliver within three miles; the fee is twenty dollars.";
    expect(reason("We deliver up to 3 miles for $20.", facts)).toBe("ok");
    expect(reason("We deliver up to 5 miles.", facts)).toBe("unsupported_number");
  });

  test("rejects an invented time and accepts the hours in any spelling", () => {
    expect(reason("We open at 5 PM today.")).toBe("ok");
    expect(reason("We open again at five p.m.")).toBe("ok");
    expect(reason("Tonight we close at 23:00.")).toBe("ok");
    expect(reason("We open at 4:30 PM.")).toBe("unsupported_number");
    expect(reason("We close at midnight on Saturday.")).toBe("unsupported_number");
  });

  test("rejects a phone number or digit string the facts do not have", () => {
    expect(reason("You can call our manager at 555-0199 12.")).toBe("unsupported_number");
    expect(reason("Call +1 555 000 9999 to reach us.")).toBe("unsupported_number");
    const facts = "Facts:\n- Q: Manager? A: Call 555-019-9120.";
    expect(reason("Our manager is on 555 019 9120.", facts)).toBe("ok");
  });

  test("the instructions' own numbers do not vouch for anything (\"one or two sentences\")", () => {
    expect(prompt).toContain("one or two short sentences");
    expect(reason("You can bring two friends.", "Reply in one or two short sentences.\nFacts:\n- Q: Parking? A: Yes.")).toBe("unsupported_number");
  });

  test("accepts an answer without numbers, and ordinary speech with a lone 'one'", () => {
    expect(checkAnswer("Yes, one of our staff can help you with that.", prompt)).toEqual({
      ok: true,
      text: "Yes, one of our staff can help you with that.",
      timeSensitive: false,
    });
  });

  test("marks answers about hours or now as time-sensitive", () => {
    const verdict = checkAnswer("We open again today at 5 PM.", prompt);
    expect(verdict.ok && verdict.timeSensitive).toBe(true);
    const plain = checkAnswer("Yes, we have vegan cheese.", prompt);
    expect(plain.ok && plain.timeSensitive).toBe(false);
  });

  test("precomputed fact quantities give the same verdicts", () => {
    const facts = factQuantities(prompt);
    expect(reason("A large pizza is 18 dollars.", facts)).toBe("ok");
    expect(reason("A large pizza is 25 dollars.", facts)).toBe("unsupported_number");
  });
});

describe("quantities", () => {
  test("number words become digits; a lone 'one' without a unit stays a word", () => {
    expect(numberWordsToDigits("Twenty-five dollars, a hundred and five guests")).toBe("25 dollars, 105 guests");
    expect(numberWordsToDigits("two thousand three hundred")).toBe("2300");
    expect(numberWordsToDigits("between three and four")).toBe("between 3 and 4");
    expect(numberWordsToDigits("one of us, one dollar")).toBe("one of us, 1 dollar");
  });

  test("prices, times and digit strings are read as comparable quantities", () => {
    expect([...quantities("$1,200.00")]).toEqual(["num:1200"]);
    expect(quantities("6 PM")).toEqual(new Set(["time:18:00", "num:18", "num:6"]));
    expect(quantities("18:00")).toEqual(quantities("six pm"));
    expect(quantities("noon")).toEqual(quantities("12:00 p.m."));
    expect([...quantities("call 555-0100")]).toEqual(["digits:5550100"]);
  });
});
