import { describe, expect, test } from "bun:test";
import { parseBusiness } from "../../src/bot/business.ts";
import { detectIntent, type Intent } from "../../src/bot/intents.ts";
import { replies } from "../../src/bot/replies.ts";
import { sampleBusinesses } from "../../src/bot/sample-businesses.ts";

function kinds(texts: readonly string[]): Record<string, string> {
  return Object.fromEntries(texts.map((text) => [text, detectIntent(text).kind]));
}

function all(texts: readonly string[], kind: Intent["kind"]): Record<string, string> {
  return Object.fromEntries(texts.map((text) => [text, kind]));
}

describe("detectIntent", () => {
  test("goodbye: a closing phrase with nothing but politeness around it", () => {
    const goodbyes = ["bye", "Goodbye!", "bye bye", "that's all", "that's it, thanks", "no thanks that's it", "No thank you.", "hang up", "please hang up", "ok thank you bye", "I'm all set, thanks", "nothing else", "have a good day"];
    expect(kinds(goodbyes)).toEqual(all(goodbyes, "goodbye"));
  });

  test("goodbye words inside a real question are not a goodbye", () => {
    const notGoodbyes = ["don't hang up", "no thanks, what about parking", "is that all you have", "thank you", "no", "do you deliver by the river"];
    expect(kinds(notGoodbyes)).toEqual(all(notGoodbyes, "none"));
  });

  test("human: asking for a person in the ways callers do", () => {
    const humans = [
      "operator",
      "representative",
      "agent",
      "live agent please",
      "a real person",
      "customer service",
      "can I talk to someone",
      "speak to a human",
      "I want to speak with a real person",
      "I need a representative",
      "let me talk to the manager",
      "is there someone I can talk to",
      "transfer me please",
      "can you connect me",
      "no thanks, just get me a real person",
    ];
    expect(kinds(humans)).toEqual(all(humans, "human"));
  });

  test("human: FAQ-like questions that mention people or agents stay questions", () => {
    const questions = ["is there an agent fee", "do you have a person who speaks spanish", "are your staff vaccinated", "connect me to the wifi", "can you put me on the waitlist", "can someone help me with parking"];
    expect(kinds(questions)).toEqual(all(questions, "none"));
  });

  test("hours: the question kind and the day", () => {
    const cases: Record<string, Intent> = {
      "are you open now": { kind: "hours", hoursQuestion: "open_now" },
      "Are you guys open?": { kind: "hours", hoursQuestion: "open_now" },
      "are you open today": { kind: "hours", day: "today", hoursQuestion: "open_now" },
      "when do you close": { kind: "hours", hoursQuestion: "close_time" },
      "how late are you open tonight": { kind: "hours", day: "today", hoursQuestion: "close_time" },
      "till when are you open": { kind: "hours", hoursQuestion: "close_time" },
      "what time are you open until on friday": { kind: "hours", day: "fri", hoursQuestion: "close_time" },
      "what time does the kitchen close": { kind: "hours", hoursQuestion: "close_time" },
      "what time do you open on saturday": { kind: "hours", day: "sat", hoursQuestion: "open_time" },
      "when do you open tomorrow": { kind: "hours", day: "tomorrow", hoursQuestion: "open_time" },
      "what are your hours": { kind: "hours", hoursQuestion: "general" },
      "hours?": { kind: "hours", hoursQuestion: "general" },
      "what are your business hours on sundays": { kind: "hours", day: "sun", hoursQuestion: "general" },
      "open tomorrow": { kind: "hours", day: "tomorrow", hoursQuestion: "general" },
      "are you open on Sundays?": { kind: "hours", day: "sun", hoursQuestion: "general" },
      "are you open this weekend": { kind: "hours", day: "weekend", hoursQuestion: "general" },
      "do you close early on fridays": { kind: "hours", day: "fri", hoursQuestion: "general" },
      "sorry, what time do you close": { kind: "hours", hoursQuestion: "close_time" },
    };
    const detected = Object.fromEntries(Object.keys(cases).map((text) => [text, detectIntent(text)]));
    expect(detected).toEqual(cases);
  });

  test("hours: questions that only contain hours words stay questions", () => {
    const questions = [
      "are you open on christmas",
      "what are your holiday hours",
      "how many hours does an oil change take",
      "how late do you deliver",
      "is it close to the highway",
      "is the parking lot open",
      "do you have any open tables",
      "what time does delivery arrive",
    ];
    expect(kinds(questions)).toEqual(all(questions, "none"));
  });

  test("repeat", () => {
    const repeats = ["repeat that", "can you repeat that please", "say that again", "what did you say", "pardon", "pardon me?", "sorry?", "huh", "I didn't catch that", "come again", "one more time"];
    expect(kinds(repeats)).toEqual(all(repeats, "repeat"));
    expect(detectIntent("do you offer repeat customer discounts").kind).toBe("none");
  });

  test("ordinary FAQ questions are no intent at all", () => {
    const questions = ["do you have parking", "how much is a large pizza", "can I bring my kid", "do you take credit cards", "where are you located", "", "   "];
    expect(kinds(questions)).toEqual(all(questions, "none"));
  });
});

describe("replies", () => {
  const [bella, , riverside] = sampleBusinesses();

  test("the fallback offers a transfer only when there is somewhere to transfer to", () => {
    expect(replies.notSure(bella!)).toBe("I'm not sure about that one. Would you like me to connect you with someone at Bella Pizza?");
    expect(riverside!.transferNumber).toBeUndefined();
    expect(replies.notSure(riverside!)).not.toContain("connect");
    expect(replies.hoursUnknown(bella!)).toContain("connect you");
    expect(replies.hoursUnknown(riverside!)).not.toContain("connect");
  });

  test("each sentence names the business where it should", () => {
    expect(replies.greeting(bella!)).toBe("Thanks for calling Bella Pizza. How can I help?");
    expect(replies.goodbye(riverside!)).toBe("Thanks for calling Riverside Auto Repair. Goodbye!");
    expect(replies.transfer(bella!)).toContain("Bella Pizza");
    expect(replies.transferAfterMisses(bella!)).toContain("Bella Pizza");
    expect(replies.noTransfer(riverside!)).toContain("Riverside Auto Repair");
    expect(replies.silenceGoodbye(bella!)).toEndWith("Thanks for calling Bella Pizza. Goodbye!");
    expect(replies.nothingToRepeat(bella!)).toEndWith(bella!.greeting);
    expect(replies.unknownNumber()).toContain("isn't set up");
    expect(replies.temporarilyUnavailable()).toContain("try again");
  });

  test("the default greeting comes from the name", () => {
    const minimal = parseBusiness({ id: "x", name: "Corner Cafe", phoneNumbers: ["+15550000002"] }, "test");
    expect(replies.greeting(minimal)).toBe("Thanks for calling Corner Cafe. How can I help?");
  });
});
