/**
 * Opening hours: the day format of the business file and the "are we open right now" question in
 * the business's own time zone. The sentences that describe hours to a caller are in
 * hours-spoken.ts.
 *
 * Hours are kept as minutes after local midnight. A range that crosses midnight ("18:00-02:00")
 * keeps `closes` above 1440, so every range satisfies `opens < closes` and nothing downstream needs
 * to special-case the overnight shift.
 */

/** The week in the order a caller expects to hear it (the business file keys). */
export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** The spoken name of each day, as used in sentences ("On Saturday …"). */
export const WEEKDAY_NAMES: Readonly<Record<Weekday, string>> = {
  mon: "Monday",
  tue: "Tuesday",
  wed: "Wednesday",
  thu: "Thursday",
  fri: "Friday",
  sat: "Saturday",
  sun: "Sunday",
};

/** One opening of a day, in minutes after that day's local midnight; `closes` may pass 1440. */
export interface TimeRange {
  readonly opens: number;
  readonly closes: number;
}

/**
 * The parsed `hours` of a business. A missing day is unknown (the business did not say); an empty
 * list is closed all day.
 */
export type WeeklyHours = Partial<Record<Weekday, readonly TimeRange[]>>;

/** Minutes in a day: the most a range may start at, and where `closes` starts meaning "tomorrow". */
export const MINUTES_PER_DAY = 1440;

/** The ranges of a day, or what is wrong with its text (worded to follow "expected …: "). */
export type DayHoursParse = { ok: true; ranges: TimeRange[] } | { ok: false; problem: string };

const TIME = /^([01]?\d|2[0-4]):([0-5]\d)$/;

/**
 * Parses one day of the business file: `"closed"`, `"24h"`, or comma-separated `"HH:MM-HH:MM"`
 * ranges. An end before its start crosses midnight; `24:00` is allowed as an end only.
 *
 * @example
 * ```ts
 * parseDayHours("11:00-14:00, 17:00-23:00") // { ok: true, ranges: [{ opens: 660, closes: 840 }, { opens: 1020, closes: 1380 }] }
 * parseDayHours("18:00-02:00")              // { ok: true, ranges: [{ opens: 1080, closes: 1560 }] }
 * parseDayHours("9-5").ok                   // false
 * ```
 */
export function parseDayHours(text: string): DayHoursParse {
  const value = text.trim().toLowerCase();
  if (value === "closed") return { ok: true, ranges: [] };
  if (value === "24h") return { ok: true, ranges: [{ opens: 0, closes: MINUTES_PER_DAY }] };
  if (value === "") return { ok: false, problem: "is empty" };

  const ranges: TimeRange[] = [];
  for (const part of value.split(",")) {
    const [from, to, extra] = part.split("-").map((s) => s.trim());
    if (from === undefined || to === undefined || extra !== undefined) {
      return { ok: false, problem: `"${part.trim()}" is not a range like 11:00-22:00` };
    }
    const opens = minutesOf(from);
    const closesSameDay = minutesOf(to);
    if (opens === null || closesSameDay === null) {
      return { ok: false, problem: `"${part.trim()}" has a time that is not HH:MM (00:00 to 24:00)` };
    }
    if (opens === MINUTES_PER_DAY) return { ok: false, problem: `"${part.trim()}" starts at 24:00; use 00:00` };
    if (opens === closesSameDay) {
      return { ok: false, problem: `"${part.trim()}" opens and closes at the same time; use "24h" for all day` };
    }
    const closes = closesSameDay < opens ? closesSameDay + MINUTES_PER_DAY : closesSameDay;
    ranges.push({ opens, closes });
  }
  ranges.sort((a, b) => a.opens - b.opens);
  for (let i = 1; i < ranges.length; i++) {
    const previous = ranges[i - 1]!;
    const current = ranges[i]!;
    if (current.opens < previous.closes) {
      return { ok: false, problem: `ranges ${clock(previous.opens)}-${clock(previous.closes)} and ${clock(current.opens)}-${clock(current.closes)} overlap` };
    }
  }
  return { ok: true, ranges };
}

