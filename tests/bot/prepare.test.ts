/**
 * Start-up preparation: every business the directory lists gets its knowledge index and clock
 * as the server starts listening, so a caller's first question does not pay for building them,
 * in steps that let requests arriving meanwhile be answered.
 */
import { expect, test } from "bun:test";
import { knowledgeIndexOf } from "../../src/bot/business-index.ts";
import { sampleBusinesses } from "../../src/bot/sample-businesses.ts";
import { staticDirectory } from "../../src/bot/directory/index.ts";
import { prepareBusinesses } from "../../src/bot/prepare.ts";

test("every listed business is prepared, and its index is the one the turns then use", async () => {
  const businesses = sampleBusinesses();
  const directory = staticDirectory(businesses);
  expect(await prepareBusinesses(directory)).toBe(businesses.length);
  // Each business has one index, the one its turns then use.
  const indexes = businesses.map((business) => knowledgeIndexOf(business));
  expect(indexes.map((index, i) => index === knowledgeIndexOf(businesses[i]!))).toEqual(businesses.map(() => true));
  expect(new Set(indexes).size).toBe(businesses.length);
});

test("a directory that cannot list its businesses rejects, and the caller goes on without", async () => {
  const failing = { ...staticDirectory([]), all: () => Promise.reject(new Error("directory down")) };
  await expect(prepareBusinesses(failing)).rejects.toThrow("directory down");
});

test("the work is cut into steps: nothing before the first pause, then one pause before each business", async () => {
  const businesses = sampleBusinesses();
  let listed = 0;
  const clocked: string[] = [];
  // Each business's clock is its last step: reading its time zone marks the business done.
  const watched = businesses.map((business) => {
    let timezone = business.timezone;
    return Object.defineProperty(business, "timezone", {
      get: () => (clocked.push(business.id), timezone),
      set: (value: string) => (timezone = value),
    });
  });
  const directory = { ...staticDirectory(watched), all: () => ((listed += 1), Promise.resolve(watched)) };
  const pauses: Array<{ listed: number; done: number }> = [];
  const prepared = prepareBusinesses(directory, new Date(), async () => {
    pauses.push({ listed, done: new Set(clocked).size });
  });
  // Nothing ran before the caller got control back: the server answers its first requests first.
  expect(listed).toBe(0);
  expect(await prepared).toBe(businesses.length);
  expect(pauses).toEqual([{ listed: 0, done: 0 }, ...businesses.map((_, i) => ({ listed: 1, done: i }))]);
});
