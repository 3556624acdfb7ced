/**
 * Opening hours as a caller hears them: times ("5:30 PM", "noon"), a day's ranges, and the week with
 * days of the same hours grouped ("Monday to Thursday"). Pure functions of the parsed hours.
 */
import { MINUTES_PER_DAY, WEEKDAYS, WEEKDAY_NAMES, minutesOf, weekdayAfter, type TimeRange, type Weekday, type WeeklyHours } from "./hours.ts";


/**
 * A time as a caller hears it: "11 AM", "5:30 PM", "noon", "midnight".
 *
 * @example
 * ```ts
 * spokenTime("17:30") // "5:30 PM"
 * spokenTime(1560)    // "2 AM"
 * ```
 */
export function spokenTime(time: string | number): string {
  const minutes = typeof time === "number" ? time : (minutesOf(time) ?? 0);
  const wrapped = minutes % MINUTES_PER_DAY;
  if (wrapped === 0) return "midnight";
  if (wrapped === 720) return "noon";
  const h24 = Math.floor(wrapped / 60);
  const m = wrapped % 60;
  const h12 = h24 % 12 === 0 ? 12 : h24 % 12;
  const suffix = h24 < 12 ? "AM" : "PM";
  return m === 0 ? `${h12} ${suffix}` : `${h12}:${m < 10 ? "0" : ""}${m} ${suffix}`;
}

function spokenRanges(ranges: readonly TimeRange[]): string {
  const parts = ranges.map((r) => `${spokenTime(r.opens)} to ${spokenTime(r.closes)}`);
  return joinAnd(parts);
}

/** True for a day open from midnight to midnight (`00:00-24:00` or `24h`). */
export function isAllDay(ranges: readonly TimeRange[]): boolean {
  return ranges.length === 1 && ranges[0]!.opens === 0 && ranges[0]!.closes >= MINUTES_PER_DAY;
}

/**
 * Whether the business never closes: every day of the week all day. Its "closing time" questions
 * are then about a part of it ("what time does the kitchen stop"), which the FAQs answer.
 *
 * @example
 * ```ts
 * isOpenAroundTheClock(hotel.hours) // true when every day is "00:00-24:00"
 * ```
 */
export function isOpenAroundTheClock(hours: WeeklyHours): boolean {
  return WEEKDAYS.every((day) => {
    const ranges = hours[day];
    return ranges !== undefined && isAllDay(ranges);
  });
}

/** "a", "a and b", "a, b and c". */
export function joinAnd(parts: readonly string[]): string {
  if (parts.length <= 1) return parts[0] ?? "";
  return `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}`;
}

export interface DescribeHoursOptions {
  /** Describe this day only; without it, the whole week. */
  readonly day?: Weekday;
  /** The business's current local day, so that `day` can be said as "today" or "tomorrow". */
  readonly today?: Weekday;
}

/**
 * Hours as sentences for the caller. With a day: that day ("We're open today from 11 AM to
 * 10 PM." / "On Saturday we're open 11 AM to 2 PM and 5 PM to 11 PM." / "We're closed on
 * Sundays."). Without: the week, days with the same hours grouped ("Monday to Thursday").
 *
 * @example
 * ```ts
 * describeHours(hours, { day: "sun" })                // "We're closed on Sundays."
 * describeHours(hours, { day: "mon", today: "mon" })  // "We're open today from 11 AM to 10 PM."
 * describeHours({})                                   // "I'm sorry, I don't have our opening hours."
 * ```
 */
export function describeHours(hours: WeeklyHours, options: DescribeHoursOptions = {}): string {
  const { day, today } = options;
  if (day !== undefined) return describeDay(hours, day, today);
  return describeWeek(hours);
}

function describeDay(hours: WeeklyHours, day: Weekday, today: Weekday | undefined): string {
  const ranges = hours[day];
  const relative = today === undefined ? undefined : today === day ? "today" : weekdayAfter(today, 1) === day ? "tomorrow" : undefined;
  const name = WEEKDAY_NAMES[day];
  if (ranges === undefined) return `I'm sorry, I don't have our hours for ${relative ?? name}.`;
  if (ranges.length === 0) return relative ? `We're closed ${relative}.` : `We're closed on ${name}s.`;
  if (isAllDay(ranges)) return relative ? `We're open 24 hours ${relative}.` : `On ${name} we're open 24 hours.`;
  if (relative === "today") return `We're open today from ${spokenRanges(ranges)}.`;
  if (relative === "tomorrow") return `Tomorrow we're open from ${spokenRanges(ranges)}.`;
  return `On ${name} we're open from ${spokenRanges(ranges)}.`;
}

function describeWeek(hours: WeeklyHours): string {
  const openGroups: string[] = [];
  const closedDays: string[] = [];
  let i = 0;
  while (i < WEEKDAYS.length) {
    const ranges = hours[WEEKDAYS[i]!];
    let j = i + 1;
    while (j < WEEKDAYS.length && sameRanges(hours[WEEKDAYS[j]!], ranges)) j++;
    if (ranges !== undefined) {
      const days = dayGroup(i, j - 1);
      if (ranges.length === 0) {
        for (let k = i; k < j; k++) closedDays.push(`${WEEKDAY_NAMES[WEEKDAYS[k]!]}s`);
      } else {
        openGroups.push(`${days}, ${isAllDay(ranges) ? "24 hours" : spokenRanges(ranges)}`);
      }
    }
    i = j;
  }
  if (openGroups.length === 0 && closedDays.length === 0) return "I'm sorry, I don't have our opening hours.";
  const sentences: string[] = [];
  // Semicolons, not commas: the groups already contain "and", and speech engines pause on them.
  if (openGroups.length > 0) sentences.push(`We're open ${openGroups.join("; ")}.`);
  if (closedDays.length > 0) sentences.push(`We're closed on ${joinAnd(closedDays)}.`);
  return sentences.join(" ");
}

function dayGroup(first: number, last: number): string {
  const a = WEEKDAY_NAMES[WEEKDAYS[first]!];
  const b = WEEKDAY_NAMES[WEEKDAYS[last]!];
  if (first === last) return a;
  if (last === first + 1) return `${a} and ${b}`;
  return `${a} to ${b}`;
}

function sameRanges(a: readonly TimeRange[] | undefined, b: readonly TimeRange[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i]!.opens !== b[i]!.opens || a[i]!.closes !== b[i]!.closes) return false;
  }
  return true;
}
