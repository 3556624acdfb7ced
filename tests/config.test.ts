import { expect, test } from "bun:test";
import { CACHE_DEFAULTS } from "../src/cache/index.ts";
import { CONFIG_VARIABLES, ConfigError, loadConfig } from "../src/config.ts";

/** The problems loadConfig reports for `env`, or none. */
function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    return (error as ConfigError).problems;
  }
}

test("no environment at all starts with the documented defaults", () => {
  const config = loadConfig({});
  expect(config).toMatchObject({ PORT: 3000, CACHE_L2: "memory", NODE_ENV: "development", VOICE_MODE: "gather", CACHE_WARM_ON_START: false });
  expect(config.TWILIO_AUTH_TOKEN).toBeUndefined();
});

test("every bad variable is reported at once, without echoing secrets", () => {
  let error: unknown;
  try {
    loadConfig({
      PORT: "eighty",
      CACHE_L2: "upstash",
      NODE_ENV: "production",
      ADMIN_TOKEN: "tiny-secret",
      CACHE_WARM_ON_START: "perhaps",
      REDIS_CLUSTER_NODES: "a,b",
      BUSINESSES_FILE: "x.json",
      BUSINESS_API_URL: "https://directory.example.com",
    });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const message = (error as ConfigError).message;
  for (const name of ["PORT", "ADMIN_TOKEN", "CACHE_WARM_ON_START", "REDIS_CLUSTER_NODES", "UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN", "TWILIO_AUTH_TOKEN", "PUBLIC_BASE_URL", "CACHE_KEY_SECRET", "BUSINESS_API_URL"]) {
    expect(message).toContain(name);
  }
  expect(message).not.toContain("tiny-secret");
});

test("empty strings count as unset", () => {
  expect(loadConfig({ PORT: "", CACHE_L2: " " }).PORT).toBe(3000);
});

test("README and .env.example document every variable the server reads", async () => {
  const readme = await Bun.file(`${import.meta.dir}/../README.md`).text();
  const example = await Bun.file(`${import.meta.dir}/../.env.example`).text();
  const missing = CONFIG_VARIABLES.filter((name) => !readme.includes(name) || !example.includes(name));
  expect(missing).toEqual([]);
});

test("a bad environment is a ConfigError with code E_CONFIG", () => {
  expect(() => loadConfig({ PORT: "eighty" })).toThrow(ConfigError);
  expect(() => loadConfig({ PORT: "eighty" })).toThrow(expect.objectContaining({ code: "E_CONFIG", problems: [expect.stringContaining("PORT")] }));
});

test("cache settings default to the cache library's own defaults, written once", () => {
  const config = loadConfig({});
  expect(config.CACHE_L2_TIMEOUT_MS).toBe(CACHE_DEFAULTS.l2TimeoutMs);
  expect(config.CACHE_BREAKER_FAILURES).toBe(CACHE_DEFAULTS.breakerFailureThreshold);
  expect(config.CACHE_BREAKER_OPEN_MS).toBe(CACHE_DEFAULTS.breakerOpenMs);
  expect(config.CACHE_PREFIX).toBe(CACHE_DEFAULTS.prefix);
});

test("the L2 timeout is capped at a minute and cluster nodes are checked one by one", () => {
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (error) {
      return (error as ConfigError).problems.join("\n");
    }
    return "";
  };
  expect(problems({ CACHE_L2_TIMEOUT_MS: "60001" })).toContain("CACHE_L2_TIMEOUT_MS");
  expect(problems({ CACHE_L2_TIMEOUT_MS: "60000" })).toBe("");
  expect(loadConfig({ CACHE_L2: "redis-cluster", REDIS_CLUSTER_NODES: " 10.0.0.1:7000 ,10.0.0.2:7001," }).REDIS_CLUSTER_NODES).toEqual(["10.0.0.1:7000", "10.0.0.2:7001"]);
  const bad = problems({ CACHE_L2: "redis-cluster", REDIS_CLUSTER_NODES: "10.0.0.1:7000,nohost,10.0.0.1:0" });
  expect(bad).toContain("nohost");
  expect(bad).toContain("10.0.0.1:0");
  expect(bad).not.toContain("10.0.0.1:7000");
  const withPassword = problems({ CACHE_L2: "redis-cluster", REDIS_CLUSTER_NODES: "redis://:hunter2@10.0.0.1:7000" });
  expect(withPassword).toContain("REDIS_CLUSTER_NODES");
  expect(withPassword).not.toContain("hunter2");
  expect(problems({ CACHE_L2: "upstash", UPSTASH_REDIS_REST_URL: "ftp://x.example.com", UPSTASH_REDIS_REST_TOKEN: "t" })).toContain("UPSTASH_REDIS_REST_URL");
});

