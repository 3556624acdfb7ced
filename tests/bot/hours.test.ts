import { describe, expect, test } from "bun:test";
import { parseBusiness } from "../../src/bot/business.ts";
import { clock, hoursAnswerValidUntil, localMoment, openingStatus, parseDayHours, type WeeklyHours } from "../../src/bot/hours.ts";
import { describeHours, isOpenAroundTheClock, spokenTime } from "../../src/bot/hours-spoken.ts";
import { detectIntent } from "../../src/bot/intents.ts";
import { DEFAULT_CONFIDENCE_THRESHOLD, buildKnowledgeIndex, queryKnowledge } from "../../src/bot/knowledge/index.ts";
import { takeTurn } from "../../src/bot/turn.ts";
import { answerHoursQuestion } from "../../src/bot/replies.ts";
import { sampleBusinesses } from "../../src/bot/sample-businesses.ts";

/** Hours as the business file writes them, parsed by the real schema. */
function hoursOf(days: Record<string, string>): WeeklyHours {
  return parseBusiness({ id: "t", name: "T", phoneNumbers: ["+15550000000"], hours: days }, "test").hours;
}

const at = (iso: string) => new Date(iso);
const bella = sampleBusinesses().find((b) => b.id === "bella-pizza")!;
const NY = "America/New_York";

describe("parseDayHours", () => {
  test("reads closed, all day, split and overnight days", () => {
    expect(parseDayHours("closed")).toEqual({ ok: true, ranges: [] });
    expect(parseDayHours(" Closed ")).toEqual({ ok: true, ranges: [] });
    expect(parseDayHours("24h")).toEqual({ ok: true, ranges: [{ opens: 0, closes: 1440 }] });
    expect(parseDayHours("00:00-24:00")).toEqual({ ok: true, ranges: [{ opens: 0, closes: 1440 }] });
    expect(parseDayHours("17:00-23:00, 11:00-14:00")).toEqual({
      ok: true,
      ranges: [
        { opens: 660, closes: 840 },
        { opens: 1020, closes: 1380 },
      ],
    });
    expect(parseDayHours("18:00-02:00")).toEqual({ ok: true, ranges: [{ opens: 1080, closes: 1560 }] });
    expect(parseDayHours("9:30-17:00")).toEqual({ ok: true, ranges: [{ opens: 570, closes: 1020 }] });
  });

  test("rejects what it cannot read, saying why", () => {
    const problem = (text: string) => {
      const result = parseDayHours(text);
      return result.ok ? "accepted" : result.problem;
    };
    expect(problem("9-5")).toContain("not HH:MM");
    expect(problem("25:00-26:00")).toContain("not HH:MM");
    expect(problem("10:61-11:00")).toContain("not HH:MM");
    expect(problem("24:00-02:00")).toContain("use 00:00");
    expect(problem("10:00-10:00")).toContain("24h");
    expect(problem("10:00")).toContain("not a range");
    expect(problem("10:00-12:00,11:00-13:00")).toContain("overlap");
    expect(problem("")).toBe("is empty");
  });

  test("clock wraps minutes past midnight", () => {
    expect(clock(1560)).toBe("02:00");
    expect(clock(0)).toBe("00:00");
    expect(clock(1439)).toBe("23:59");
  });
});

