import { Hono } from "hono";
import { z } from "zod";
import type { Cache, WarmSpec } from "../cache/index.ts";
import type { Business } from "../bot/business.ts";
import { businessKey, businessTag } from "../bot/cache-keys.ts";
import type { BusinessDirectory } from "../bot/directory/index.ts";
import type { BotLookups, BotNamespace } from "../bot/lookups.ts";
import { readBodyLimited } from "../twilio/form.ts";
import { adminAuth } from "./auth.ts";

/** Admin bodies are refused (413) past this many bytes, counted as they arrive. */
export const MAX_ADMIN_BODY_BYTES = 65_536;

/**
 * The most loaders one `/cache/warm` request may run (phone numbers, FAQ questions and extra
 * questions of the chosen businesses together); beyond it the request is a 400, and the operator
 * splits it by `businesses`.
 */
export const MAX_WARM_SPECS = 1_000;

const warmBody = z
  .object({
    /** Business ids to warm; all when absent. */
    businesses: z.array(z.string().min(1)).optional(),
    /** Extra questions to warm for those businesses, besides their FAQ questions. */
    questions: z.array(z.string().min(1).max(500)).max(MAX_WARM_SPECS).optional(),
    force: z.boolean().optional(),
    concurrency: z.number().int().min(1).max(64).optional(),
  })
  .strict();

const invalidateBody = z.union([
  z.object({ namespace: z.string().min(1), key: z.string().min(1) }).strict(),
  z.object({ tags: z.array(z.string().min(1)).min(1) }).strict(),
  z.object({ namespace: z.string().min(1), all: z.literal(true) }).strict(),
  z.object({ businessId: z.string().min(1) }).strict(),
]);

/**
 * Admin routes under `/cache`, behind the admin token: stats, warming and invalidation. Bodies
 * are validated; a bad one is a 400 that names the field.
 *
 * @example
 * ```ts
 * app.route("/cache", adminRoutes({ token, cache, lookups, directory }));
 * // curl -H "Authorization: Bearer $ADMIN_TOKEN" -X POST localhost:3000/cache/invalidate -d '{"tags":["biz:bella-pizza"]}'
 * ```
 */
export function adminRoutes(deps: {
  token: string | undefined;
  cache: Cache<BotNamespace>;
  lookups: BotLookups;
  directory: BusinessDirectory;
}) {
  const app = new Hono();
  app.use("*", adminAuth(deps.token));

  app.get("/stats", (c) => c.json(deps.cache.stats()));

  app.post("/warm", async (c) => {
    const body = await readJson(c.req.raw, true);
    if (!body.ok) return c.json({ error: body.error }, body.status);
    const parsed = warmBody.safeParse(body.value);
    if (!parsed.success) return c.json({ error: describeZod(parsed.error) }, 400);
    const { businesses: ids, questions = [], force = false, concurrency } = parsed.data;

    let businesses: Business[];
    try {
      businesses = await deps.directory.all();
    } catch (error) {
      return c.json({ error: `the business directory could not be read: ${(error as Error).message}` }, 502);
    }
    if (ids) {
      const unknown = ids.filter((id) => !businesses.some((b) => b.id === id));
      if (unknown.length > 0) return c.json({ error: `businesses: unknown id(s) ${unknown.join(", ")}` }, 400);
      businesses = businesses.filter((b) => ids.includes(b.id));
    }
    const count = warmSpecCount(businesses, questions.length);
    if (count > MAX_WARM_SPECS) {
      return c.json(
        { error: `this request would warm ${count} entries; at most ${MAX_WARM_SPECS} per request: name fewer businesses or send fewer questions` },
        400,
      );
    }
    const specs: WarmSpec<BotNamespace>[] = deps.lookups.warmSpecs(businesses, questions).map((s) => ({ ...s, force }));
    const report = await deps.cache.warm(specs, { concurrency });
    return c.json({ businesses: businesses.length, ...report });
  });

  app.post("/invalidate", async (c) => {
    const body = await readJson(c.req.raw, false);
    if (!body.ok) return c.json({ error: body.error }, body.status);
    const parsed = invalidateBody.safeParse(body.value);
    if (!parsed.success) {
      return c.json({ error: "expected one of {namespace, key}, {tags: [...]}, {namespace, all: true} or {businessId}" }, 400);
    }
    const request = parsed.data;
    const known = deps.cache.namespaces as readonly string[];
    if ("namespace" in request && !known.includes(request.namespace)) {
      return c.json({ error: `namespace: unknown "${request.namespace}"; known: ${known.join(", ")}` }, 400);
    }
    if ("tags" in request) await deps.cache.invalidateTags(request.tags);
    else if ("businessId" in request) await deps.cache.invalidateTags([businessTag(request.businessId)]);
    else if ("all" in request) await deps.cache.clear(request.namespace as BotNamespace);
    else {
      const key = request.namespace === "business" ? businessKey(request.key) : request.key;
      await deps.cache.namespace(request.namespace as BotNamespace).delete(key);
    }
    return c.json({ invalidated: request });
  });

  return app;
}

/** Reads at most MAX_ADMIN_BODY_BYTES bytes of the body (413 past them, 400 for anything else wrong). */
async function readJson(request: Request, allowEmpty: boolean): Promise<{ ok: true; value: unknown } | { ok: false; status: 400 | 413; error: string }> {
  const body = await readBodyLimited(request, MAX_ADMIN_BODY_BYTES);
  if (!body.ok) return body;
  const text = body.text;
  if (text.trim() === "") return allowEmpty ? { ok: true, value: {} } : { ok: false, status: 400, error: "a JSON body is required" };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, status: 400, error: "body is not valid JSON" };
  }
}

/** How many entries warming these businesses runs, counted the way lookups.warmSpecs builds them, without building them. */
function warmSpecCount(businesses: readonly Business[], extraQuestions: number): number {
  let count = 0;
  for (const b of businesses) count += b.phoneNumbers.length + b.faqs.length + extraQuestions;
  return count;
}

function describeZod(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
}
