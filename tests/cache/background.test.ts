/** The `background` hook: every promise the cache starts without waiting for reaches it (Workers pass `waitUntil`). */
import { expect, test } from "bun:test";
import { createCache, memoryL2 } from "../../src/cache/index.ts";

test("the L2 write of a loaded value is handed to the background hook and settles", async () => {
  const handed: Promise<unknown>[] = [];
  const l2 = memoryL2();
  const cache = createCache({ l2, namespaces: { kb: { ttl: 60_000, l1Ttl: 1 } }, bus: { subscribe: false }, background: (work) => handed.push(work) });
  try {
    expect(await cache.namespace<string>("kb").getOrSet("a", () => "answer")).toBe("answer");
    expect(handed.length).toBeGreaterThan(0);
    await Promise.all(handed);
    // The write the hook was handed has reached L2.
    expect(await l2.get("voxedge:kb:a")).not.toBeNull();
    expect(cache.stats().bus.state).toBe("off");
  } finally {
    await cache.close();
  }
});

test("bus.subscribe false: invalidations are published for other instances, and nothing is subscribed here", async () => {
  const l2 = memoryL2();
  const publisher = createCache({ l2, namespaces: { kb: { ttl: 60_000 } }, bus: { subscribe: false } });
  const listener = createCache({ l2, namespaces: { kb: { ttl: 60_000 } } });
  try {
    for (let i = 0; i < 50 && listener.stats().bus.state !== "up"; i++) await Bun.sleep(5);
    await listener.namespace<string>("kb").getOrSet("a", () => "old", { tags: ["biz:a"] });
    await publisher.invalidateTags(["biz:a"]);
    for (let i = 0; i < 50 && listener.stats().bus.received === 0; i++) await Bun.sleep(5);
    expect(publisher.stats().bus).toMatchObject({ state: "off", sent: 1, received: 0 });
    expect(listener.stats().bus.received).toBe(1);
    expect(await listener.namespace<string>("kb").getOrSet("a", () => "new")).toBe("new");
  } finally {
    await publisher.close();
    await listener.close();
  }
});