describe("localMoment", () => {
  test("reads the wall clock of the zone, DST included", () => {
    // 2025-07-04 16:30 UTC: EDT (UTC-4) in New York, PDT (UTC-7) in LA, JST (UTC+9) in Tokyo.
    expect(localMoment(NY, at("2025-07-04T16:30:00Z"))).toEqual({ day: "fri", minute: 12 * 60 + 30 });
    expect(localMoment("America/Los_Angeles", at("2025-07-04T16:30:00Z"))).toEqual({ day: "fri", minute: 9 * 60 + 30 });
    expect(localMoment("Asia/Tokyo", at("2025-07-04T16:30:00Z"))).toEqual({ day: "sat", minute: 1 * 60 + 30 });
    // The same UTC time of day in January: EST (UTC-5).
    expect(localMoment(NY, at("2025-01-10T16:30:00Z"))).toEqual({ day: "fri", minute: 11 * 60 + 30 });
    // Half-hour and 45-minute offsets.
    expect(localMoment("Asia/Kolkata", at("2025-01-10T16:30:00Z"))).toEqual({ day: "fri", minute: 22 * 60 });
    expect(localMoment("Asia/Kathmandu", at("2025-01-10T16:30:00Z"))).toEqual({ day: "fri", minute: 22 * 60 + 15 });
    // Southern hemisphere: Sydney is on daylight time (UTC+11) in January, standard (UTC+10) in July.
    expect(localMoment("Australia/Sydney", at("2025-01-10T02:00:00Z"))).toEqual({ day: "fri", minute: 13 * 60 });
    expect(localMoment("Australia/Sydney", at("2025-07-10T02:00:00Z"))).toEqual({ day: "thu", minute: 12 * 60 });
    expect(localMoment("UTC", at("2025-07-06T23:59:00Z"))).toEqual({ day: "sun", minute: 23 * 60 + 59 });
  });

  test("crosses the US spring-forward and fall-back transitions", () => {
    // 2025-03-09: 01:59 EST is followed by 03:00 EDT.
    expect(localMoment(NY, at("2025-03-09T06:59:00Z"))).toEqual({ day: "sun", minute: 1 * 60 + 59 });
    expect(localMoment(NY, at("2025-03-09T07:00:00Z"))).toEqual({ day: "sun", minute: 3 * 60 });
    // 2025-11-02: 01:30 happens twice, once in EDT and once in EST.
    expect(localMoment(NY, at("2025-11-02T05:30:00Z"))).toEqual({ day: "sun", minute: 90 });
    expect(localMoment(NY, at("2025-11-02T06:30:00Z"))).toEqual({ day: "sun", minute: 90 });
  });
});

