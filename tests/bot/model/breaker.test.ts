/**
 * The model breaker on its own, with a hand-driven clock (the client tests drive it through the
 * model stand-in, a test double of a model server).
 */
import { describe, expect, test } from "bun:test";
import { createModelBreaker } from "../../../src/bot/model/index.ts";

function clocked(options: { failureThreshold?: number; openMs?: number } = {}) {
  let now = 1_000;
  const breaker = createModelBreaker({ ...options, now: () => now });
  return { breaker, advance: (ms: number) => void (now += ms) };
}

describe("model breaker", () => {
  test("opens after the threshold of failures in a row; a success in between resets the count", () => {
    const { breaker } = clocked({ failureThreshold: 3 });
    breaker.failure();
    breaker.failure();
    breaker.success();
    breaker.failure();
    breaker.failure();
    expect(breaker.state()).toBe("closed");
    expect(breaker.allow()).toBe(true);
    breaker.failure();
    expect(breaker.state()).toBe("open");
    expect(breaker.allow()).toBe(false);
  });

  test("half-open after openMs lets exactly one probe through; success closes", () => {
    const { breaker, advance } = clocked({ failureThreshold: 1, openMs: 500 });
    breaker.failure();
    advance(499);
    expect(breaker.allow()).toBe(false);
    advance(1);
    expect(breaker.state()).toBe("half_open");
    expect(breaker.allow()).toBe(true);
    expect(breaker.allow()).toBe(false);
    breaker.success();
    expect(breaker.state()).toBe("closed");
    expect(breaker.allow()).toBe(true);
  });

  test("a failed probe opens again for another openMs", () => {
    const { breaker, advance } = clocked({ failureThreshold: 2, openMs: 500 });
    breaker.failure();
    breaker.failure();
    advance(500);
    expect(breaker.allow()).toBe(true);
    breaker.failure();
    expect(breaker.state()).toBe("open");
    advance(499);
    expect(breaker.allow()).toBe(false);
    advance(1);
    expect(breaker.allow()).toBe(true);
  });

  test("a released probe (the caller aborted) lets the next caller probe", () => {
    const { breaker, advance } = clocked({ failureThreshold: 1, openMs: 100 });
    breaker.failure();
    advance(100);
    expect(breaker.allow()).toBe(true);
    expect(breaker.allow()).toBe(false);
    breaker.release();
    expect(breaker.allow()).toBe(true);
  });

  test("a Retry-After opens at once and for at least that long", () => {
    const { breaker, advance } = clocked({ failureThreshold: 5, openMs: 100 });
    breaker.failure(2_000);
    expect(breaker.state()).toBe("open");
    advance(1_999);
    expect(breaker.allow()).toBe(false);
    advance(1);
    expect(breaker.allow()).toBe(true);
  });
});
