/** How Worker bindings become the env record `loadConfig` reads, and what a Worker refuses on top of it. */
import { expect, test } from "bun:test";
import { bindingsAsEnv, capL1Ttl, workerProblems } from "../../src/runtime/workers-config.ts";

test("text and plain bindings become env strings; KV, Durable Object and service bindings are left out", () => {
  const kv = { get: () => null };
  expect(bindingsAsEnv({ CACHE_L2: "none", SESSION_TTL_MS: 60_000, CACHE_WARM_ON_START: true, CACHE_KV: kv })).toEqual({
    CACHE_L2: "none",
    SESSION_TTL_MS: "60000",
    CACHE_WARM_ON_START: "true",
  });
});

test("a Worker refuses TCP and in-memory L2s and business files, and accepts upstash, none and unset", () => {
  for (const l2 of ["redis", "redis-cluster", "memory"]) expect(workerProblems({ CACHE_L2: l2 })[0]).toStartWith("CACHE_L2: must be upstash or none");
  for (const l2 of ["upstash", "none", undefined, ""]) expect(workerProblems({ CACHE_L2: l2 })).toEqual([]);
  expect(workerProblems({ BUSINESSES_FILE: "/srv/b.json" })).toEqual(["BUSINESSES_FILE: a Worker cannot read files; put the file's content in BUSINESSES_JSON"]);
});

test("L1 copies of shared entries are capped; L1-only namespaces and L1 TTL 0 are left as they are", () => {
  const capped = capL1Ttl(
    { business: { ttl: 3_600_000, l1Ttl: 60_000 }, whole: { ttl: 500_000 }, local: { ttl: 60_000, l2: false }, session: { ttl: 60_000, l1Ttl: 0 } },
    1_000,
  );
  expect(capped.business.l1Ttl).toBe(1_000);
  expect(capped.whole.l1Ttl).toBe(1_000);
  expect(capped.local.l1Ttl).toBeUndefined();
  expect(capped.session.l1Ttl).toBe(0);
});
