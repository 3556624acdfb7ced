/**
 * What a server loads at start-up follows its configuration: a memory-only server without a model
 * or metrics never loads the Redis and Upstash clients, the `openai` client or the OpenTelemetry
 * SDK, and one configured for them does load them (so the check is seen to see them). Each case
 * runs `main()` in a child process (tests/support/loaded-modules.ts) and reads its module list.
 */
import { describe, expect, test } from "bun:test";

const SCRIPT = `${import.meta.dir}/../support/loaded-modules.ts`;
const BASE = { PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "error", CACHE_KEY_SECRET: "start-up-modules-secret-0123456789abcdef" };

/** The package directories under node_modules that the server's process loaded files from. */
async function loadedPackages(env: Record<string, string>, waitFor?: string): Promise<Set<string>> {
  const child = Bun.spawn(["bun", SCRIPT, JSON.stringify({ ...BASE, ...env }), ...(waitFor ? ["--wait-for", waitFor] : [])], { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  if (code !== 0) throw new Error(`the server process exited with ${code}:\n${err}`);
  const files = JSON.parse(out) as string[];
  expect(files.some((file) => file.endsWith("/src/server.ts"))).toBe(true);
  const packages = new Set<string>();
  for (const file of files) {
    // The package and, for openai, its top-level file: its error classes alone are loaded on purpose.
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(file);
    if (match) packages.add(match[1] === "openai" && !match[2]!.startsWith("core/error") && !match[2]!.startsWith("internal/errors") ? "openai (client)" : match[1]!);
  }
  return packages;
}

const HEAVY = ["ioredis", "@upstash/redis", "openai (client)", "@opentelemetry/sdk-metrics", "@opentelemetry/exporter-prometheus", "@opentelemetry/exporter-metrics-otlp-http"];

describe("start-up loads what the configuration uses", () => {
  test("a memory-only server without a model or metrics loads none of the client packages", async () => {
    const packages = await loadedPackages({ CACHE_L2: "memory" });
    expect(HEAVY.filter((name) => packages.has(name))).toEqual([]);
    expect(packages.has("hono")).toBe(true);
  });

  test("CACHE_L2=redis loads ioredis and not the Upstash client", async () => {
    // Nothing listens on port 1: the cache starts degraded, which is all this needs.
    const packages = await loadedPackages({ CACHE_L2: "redis", REDIS_URL: "redis://127.0.0.1:1" });
    expect(packages.has("ioredis")).toBe(true);
    expect(packages.has("@upstash/redis")).toBe(false);
  });

  test("CACHE_L2=upstash with a model configured loads the Upstash client and the openai client, not ioredis", async () => {
    const packages = await loadedPackages(
      { CACHE_L2: "upstash", UPSTASH_REDIS_REST_URL: "http://127.0.0.1:1", UPSTASH_REDIS_REST_TOKEN: "t0k3n", LLM_BASE_URL: "http://127.0.0.1:1/v1", LLM_MODEL: "m" },
      "node_modules/openai/client",
    );
    expect(packages.has("@upstash/redis")).toBe(true);
    expect(packages.has("openai (client)")).toBe(true);
    expect(packages.has("ioredis")).toBe(false);
  });

  test("metrics on Prometheus load the OpenTelemetry SDK", async () => {
    const packages = await loadedPackages({ CACHE_L2: "none", METRICS_PROMETHEUS: "true" });
    expect(packages.has("@opentelemetry/sdk-metrics")).toBe(true);
  });
});