/** Minutes after midnight of an `"HH:MM"` time, or null when it is not one. */
export function minutesOf(time: string): number | null {
  const match = TIME.exec(time);
  if (!match) return null;
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  return minutes > MINUTES_PER_DAY ? null : minutes;
}

/** `"HH:MM"` for minutes after midnight, wrapping past 24 h ("02:00" for 1560). */
export function clock(minutes: number): string {
  const wrapped = ((minutes % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY;
  const h = Math.floor(wrapped / 60);
  const m = wrapped % 60;
  return `${h < 10 ? "0" : ""}${h}:${m < 10 ? "0" : ""}${m}`;
}

// ---------------------------------------------------------------------------------------------
// Local time in the business's zone
// ---------------------------------------------------------------------------------------------

/** A wall-clock moment in some time zone: the weekday and the minute of that day. */
export interface LocalMoment {
  readonly day: Weekday;
  readonly minute: number;
}

// Building an Intl.DateTimeFormat costs tens of microseconds; formatting with one costs about one.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timezone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timezone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone: timezone,
      weekday: "short",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(timezone, formatter);
  }
  return formatter;
}

const SHORT_DAY: Readonly<Record<string, Weekday>> = {
  Mon: "mon",
  Tue: "tue",
  Wed: "wed",
  Thu: "thu",
  Fri: "fri",
  Sat: "sat",
  Sun: "sun",
};

/**
 * The weekday and minute of `now` on the clocks of `timezone` (DST-correct: it asks Intl, which
 * knows the zone's rules). Throws a RangeError for an unknown zone.
 *
 * @example
 * ```ts
 * localMoment("America/New_York", new Date("2025-07-04T16:30:00Z")) // { day: "fri", minute: 750 } (12:30)
 * ```
 */
export function localMoment(timezone: string, now: Date): LocalMoment {
  // Zones are whole minutes off UTC today, so one answer per zone and UTC minute serves every turn in it.
  const utcMinute = Math.floor(now.getTime() / 60_000);
  const last = lastMoments.get(timezone);
  if (last !== undefined && last.utcMinute === utcMinute) return last.moment;
  const moment = askIntl(timezone, now);
  lastMoments.set(timezone, { utcMinute, moment });
  return moment;
}

const lastMoments = new Map<string, { utcMinute: number; moment: LocalMoment }>();

function askIntl(timezone: string, now: Date): LocalMoment {
  let day: Weekday = "mon";
  let hour = 0;
  let minute = 0;
  for (const part of formatterFor(timezone).formatToParts(now)) {
    if (part.type === "weekday") day = SHORT_DAY[part.value] ?? day;
    else if (part.type === "hour") hour = Number(part.value);
    else if (part.type === "minute") minute = Number(part.value);
  }
  return { day, minute: hour * 60 + minute };
}

/** True when `timezone` is an IANA zone this runtime knows ("UTC", "America/New_York"). */
export function isKnownTimezone(timezone: string): boolean {
  try {
    formatterFor(timezone);
    return true;
  } catch {
    return false;
  }
}

/** The weekday `offset` days after `day` (`offset` may be negative). */
export function weekdayAfter(day: Weekday, offset: number): Weekday {
  const index = WEEKDAYS.indexOf(day);
  return WEEKDAYS[(((index + offset) % 7) + 7) % 7]!;
}

// ---------------------------------------------------------------------------------------------
// Open or closed
// ---------------------------------------------------------------------------------------------

/**
 * Whether the business is open at an instant. `known` is false when the hours that decide it were
 * never published (then `open` is false and should not be read as "closed").
 */
export interface OpeningStatus {
  readonly known: boolean;
  readonly open: boolean;
  /** While open: when the current opening ends, local "HH:MM". Absent when open around the clock. */
  readonly closesAt?: string;
  /** Where closesAt is not today (an overnight shift): the day it falls on. */
  readonly closesOn?: Weekday;
  /** While closed: the next opening, if the hours up to it are known. */
  readonly opensNext?: { readonly day: Weekday; readonly time: string };
}

/** Days ahead the status looks for a closing or the next opening: a full week and the day after. */
const HORIZON_DAYS = 8;

