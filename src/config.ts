import { z } from "zod";
import { CACHE_DEFAULTS } from "./cache/index.ts";

/**
 * Every environment variable the server reads, in one schema. `loadConfig` reports every bad
 * variable at once, so an operator fixes a deployment in one pass.
 */
const bool = z
  .enum(["true", "false", "1", "0", "yes", "no", ""])
  .transform((v) => v === "true" || v === "1" || v === "yes");
const ms = (fallback: number) => z.coerce.number().int().min(1).default(fallback);
const url = z.string().url();
const hostPort = /^[^\s:,]+:(\d{1,5})$/;
const isHostPort = (node: string): boolean => {
  const port = Number(hostPort.exec(node)?.[1] ?? 0);
  return port >= 1 && port <= 65_535;
};

/** The values `CACHE_L2` accepts. `src/l2-from-config.ts` builds one adapter per value. */
export const L2_CHOICES = ["memory", "redis", "redis-cluster", "upstash", "none"] as const;
const DEFAULT_L2: (typeof L2_CHOICES)[number] = "memory";
/** A bad node is named in the error, but never what precedes an `@` (it could be a password). */
const showNode = (node: string): string => node.replace(/^.*@/, "…@");

const schema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
    HOST: z.string().min(1).default("0.0.0.0"),
    /** The public URL Twilio calls (scheme, host and any path prefix); signatures are computed over it. */
    PUBLIC_BASE_URL: url.optional(),
    TWILIO_AUTH_TOKEN: z.string().min(1).optional(),
    /** Keys the HMAC over call state in URLs when there is no TWILIO_AUTH_TOKEN to sign webhooks (development). */
    CALL_STATE_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
    ADMIN_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
    LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),

    BUSINESSES_FILE: z.string().min(1).optional(),
    /** A business file's content as text: for runtimes that cannot read files (Cloudflare Workers). */
    BUSINESSES_JSON: z.string().min(1).optional(),
    BUSINESS_API_URL: url.optional(),
    BUSINESS_API_TIMEOUT_MS: ms(800),
    /** Below this confidence (0–1) the bot says it is not sure and offers a transfer. */
    KNOWLEDGE_MIN_CONFIDENCE: z.coerce.number().min(0).max(1).optional(),
    SESSION_TTL_MS: ms(4 * 60 * 60 * 1000),
    /** Keep callers' normalised questions this long, for analytics; 0 (the default) keeps none. */
    QUESTION_RETENTION_MS: z.coerce.number().int().min(0).max(366 * 24 * 60 * 60 * 1000, "must be at most a year").default(0),
    VOICE_MODE: z.enum(["gather", "relay"]).default("gather"),
    /** Relay mode: pause between streamed reply tokens (0 sends a reply at once). */
    RELAY_TOKEN_DELAY_MS: z.coerce.number().int().min(0).max(5_000).default(0),

    CACHE_L2: z.enum(L2_CHOICES, { error: `must be one of ${L2_CHOICES.join(", ")}` }).default(DEFAULT_L2),
    CACHE_PREFIX: z.string().regex(/^[A-Za-z0-9_.-]+$/, "letters, digits, '_', '.' or '-' only").default(CACHE_DEFAULTS.prefix),
    /** The product holds more than the library's default: one process serves every business. */
    CACHE_L1_MAX_ENTRIES: z.coerce.number().int().min(1).default(50_000),
    CACHE_L2_TIMEOUT_MS: z.coerce
      .number()
      .int()
      .min(1)
      .max(60_000, "must be at most 60000 ms")
      .default(CACHE_DEFAULTS.l2TimeoutMs),
    CACHE_BREAKER_FAILURES: z.coerce.number().int().min(1).default(CACHE_DEFAULTS.breakerFailureThreshold),
    CACHE_BREAKER_OPEN_MS: ms(CACHE_DEFAULTS.breakerOpenMs),
    CACHE_WARM_ON_START: bool.default(false),
    /** Keys the hash of caller-derived cache keys; the same on every instance so they share entries. */
    CACHE_KEY_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
    REDIS_URL: z.string().regex(/^rediss?:\/\/\S+$/, "must be a redis:// or rediss:// URL").optional(),
    /** Nodes are trimmed and empty entries dropped: `host:port, host:port` works. */
    REDIS_CLUSTER_NODES: z
      .string()
      .transform((v) => v.split(",").map((n) => n.trim()).filter((n) => n.length > 0))
      .superRefine((nodes, ctx) => {
        const bad = nodes.filter((n) => !isHostPort(n));
        if (nodes.length === 0) ctx.addIssue({ code: "custom", message: "must list at least one host:port" });
        else if (bad.length > 0) ctx.addIssue({ code: "custom", message: `must be a comma-separated list of host:port (bad: ${bad.map(showNode).join(", ")})` });
      })
      .optional(),
    UPSTASH_REDIS_REST_URL: url.regex(/^https?:\/\//, "must be an http(s) URL").optional(),
    UPSTASH_REDIS_REST_TOKEN: z.string().min(1).optional(),

    OTEL_EXPORTER_OTLP_ENDPOINT: url.optional(),
    OTEL_METRIC_EXPORT_INTERVAL: ms(15_000),
    OTEL_SERVICE_NAME: z.string().min(1).default("voxedge"),
    OTEL_RESOURCE_ATTRIBUTES: z.string().optional(),
    METRICS_PROMETHEUS: bool.default(false),

    /** Answers from a language model (off unless LLM_BASE_URL and LLM_MODEL are set): any OpenAI-compatible endpoint. */
    LLM_BASE_URL: url.regex(/^https?:\/\//, "must be an http(s) URL").optional(),
    LLM_API_KEY: z.string().min(1).optional(),
    LLM_MODEL: z.string().min(1).optional(),
    /** The embeddings model on the same base URL; reserved for the semantic layer. */
    EMBEDDINGS_MODEL: z.string().min(1).optional(),
    /** Gather: how long the webhook waits for the model before the caller hears "One moment". */
    LLM_SOFT_TIMEOUT_MS: ms(1_500),
    /** When a model request is aborted and the caller hears the honest fallback. */
    LLM_HARD_TIMEOUT_MS: z.coerce.number().int().min(1).max(14_000, "must be at most 14000 ms (Twilio waits 15 s for a webhook)").default(6_000),
    /** Model calls one business may cause per minute, across the fleet (counted in L2); 0 turns the model off for everyone. */
    LLM_MAX_CALLS_PER_MINUTE: z.coerce.number().int().min(0).default(60),
    /** Cosine similarity at or above which a cached answer to a paraphrase is reused (semantic layer). */
    SEMANTIC_CACHE_THRESHOLD: z.coerce.number().min(0).max(1).default(0.9),
  });