describe("openingStatus", () => {
  // Bella Pizza, New York: Mon closed, Tue–Thu 11–22, Fri 11–01, Sat 11–14 & 17–23, Sun 12–21.
  test("open inside a range, with the closing time", () => {
    expect(openingStatus(bella.hours, NY, at("2025-07-08T16:00:00Z"))).toEqual({ known: true, open: true, closesAt: "22:00" }); // Tue 12:00
  });

  test("between the two ranges of a split day", () => {
    expect(openingStatus(bella.hours, NY, at("2025-07-05T19:00:00Z"))).toEqual({ known: true, open: false, opensNext: { day: "sat", time: "17:00" } }); // Sat 15:00
  });

  test("an overnight range closes on the next day and still counts after midnight", () => {
    expect(openingStatus(bella.hours, NY, at("2025-07-05T00:00:00Z"))).toEqual({ known: true, open: true, closesAt: "01:00", closesOn: "sat" }); // Fri 20:00
    expect(openingStatus(bella.hours, NY, at("2025-07-05T04:30:00Z"))).toEqual({ known: true, open: true, closesAt: "01:00" }); // Sat 00:30
    expect(openingStatus(bella.hours, NY, at("2025-07-05T05:00:00Z"))).toEqual({ known: true, open: false, opensNext: { day: "sat", time: "11:00" } }); // Sat 01:00
  });

  test("the next opening skips a closed day", () => {
    // Sunday 21:30 → Monday is closed → Tuesday 11:00.
    expect(openingStatus(bella.hours, NY, at("2025-07-07T01:30:00Z"))).toEqual({ known: true, open: false, opensNext: { day: "tue", time: "11:00" } });
    // Monday noon, closed all day.
    expect(openingStatus(bella.hours, NY, at("2025-07-07T16:00:00Z"))).toEqual({ known: true, open: false, opensNext: { day: "tue", time: "11:00" } });
  });

  test("the same instant is open in one zone and closed in another", () => {
    const hours = hoursOf({ fri: "09:00-17:00", sat: "closed" });
    const instant = at("2025-07-04T20:00:00Z"); // Fri 16:00 in New York, Fri 13:00 in LA, Sat 05:00 in Tokyo
    expect(openingStatus(hours, NY, instant).open).toBe(true);
    expect(openingStatus(hours, "America/Los_Angeles", instant).open).toBe(true);
    expect(openingStatus(hours, "Asia/Tokyo", instant)).toEqual({ known: true, open: false });
    expect(openingStatus(hours, "Europe/London", instant)).toEqual({ known: true, open: false }); // Fri 21:00, Sat closed, then unknown
  });

  test("follows DST: the same UTC instant is inside the hours in winter and outside in summer", () => {
    const hours = hoursOf({ mon: "09:00-17:00", tue: "09:00-17:00" });
    // 21:30 UTC on a Monday: 16:30 EST in January (open), 17:30 EDT in July (closed).
    expect(openingStatus(hours, NY, at("2025-01-13T21:30:00Z"))).toEqual({ known: true, open: true, closesAt: "17:00" });
    expect(openingStatus(hours, NY, at("2025-07-14T21:30:00Z"))).toEqual({ known: true, open: false, opensNext: { day: "tue", time: "09:00" } });
  });

  test("on the spring-forward night the skipped hour is simply gone", () => {
    const hours = hoursOf({ sat: "closed", sun: "01:00-02:30,03:30-05:00" });
    expect(openingStatus(hours, NY, at("2025-03-09T06:59:00Z"))).toEqual({ known: true, open: true, closesAt: "02:30" }); // 01:59 EST
    expect(openingStatus(hours, NY, at("2025-03-09T07:00:00Z"))).toEqual({ known: true, open: false, opensNext: { day: "sun", time: "03:30" } }); // 03:00 EDT
  });

  test("on the fall-back night both 01:30s are inside 01:00-02:00", () => {
    const hours = hoursOf({ sat: "closed", sun: "01:00-02:00" });
    expect(openingStatus(hours, NY, at("2025-11-02T05:30:00Z")).open).toBe(true);
    expect(openingStatus(hours, NY, at("2025-11-02T06:30:00Z")).open).toBe(true);
    expect(openingStatus(hours, NY, at("2025-11-02T07:30:00Z")).open).toBe(false); // 02:30 EST
  });

  test("back-to-back ranges are one opening, and a week of 24h never closes", () => {
    const hours = hoursOf({ mon: "18:00-24:00", tue: "00:00-02:00,10:00-12:00" });
    expect(openingStatus(hours, "UTC", at("2025-07-07T20:00:00Z"))).toEqual({ known: true, open: true, closesAt: "02:00", closesOn: "tue" });
    const always = hoursOf({ mon: "24h", tue: "24h", wed: "24h", thu: "24h", fri: "24h", sat: "24h", sun: "24h" });
    expect(openingStatus(always, "UTC", at("2025-07-07T20:00:00Z"))).toEqual({ known: true, open: true });
    const untilMidnight = hoursOf({ mon: "18:00-24:00", tue: "closed" });
    expect(openingStatus(untilMidnight, "UTC", at("2025-07-07T20:00:00Z"))).toEqual({ known: true, open: true, closesAt: "00:00" });
  });

  test("unknown hours are not 'closed'", () => {
    expect(openingStatus({}, NY, at("2025-07-08T16:00:00Z"))).toEqual({ known: false, open: false });
    const weekdaysOnly = hoursOf({ mon: "09:00-17:00", fri: "09:00-17:00" });
    // Friday evening: Saturday is unknown, so no "we open Monday" that might skip a real opening.
    expect(openingStatus(weekdaysOnly, "UTC", at("2025-07-04T18:00:00Z"))).toEqual({ known: true, open: false });
    // Saturday itself is unknown.
    expect(openingStatus(weekdaysOnly, "UTC", at("2025-07-05T12:00:00Z"))).toEqual({ known: false, open: false });
  });
});