/**
 * Opening status of `hours` at `now`, read on the clocks of `timezone`. Overnight ranges count on
 * the day after they start; back-to-back ranges (Mon "18:00-24:00", Tue "00:00-02:00") are one
 * opening.
 *
 * @example
 * ```ts
 * const hours = { sat: [{ opens: 660, closes: 840 }, { opens: 1020, closes: 1380 }] }; // 11-14, 17-23
 * openingStatus(hours, "America/New_York", new Date("2025-07-05T19:00:00Z"))
 * // Saturday 15:00 in New York → { known: true, open: false, opensNext: { day: "sat", time: "17:00" } }
 * ```
 */
export function openingStatus(hours: WeeklyHours, timezone: string, now: Date): OpeningStatus {
  const { day: today, minute } = localMoment(timezone, now);

  // Yesterday's overnight shift may still be running.
  const yesterday = hours[weekdayAfter(today, -1)];
  if (yesterday) {
    for (const range of yesterday) {
      if (minute < range.closes - MINUTES_PER_DAY) {
        return openUntil(hours, today, range.closes - MINUTES_PER_DAY);
      }
    }
  }

  const todays = hours[today];
  if (todays === undefined) return { known: false, open: false };
  for (const range of todays) {
    if (range.opens <= minute && minute < range.closes) return openUntil(hours, today, range.closes);
  }

  for (let offset = 0; offset < HORIZON_DAYS; offset++) {
    const day = weekdayAfter(today, offset);
    const ranges = hours[day];
    if (ranges === undefined) break; // an unknown day: saying "we open Monday" could skip a real opening
    for (const range of ranges) {
      if (offset > 0 || range.opens > minute) {
        return { known: true, open: false, opensNext: { day, time: clock(range.opens) } };
      }
    }
  }
  return { known: true, open: false };
}

/** Follows back-to-back ranges from `end` (minutes after today's midnight) to the real closing. */
function openUntil(hours: WeeklyHours, today: Weekday, end: number): OpeningStatus {
  let closing = end;
  for (let guard = 0; guard < HORIZON_DAYS * 4; guard++) {
    const dayOffset = Math.floor(closing / MINUTES_PER_DAY);
    if (dayOffset >= HORIZON_DAYS) return { known: true, open: true }; // around the clock
    const next = continuation(hours, today, closing);
    if (next === null) break;
    closing = next;
  }
  const dayOffset = Math.floor(closing / MINUTES_PER_DAY);
  const minuteOfDay = closing % MINUTES_PER_DAY;
  // Closing at exactly midnight belongs to the evening before, as callers say it ("until midnight").
  const spokenOffset = minuteOfDay === 0 ? dayOffset - 1 : dayOffset;
  const status: OpeningStatus = { known: true, open: true, closesAt: clock(closing) };
  return spokenOffset === 0 ? status : { ...status, closesOn: weekdayAfter(today, spokenOffset) };
}

/** The end of a range that starts exactly at `at` (minutes after today's midnight), if any. */
function continuation(hours: WeeklyHours, today: Weekday, at: number): number | null {
  // Only a range of the day `at` falls on can start there: every range opens before its own midnight.
  const offset = Math.floor(at / MINUTES_PER_DAY);
  const ranges = hours[weekdayAfter(today, offset)];
  if (!ranges) return null;
  for (const range of ranges) {
    if (range.opens + offset * MINUTES_PER_DAY === at) return range.closes + offset * MINUTES_PER_DAY;
  }
  return null;
}

/**
 * Until when an answer about hours stays true: the start of the next minute, since the status is
 * computed to the minute. Whoever caches an hours answer must not keep it longer.
 *
 * @example
 * ```ts
 * hoursAnswerValidUntil(new Date("2025-01-01T10:15:42.500Z")) // 2025-01-01T10:16:00.000Z
 * ```
 */
export function hoursAnswerValidUntil(now: Date): Date {
  // Every zone in use today is offset from UTC by whole minutes, so a UTC minute is a local minute.
  return new Date((Math.floor(now.getTime() / 60_000) + 1) * 60_000);
}
