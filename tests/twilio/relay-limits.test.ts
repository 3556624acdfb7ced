import { expect, test } from "bun:test";
import { frameBudget, warningLimiter } from "../../src/twilio/relay-limits.ts";

test("the frame budget lets a burst through, then refills at its rate, counting what it refuses", () => {
  let now = 0;
  const budget = frameBudget({ perSecond: 10, burst: 5 }, () => now);
  const taken = Array.from({ length: 8 }, () => budget.take());
  expect(taken).toEqual([true, true, true, true, true, false, false, false]);
  expect(budget.dropped).toBe(3);
  now += 250; // 2.5 frames refilled
  expect([budget.take(), budget.take(), budget.take()]).toEqual([true, true, false]);
  now += 60_000; // never more than the burst
  expect(Array.from({ length: 6 }, () => budget.take()).filter(Boolean)).toHaveLength(5);
  expect(budget.dropped).toBe(5);
});

test("the warning limiter lets one through per interval and counts the rest", () => {
  let now = 1_000;
  const warnings = warningLimiter(60_000, () => now);
  expect([warnings.allow(), warnings.allow(), warnings.allow(false)]).toEqual([true, false, false]);
  expect(warnings.suppressed).toBe(1);
  now += 59_999;
  expect(warnings.allow()).toBe(false);
  now += 1;
  expect(warnings.allow()).toBe(true);
  expect(warnings.suppressed).toBe(2);
});
