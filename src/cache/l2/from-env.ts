import { parseHostPort } from "./ioredis-shared.ts";
import { memoryL2 } from "./memory.ts";
import { redisClusterL2 } from "./redis-cluster.ts";
import { redisL2 } from "./redis.ts";
import type { L2Adapter } from "./types.ts";
import { upstashL2 } from "./upstash.ts";

/** The values `CACHE_L2` accepts; `memory` is the default. */
export const L2_CHOICES = ["memory", "redis", "redis-cluster", "upstash", "none"] as const;
export type L2Choice = (typeof L2_CHOICES)[number];

/**
 * Builds the L2 adapter the environment asks for (`CACHE_L2`, see the table in the design notes):
 * `memory` (default), `redis` + `REDIS_URL`, `redis-cluster` + `REDIS_CLUSTER_NODES`
 * (`host:port,host:port`), `upstash` + `UPSTASH_REDIS_REST_URL` + `UPSTASH_REDIS_REST_TOKEN`, or
 * `none` (L1 only: returns `undefined`). `CACHE_L2_TIMEOUT_MS` optionally bounds each L2 call.
 *
 * Nothing connects here. Every missing or malformed variable is reported in one Error, and the
 * message never repeats a URL or token (they may hold credentials).
 *
 * @example
 * ```ts
 * const l2 = l2FromEnv({ CACHE_L2: "redis-cluster", REDIS_CLUSTER_NODES: "10.0.0.5:7000,10.0.0.6:7000" });
 * l2FromEnv({ CACHE_L2: "redis" }); // throws: "L2 configuration: REDIS_URL is required when CACHE_L2=redis"
 * ```
 */
export function l2FromEnv(env: Record<string, string | undefined>): L2Adapter | undefined {
  const problems: string[] = [];
  const choice = (env.CACHE_L2?.trim() || "memory").toLowerCase();
  const timeoutMs = parseTimeout(env.CACHE_L2_TIMEOUT_MS, problems);

  if (!isChoice(choice)) {
    problems.push(`CACHE_L2 must be one of ${L2_CHOICES.join(", ")} (got "${env.CACHE_L2}")`);
    throw configError(problems);
  }

  switch (choice) {
    case "none":
      if (problems.length > 0) throw configError(problems);
      return undefined;

    case "memory":
      if (problems.length > 0) throw configError(problems);
      return memoryL2();

    case "redis": {
      const url = env.REDIS_URL?.trim();
      if (!url) problems.push("REDIS_URL is required when CACHE_L2=redis");
      else if (!/^rediss?:\/\/[^\s]+$/.test(url)) problems.push("REDIS_URL must be a redis:// or rediss:// URL");
      if (problems.length > 0 || !url) throw configError(problems);
      return redisL2({ url, commandTimeoutMs: timeoutMs });
    }

    case "redis-cluster": {
      const nodes = (env.REDIS_CLUSTER_NODES ?? "")
        .split(",")
        .map((node) => node.trim())
        .filter((node) => node.length > 0);
      if (nodes.length === 0) problems.push("REDIS_CLUSTER_NODES is required when CACHE_L2=redis-cluster (host:port,host:port)");
      const bad = nodes.filter((node) => !isHostPort(node));
      if (bad.length > 0) problems.push(`REDIS_CLUSTER_NODES entries must be host:port (bad: ${bad.join(", ")})`);
      if (problems.length > 0) throw configError(problems);
      return redisClusterL2({ nodes, commandTimeoutMs: timeoutMs });
    }

    case "upstash": {
      const url = env.UPSTASH_REDIS_REST_URL?.trim();
      const token = env.UPSTASH_REDIS_REST_TOKEN?.trim();
      if (!url) problems.push("UPSTASH_REDIS_REST_URL is required when CACHE_L2=upstash");
      else if (!/^https?:\/\/[^\s]+$/.test(url)) problems.push("UPSTASH_REDIS_REST_URL must be an http(s) URL");
      if (!token) problems.push("UPSTASH_REDIS_REST_TOKEN is required when CACHE_L2=upstash");
      if (problems.length > 0 || !url || !token) throw configError(problems);
      return upstashL2({ url, token, timeoutMs });
    }
  }
}

function isChoice(value: string): value is L2Choice {
  return (L2_CHOICES as readonly string[]).includes(value);
}

function isHostPort(node: string): boolean {
  try {
    parseHostPort(node);
    return true;
  } catch {
    return false;
  }
}

function parseTimeout(raw: string | undefined, problems: string[]): number | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 60_000) {
    problems.push(`CACHE_L2_TIMEOUT_MS must be a whole number of milliseconds between 1 and 60000 (got "${raw}")`);
    return undefined;
  }
  return value;
}

function configError(problems: readonly string[]): Error {
  return new Error(`L2 configuration: ${problems.join("; ")}`);
}
