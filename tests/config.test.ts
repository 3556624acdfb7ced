import { expect, test } from "bun:test";
import { CONFIG_VARIABLES, ConfigError, loadConfig } from "../src/config.ts";

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
  for (const name of ["PORT", "ADMIN_TOKEN", "CACHE_WARM_ON_START", "REDIS_CLUSTER_NODES", "UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN", "TWILIO_AUTH_TOKEN", "PUBLIC_BASE_URL", "BUSINESS_API_URL"]) {
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