test("the model answerer: off by default, its variables checked together with clear errors", () => {
  const off = loadConfig({});
  expect(off.LLM_BASE_URL).toBeUndefined();
  expect(off).toMatchObject({ LLM_SOFT_TIMEOUT_MS: 1_500, LLM_HARD_TIMEOUT_MS: 6_000, LLM_MAX_CALLS_PER_MINUTE: 60, SEMANTIC_CACHE_THRESHOLD: 0.9 });

  const on = loadConfig({ LLM_BASE_URL: "http://127.0.0.1:11434/v1", LLM_MODEL: "llama3.2", CACHE_KEY_SECRET: "0123456789abcdef0123456789abcdef" });
  expect(on).toMatchObject({ LLM_BASE_URL: "http://127.0.0.1:11434/v1", LLM_MODEL: "llama3.2" });

  // A key alone names the two that are missing, and the secret the answer keys need.
  const keyOnly = problems({ LLM_API_KEY: "sk-secret-value" });
  expect(keyOnly.some((p) => p.startsWith("LLM_BASE_URL: is required"))).toBe(true);
  expect(keyOnly.some((p) => p.startsWith("LLM_MODEL: is required"))).toBe(true);
  expect(keyOnly.some((p) => p.startsWith("CACHE_KEY_SECRET: is required"))).toBe(true);
  expect(keyOnly.join("\n")).not.toContain("sk-secret-value");
  expect(problems({ LLM_BASE_URL: "ftp://models.example.com", LLM_MODEL: "m", CACHE_KEY_SECRET: "0123456789abcdef0123456789abcdef" })[0]).toStartWith("LLM_BASE_URL:");
  expect(problems({ LLM_SOFT_TIMEOUT_MS: "3000", LLM_HARD_TIMEOUT_MS: "2000" })).toEqual(["LLM_SOFT_TIMEOUT_MS: must be below LLM_HARD_TIMEOUT_MS (3000 ≥ 2000)"]);
  expect(problems({ LLM_HARD_TIMEOUT_MS: "20000" })[0]).toStartWith("LLM_HARD_TIMEOUT_MS:");
  expect(problems({ SEMANTIC_CACHE_THRESHOLD: "1.5", LLM_MAX_CALLS_PER_MINUTE: "-1" })).toHaveLength(2);
});

test("the call-state secret: at least 32 characters, and required in production when no auth token signs webhooks", () => {
  const production = { NODE_ENV: "production", PUBLIC_BASE_URL: "https://bot.example.com", CACHE_KEY_SECRET: "k".repeat(32) };
  expect(problems(production).some((p) => p.startsWith("CALL_STATE_SECRET: is required"))).toBe(true);
  expect(problems({ ...production, TWILIO_AUTH_TOKEN: "token" })).toEqual([]);
  expect(problems({ CALL_STATE_SECRET: "short-secret" })).toEqual(["CALL_STATE_SECRET: must be at least 32 characters"]);
  expect(loadConfig({ CALL_STATE_SECRET: "x".repeat(32) }).CALL_STATE_SECRET).toBe("x".repeat(32));
});

test("businesses come from one source: a file, its content as text, or an HTTP directory", () => {
  const json = JSON.stringify({ businesses: [] });
  expect(loadConfig({ BUSINESSES_JSON: json }).BUSINESSES_JSON).toBe(json);
  expect(() => loadConfig({ BUSINESSES_JSON: json, BUSINESSES_FILE: "x.json" })).toThrow(/BUSINESSES_FILE, BUSINESSES_JSON/);
  expect(() => loadConfig({ BUSINESSES_JSON: json, BUSINESS_API_URL: "https://directory.example.com" })).toThrow(/set only one of/);
});
