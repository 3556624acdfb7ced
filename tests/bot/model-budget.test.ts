/**
 * The per-business model budget over a real redis-server: two instances share one allowance per
 * minute; an L2 that fails is a per-process count, never an error.
 */
import { afterAll, expect, test } from "bun:test";
import { createModelBudget } from "../../src/bot/model-budget.ts";
import { memoryL2, type L2Adapter } from "../../src/cache/index.ts";
import { redisL2 } from "../../src/cache/redis.ts";
import { sharedRedis } from "../support/servers.ts";

const adapters: L2Adapter[] = [];
afterAll(async () => {
  for (const adapter of adapters) await adapter.close();
});

async function redis(): Promise<L2Adapter> {
  const adapter = redisL2({ url: (await sharedRedis()).url });
  adapters.push(adapter);
  return adapter;
}

test("two instances over one redis-server share a business's calls per minute; the next minute starts afresh", async () => {
  let now = Date.UTC(2026, 11, 1, 8, 0, 5);
  const prefix = `budget${Date.now()}`;
  const one = createModelBudget({ maxPerMinute: 3, l2: await redis(), prefix, now: () => now });
  const two = createModelBudget({ maxPerMinute: 3, l2: await redis(), prefix, now: () => now });
  const taken = [await one.take("bella"), await two.take("bella"), await one.take("bella"), await two.take("bella"), await one.take("bella")];
  expect(taken).toEqual([true, true, true, false, false]);
  // Another business has its own allowance.
  expect(await two.take("maple")).toBe(true);
  now += 60_000;
  expect(await two.take("bella")).toBe(true);
});

test("concurrent takes never let more than the allowance through", async () => {
  const prefix = `budgetc${Date.now()}`;
  const [l2a, l2b] = [await redis(), await redis()];
  const budgets = [createModelBudget({ maxPerMinute: 5, l2: l2a, prefix }), createModelBudget({ maxPerMinute: 5, l2: l2b, prefix })];
  const results = await Promise.all(Array.from({ length: 40 }, (_, i) => budgets[i % 2]!.take("bella")));
  expect(results.filter(Boolean).length).toBeLessThanOrEqual(5);
});

test("a failing L2 degrades to a count in this process; 0 refuses every call", async () => {
  const broken: L2Adapter = { ...memoryL2(), increment: () => Promise.reject(new Error("L2 down")) };
  const budget = createModelBudget({ maxPerMinute: 2, l2: broken, prefix: "x" });
  expect([await budget.take("bella"), await budget.take("bella"), await budget.take("bella")]).toEqual([true, true, false]);
  expect(await createModelBudget({ maxPerMinute: 0, prefix: "x" }).take("bella")).toBe(false);
});
