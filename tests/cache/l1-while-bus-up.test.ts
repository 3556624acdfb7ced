/**
 * `l1TtlWhileBusUp`: while the invalidation bus is up, an L1 entry outlives `l1Ttl` without
 * reading L2 (a warm webhook turn issues no L2 command), yet every announced edit made on another
 * instance still reaches it at once; whenever the bus is not up, or an L2 read may have missed a
 * message across a bus change, `l1Ttl` is the bound again.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { createCache, memoryL2, type Cache, type CacheOptions, type L2Adapter } from "../../src/cache/index.ts";
import { switchableBusView } from "../support/switchable-bus.ts";

type Names = "business";
const L1_TTL = 150;
const AFTER_L1_TTL = L1_TTL + 100;

const open: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  await Promise.allSettled(open.map((c) => c.close()));
});

function newCache(l2: L2Adapter, prefix: string, extra: Partial<CacheOptions<Names>> = {}): Cache<Names> {
  const cache = createCache<Names>({ prefix, l2, namespaces: { business: { ttl: 60_000, l1Ttl: L1_TTL, l1TtlWhileBusUp: 60_000 } }, ...extra });
  open.push(cache);
  return cache;
}

async function waitFor(what: string, check: () => boolean): Promise<void> {
  const until = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(5);
  }
}

/**
 * Instance B's view of a shared in-process store: its bus can be taken down and up, its entry
 * reads are counted, and a read can be held in flight until released.
 */
function instanceView(store: L2Adapter) {
  const view = switchableBusView(store);
  let gate: Promise<void> | undefined;
  const counts = { reads: 0 };
  const adapter: L2Adapter = {
    ...view.adapter,
    async get(key) {
      if (!key.includes(":__")) counts.reads++;
      if (gate !== undefined) await gate;
      return store.get(key);
    },
  };
  return {
    adapter,
    counts,
    setDown: view.setDown,
    /** Holds every read until the returned function is called. */
    hold(): () => void {
      let release = () => {};
      gate = new Promise((resolve) => (release = resolve));
      return () => {
        gate = undefined;
        release();
      };
    },
  };
}

async function pair() {
  const store = memoryL2();
  open.push(store);
  const prefix = `busup${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const a = newCache({ ...store, kind: store.kind, bus: store.bus, describe: () => store.describe(), close: async () => undefined }, prefix);
  const view = instanceView(store);
  const b = newCache(view.adapter, prefix, { bus: { l1TtlWhileDown: L1_TTL } });
  await waitFor("both buses up", () => a.stats().bus.state === "up" && b.stats().bus.state === "up");
  return { a, b, view, ka: a.namespace<string>("business"), kb: b.namespace<string>("business") };
}

describe("l1TtlWhileBusUp", () => {
  test("while the bus is up an entry answers from L1 past l1Ttl, and announced edits and tag invalidations still reach it at once", async () => {
    const { a, b, view, ka, kb } = await pair();
    await ka.set("n", "v1", { tags: ["biz:one"] });
    await waitFor("the set to arrive", () => b.stats().bus.received >= 1);
    expect(await kb.get("n")).toBe("v1");
    const reads = view.counts.reads;

    await Bun.sleep(AFTER_L1_TTL);
    expect(kb.peek("n")).toBe("v1");
    expect(await kb.get("n")).toBe("v1");
    expect(view.counts.reads).toBe(reads);

    await ka.set("n", "v2", { tags: ["biz:one"] });
    await waitFor("the edit to drop B's copy", () => kb.peek("n") === undefined);
    expect(await kb.get("n")).toBe("v2");
    expect(view.counts.reads).toBe(reads + 1);

    await a.invalidateTags(["biz:one"]);
    await waitFor("the tag invalidation to expire B's copy", () => kb.peek("n") === undefined);
  });

  test("when the bus drops the entry is read again and keeps only l1Ttl; once it is back up L1 keeps it again", async () => {
    const { view, ka, kb } = await pair();
    await ka.set("n", "v1");
    expect(await kb.get("n")).toBe("v1");

    view.setDown(true);
    expect(kb.peek("n")).toBeUndefined();
    expect(await kb.get("n")).toBe("v1");
    await Bun.sleep(AFTER_L1_TTL);
    expect(kb.peek("n")).toBeUndefined();

    view.setDown(false);
    expect(await kb.get("n")).toBe("v1");
    await Bun.sleep(AFTER_L1_TTL);
    expect(kb.peek("n")).toBe("v1");
  });

  test("an L2 read in flight while the bus changes state keeps only l1Ttl: it may have missed a message", async () => {
    const { view, ka, kb } = await pair();
    await ka.set("n", "v1");
    const release = view.hold();
    const reading = kb.get("n");
    view.setDown(true);
    view.setDown(false);
    release();
    expect(await reading).toBe("v1");
    expect(kb.peek("n")).toBe("v1");
    await Bun.sleep(AFTER_L1_TTL);
    expect(kb.peek("n")).toBeUndefined();
  });

  test("without a bus l1Ttl is the bound, and the option is refused where writes are not announced", async () => {
    const store = memoryL2();
    open.push(store);
    const lone = newCache(store, "busoff", { bus: { enabled: false } });
    const business = lone.namespace<string>("business");
    await business.set("n", "v1");
    expect(business.peek("n")).toBe("v1");
    await Bun.sleep(AFTER_L1_TTL);
    expect(business.peek("n")).toBeUndefined();

    expect(() => createCache<Names>({ l2: store, namespaces: { business: { ttl: 60_000, l1Ttl: 100, l1TtlWhileBusUp: 1_000, broadcast: false } } })).toThrow(/l1TtlWhileBusUp/);
  });
});
