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

  test("goodbye: regional closings and terms of address around them", () => {
    const goodbyes = ["no worries cheers", "too easy cheers mate", "lovely thanks love bye", "cracking cheers pal", "alright thanks eh bye", "no bother thanks see ya", "sweet as cheers"];
    expect(kinds(goodbyes)).toEqual(all(goodbyes, "goodbye"));
    // Politeness alone still leaves the turn open: a question may follow.
    expect(kinds(["no worries", "thanks heaps mate"])).toEqual(all(["no worries", "thanks heaps mate"], "none"));
  });

  test("human: a first name no English word spells, a person asked after by pronoun, and 'mate' after a presence question", () => {
    const humans = ["can i talk to priyanka please", "could i speak with siobhan", "is gary in can i have a word with him", "is the manager there mate"];
    expect(kinds(humans)).toEqual(all(humans, "human"));
    // An English word after "talk to" is a topic, not a name.
    const notHumans = ["can i talk to you about parking", "do you want to talk about prices"];
    expect(kinds(notHumans)).toEqual(all(notHumans, "none"));
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
      "what time does the kitchen close": { kind: "hours", hoursQuestion: "close_time", place: true },
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

describe("detectIntent on transcripts: no punctuation, no apostrophes, regional and role words", () => {
  test("goodbye as speech recognition writes it, with regional closings", () => {
    const goodbyes = [
      "thats all thanks bye",
      "ok thats everything cheers",
      "cheers",
      "cheers mate",
      "grand thanks",
      "perfect thank you so much",
      "brilliant thanks a million",
      "have a good one",
      "no that was it have a good one",
      "that covers it thanks",
      "thats all i needed to know thank you",
      "im all set",
      "im sorted thanks",
      "no more questions thanks",
      "alright that helps a lot thanks bye",
      "lovely thanks see you saturday then",
      "you have been very helpful thank you",
      "that was a big help cheers",
      "ok ill let you go",
      "good night",
      "ok talk to you later",
      "thanks for your help",
      "nope all good",
      "righto cheers",
      "ok ill call back later",
    ];
    expect(kinds(goodbyes)).toEqual(all(goodbyes, "goodbye"));
  });

  test("thanks or a closing word inside a question stays a question", () => {
    const questions = [
      "thanks and do you have parking",
      "great thanks how much is delivery",
      "is that all the flavours you have",
      "thats great but what time is checkout",
      "do you sell cheers glasses",
      "ok",
      "thank you",
      "no",
      "see you later alligator is that a real dish",
      "thanks for the info what about parking",
      "is it all good for kids",
    ];
    expect(kinds(questions)).toEqual(all(questions, "none"));
  });

  test("a person, by role noun, title and name, or a request to be put through", () => {
    const humans = [
      "can i speak to the manager please",
      "could i talk to the duty manager",
      "id like to speak to one of the stylists",
      "can i talk to a nurse",
      "put me through to reception",
      "put me through to the front desk please",
      "can you transfer me to billing",
      "connect me with someone in accounts",
      "can i have a word with the chef",
      "i need to speak to an accountant about my return",
      "id like to talk to mister patel",
      "can i speak with doctor okafor",
      "is the owner in",
      "is the manager around can i talk to him",
      "is doctor reyes available today",
      "reception please",
      "the front desk",
      "um a real person please",
      "get me the manager",
      "can i get someone from customer service",
      "let me talk to a mechanic",
      "i want to talk to an actual human",
      "can i talk to whoever is in charge",
      "could you connect me to the service department",
    ];
    expect(kinds(humans)).toEqual(all(humans, "human"));
  });

  test("questions that name a role or a service stay questions", () => {
    const questions = [
      "do you have a notary",
      "is there a trainer fee",
      "do you have a nurse on site",
      "how much does a personal trainer cost",
      "are your stylists certified",
      "is the manager special still on",
      "do i need to bring id",
      "can you get me a table for four",
      "i need a quote for a new roof",
      "talk to me about your membership options",
      "can i speak to you about catering for a wedding",
      "does the chef do vegan dishes",
      "do you have a lawyer who does wills",
      "i need someone to fix my sink",
      "how do i reach your office from the station",
      "are your trainers available on weekends",
      "is the pool open on sundays",
      "i want someone to look at my car this week",
    ];
    expect(kinds(questions)).toEqual(all(questions, "none"));
  });

  test("hours of the place as callers name it", () => {
    const cases: Record<string, Intent> = {
      "what time does the gym close sunday": { kind: "hours", day: "sun", hoursQuestion: "close_time", place: true },
      "is reception open all night on saturday": { kind: "hours", day: "sat", hoursQuestion: "general", place: true },
      "whats the latest the salon is open on thursday": { kind: "hours", day: "thu", hoursQuestion: "general", place: true },
      "are ye open on monday": { kind: "hours", day: "mon", hoursQuestion: "general" },
      "what time does the studio open tomorrow": { kind: "hours", day: "tomorrow", hoursQuestion: "open_time", place: true },
      "is the kitchen still open": { kind: "hours", hoursQuestion: "open_now", place: true },
      "what time does the pool close": { kind: "none" },
      "does the parking garage close at night": { kind: "none" },
      "what time do yous finish on friday": { kind: "hours", day: "fri", hoursQuestion: "close_time" },
      "what are your opening times on monday": { kind: "hours", day: "mon", hoursQuestion: "general" },
      "do you work on saturdays": { kind: "hours", day: "sat", hoursQuestion: "general" },
      "what days are you open": { kind: "hours", hoursQuestion: "general" },
      "um when are you open on thursday": { kind: "hours", day: "thu", hoursQuestion: "general" },
      "are you open on bank holiday monday": { kind: "none" },
    };
    const detected = Object.fromEntries(Object.keys(cases).map((text) => [text, detectIntent(text)]));
    expect(detected).toEqual(cases);
  });

  test("repeat, as transcripts write it", () => {
    const repeats = ["sorry i didnt catch that", "i missed that", "can you say that one more time", "once more please", "what was that"];
    expect(kinds(repeats)).toEqual(all(repeats, "repeat"));
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