/** Rules across variables. They read the raw strings so they report even when other variables are bad. */
function crossChecks(env: Record<string, string>): string[] {
  const problems: string[] = [];
  const need = (name: string, why: string) => {
    if (env[name] === undefined) problems.push(`${name}: is required ${why}`);
  };
  const l2 = env.CACHE_L2 ?? DEFAULT_L2;
  if (l2 === "redis") need("REDIS_URL", "when CACHE_L2=redis");
  if (l2 === "redis-cluster") need("REDIS_CLUSTER_NODES", "when CACHE_L2=redis-cluster");
  if (l2 === "upstash") {
    need("UPSTASH_REDIS_REST_URL", "when CACHE_L2=upstash");
    need("UPSTASH_REDIS_REST_TOKEN", "when CACHE_L2=upstash");
  }
  if (env.NODE_ENV === "production") {
    need("TWILIO_AUTH_TOKEN", "in production: webhooks cannot be verified without it");
    need("PUBLIC_BASE_URL", "in production: signatures are computed over the public URL");
    need("CACHE_KEY_SECRET", "in production: cache keys made from what callers say are hashed with it, the same on every instance");
    if (env.TWILIO_AUTH_TOKEN === undefined) need("CALL_STATE_SECRET", "in production without TWILIO_AUTH_TOKEN: it authenticates the call state in webhook URLs");
  }
  const llm = ["LLM_BASE_URL", "LLM_MODEL", "LLM_API_KEY", "EMBEDDINGS_MODEL"].filter((name) => env[name] !== undefined);
  if (llm.length > 0) {
    const why = `when any of LLM_BASE_URL, LLM_MODEL, LLM_API_KEY, EMBEDDINGS_MODEL is set (set: ${llm.join(", ")})`;
    need("LLM_BASE_URL", why);
    need("LLM_MODEL", why);
    need("CACHE_KEY_SECRET", "when the model answerer is on: answer-cache keys are HMACs under it");
  }
  const soft = Number(env.LLM_SOFT_TIMEOUT_MS ?? 1_500);
  const hard = Number(env.LLM_HARD_TIMEOUT_MS ?? 6_000);
  if (Number.isFinite(soft) && Number.isFinite(hard) && soft >= hard) {
    problems.push(`LLM_SOFT_TIMEOUT_MS: must be below LLM_HARD_TIMEOUT_MS (${soft} ≥ ${hard})`);
  }
  const sources = ["BUSINESSES_FILE", "BUSINESSES_JSON", "BUSINESS_API_URL"].filter((name) => env[name] !== undefined);
  if (sources.length > 1) problems.push(`${sources.at(-1)}: set only one of BUSINESSES_FILE, BUSINESSES_JSON or BUSINESS_API_URL (got ${sources.join(", ")})`);
  return problems;
}

export type Config = z.output<typeof schema>;

/**
 * Thrown by {@link loadConfig}; its message lists every bad variable, never a secret's value.
 * `code` is always `E_CONFIG`, as for the cache library's own configuration errors.
 *
 * @example
 * ```ts
 * try { loadConfig(env); } catch (error) { if (error instanceof ConfigError) console.error(error.problems); }
 * ```
 */
export class ConfigError extends Error {
  readonly code = "E_CONFIG";
  constructor(readonly problems: string[]) {
    super(`Invalid environment:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/**
 * Reads and checks the environment. Empty strings count as unset, as most deployment tools
 * write them for blank values.
 *
 * @example
 * ```ts
 * const config = loadConfig(process.env); // throws ConfigError listing every bad variable
 * config.CACHE_L2; // "memory" by default
 * ```
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const cleaned: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value.trim() !== "") cleaned[key] = value.trim();
  }
  const parsed = schema.safeParse(cleaned);
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join(".") || "(environment)"}: ${issue.message}`);
  problems.push(...crossChecks(cleaned));
  if (problems.length > 0 || !parsed.success) throw new ConfigError([...new Set(problems)]);
  return parsed.data;
}

/** The env names the schema knows, for docs and `.env.example` checks. */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(schema.shape);
