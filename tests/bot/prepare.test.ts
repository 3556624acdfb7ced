/**
 * Start-up preparation: every business the directory lists gets its knowledge index and clock
 * before the server listens, so a caller's first question does not pay for building them.
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