describe("describeHours", () => {
  const hours = hoursOf({ mon: "11:00-22:00", tue: "11:00-22:00", wed: "11:00-22:00", sat: "11:00-14:00,17:00-23:00", sun: "closed" });

  test("one day, said as today, tomorrow or by name", () => {
    expect(describeHours(hours, { day: "mon", today: "mon" })).toBe("We're open today from 11 AM to 10 PM.");
    expect(describeHours(hours, { day: "sat" })).toBe("On Saturday we're open from 11 AM to 2 PM and 5 PM to 11 PM.");
    expect(describeHours(hours, { day: "sat", today: "fri" })).toBe("Tomorrow we're open from 11 AM to 2 PM and 5 PM to 11 PM.");
    expect(describeHours(hours, { day: "sun" })).toBe("We're closed on Sundays.");
    expect(describeHours(hours, { day: "sun", today: "sun" })).toBe("We're closed today.");
    expect(describeHours(hours, { day: "thu" })).toBe("I'm sorry, I don't have our hours for Thursday.");
    expect(describeHours(hoursOf({ fri: "24h" }), { day: "fri" })).toBe("On Friday we're open 24 hours.");
  });

  test("the week, equal days grouped", () => {
    expect(describeHours(hours)).toBe("We're open Monday to Wednesday, 11 AM to 10 PM; Saturday, 11 AM to 2 PM and 5 PM to 11 PM. We're closed on Sundays.");
    expect(describeHours(bella.hours)).toBe(
      "We're open Tuesday to Thursday, 11 AM to 10 PM; Friday, 11 AM to 1 AM; Saturday, 11 AM to 2 PM and 5 PM to 11 PM; Sunday, noon to 9 PM. We're closed on Mondays.",
    );
    expect(describeHours({})).toBe("I'm sorry, I don't have our opening hours.");
  });

  test("times read the way people say them", () => {
    expect(spokenTime("12:00")).toBe("noon");
    expect(spokenTime("00:00")).toBe("midnight");
    expect(spokenTime("17:30")).toBe("5:30 PM");
    expect(spokenTime("09:05")).toBe("9:05 AM");
    expect(spokenTime(1560)).toBe("2 AM");
    expect(spokenTime("12:30")).toBe("12:30 PM");
  });
});

describe("answers to hours questions", () => {
  test("open now, closing time and opening time at fixed instants in New York", () => {
    expect(answerHoursQuestion(bella, { hoursQuestion: "open_now" }, at("2025-07-05T19:00:00Z"))).toBe("We're closed right now. We open again today at 5 PM.");
    expect(answerHoursQuestion(bella, { hoursQuestion: "open_now" }, at("2025-07-05T22:00:00Z"))).toBe("Yes, we're open right now until 11 PM.");
    expect(answerHoursQuestion(bella, { hoursQuestion: "close_time" }, at("2025-07-04T16:00:00Z"))).toBe("We're open until 1 AM tonight.");
    expect(answerHoursQuestion(bella, { hoursQuestion: "open_time" }, at("2025-07-07T15:00:00Z"))).toBe("We open tomorrow at 11 AM.");
    expect(answerHoursQuestion(bella, { hoursQuestion: "open_time", day: "sun" }, at("2025-07-07T15:00:00Z"))).toBe("On Sunday we open at noon.");
    expect(answerHoursQuestion(bella, { hoursQuestion: "close_time", day: "tomorrow" }, at("2025-07-04T16:00:00Z"))).toBe("Tomorrow we close at 11 PM.");
    expect(answerHoursQuestion(bella, { hoursQuestion: "general", day: "mon" }, at("2025-07-04T16:00:00Z"))).toBe("We're closed on Mondays.");
    expect(answerHoursQuestion(bella, { hoursQuestion: "general", day: "weekend" }, at("2025-07-07T15:00:00Z"))).toBe(
      "On Saturday we're open from 11 AM to 2 PM and 5 PM to 11 PM. On Sunday we're open from noon to 9 PM.",
    );
  });

  test("a day the caller named is answered by its name, even when it is today", () => {
    // Tuesday 2025-07-08, noon in New York.
    const tuesday = at("2025-07-08T16:00:00Z");
    expect(answerHoursQuestion(bella, { hoursQuestion: "general", day: "tue" }, tuesday)).toBe("On Tuesday we're open from 11 AM to 10 PM.");
    expect(answerHoursQuestion(bella, { hoursQuestion: "close_time", day: "tue" }, tuesday)).toBe("On Tuesday we close at 10 PM.");
    expect(answerHoursQuestion(bella, { hoursQuestion: "close_time", day: "today" }, tuesday)).toBe("We close at 10 PM today.");
    expect(answerHoursQuestion(bella, { hoursQuestion: "open_time", day: "wed" }, tuesday)).toBe("On Wednesday we open at 11 AM.");
  });

  test("a business open all day says 24 hours, naming the day asked, whatever was asked about it", () => {
    const allDay = parseBusiness(
      {
        id: "h",
        name: "H",
        phoneNumbers: ["+15550000003"],
        timezone: "Europe/Dublin",
        hours: Object.fromEntries(["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map((d) => [d, "00:00-24:00"])),
      },
      "test",
    );
    const wednesday = at("2025-07-09T12:00:00Z");
    for (const hoursQuestion of ["close_time", "open_time", "open_now", "general"] as const) {
      expect(answerHoursQuestion(allDay, { hoursQuestion, day: "sun" }, wednesday)).toBe("On Sunday we're open 24 hours.");
    }
    expect(answerHoursQuestion(allDay, { hoursQuestion: "close_time", day: "wed" }, wednesday)).toBe("On Wednesday we're open 24 hours.");
    expect(answerHoursQuestion(allDay, { hoursQuestion: "close_time" }, wednesday)).toBe("We're open 24 hours today, around the clock.");
    expect(answerHoursQuestion(allDay, { hoursQuestion: "open_now" }, wednesday)).toBe("Yes, we're open right now, around the clock.");
    expect(answerHoursQuestion(allDay, { hoursQuestion: "general", day: "tomorrow" }, wednesday)).toBe("We're open 24 hours tomorrow.");
    expect(answerHoursQuestion(allDay, { hoursQuestion: "general" }, wednesday)).toBe("We're open Monday to Sunday, 24 hours.");
  });

  test("a business without hours says so", () => {
    const noHours = parseBusiness({ id: "n", name: "N", phoneNumbers: ["+15550000001"] }, "test");
    expect(answerHoursQuestion(noHours, { hoursQuestion: "open_now" }, at("2025-07-05T19:00:00Z"))).toStartWith("I'm sorry, I don't have our opening hours.");
  });
});

test("hoursAnswerValidUntil is the start of the next minute", () => {
  expect(hoursAnswerValidUntil(at("2025-01-01T10:15:42.500Z")).toISOString()).toBe("2025-01-01T10:16:00.000Z");
  expect(hoursAnswerValidUntil(at("2025-01-01T10:15:00.000Z")).toISOString()).toBe("2025-01-01T10:16:00.000Z");
  expect(hoursAnswerValidUntil(at("2025-12-31T23:59:59.999Z")).toISOString()).toBe("2026-01-01T00:00:00.000Z");
});

describe("a business that never closes, asked about a part of it", () => {
  const hotel = parseBusiness({
    id: "night-owl",
    name: "Night Owl Hotel",
    phoneNumbers: ["+15550707070"],
    timezone: "Europe/Dublin",
    hours: { mon: "24h", tue: "24h", wed: "24h", thu: "24h", fri: "24h", sat: "24h", sun: "24h" },
    faqs: [
      { question: "Is there a bar or restaurant?", answer: "Our bar serves food until 9:30 pm.", keywords: ["bar", "food", "dinner"] },
      { question: "Do you have parking?", answer: "Guests park free in the garage.", keywords: ["parking"] },
    ],
  }, "test");
  const index = buildKnowledgeIndex(hotel.faqs, { businessName: hotel.name });
  const turn = (speech: string) =>
    takeTurn({
      business: hotel,
      session: { callSid: "CAowl", businessId: hotel.id, to: "+15550707070", startedAt: 0, turns: 0, misses: 0, silences: 0, lastReply: undefined, statusSeen: [], ended: false },
      speech,
      now: new Date("2026-12-01T20:00:00Z"),
      minConfidence: DEFAULT_CONFIDENCE_THRESHOLD,
      answer: async (_business, question) => queryKnowledge(index, question),
    });

  test("the kitchen's hours come from the FAQ that has them", async () => {
    expect(isOpenAroundTheClock(hotel.hours)).toBe(true);
    expect(detectIntent("what time does the kitchen stop doing food")).toMatchObject({ kind: "hours", place: true });
    expect((await turn("what time does the kitchen stop doing food in the evening")).say).toBe("Our bar serves food until 9:30 pm.");
  });

  test("the business's own hours, and a place no FAQ covers, are still 'open 24 hours'", async () => {
    expect((await turn("what time do you close on sunday")).say).toContain("24 hours");
    expect((await turn("what time does reception close")).say).toContain("24 hours");
  });
});
