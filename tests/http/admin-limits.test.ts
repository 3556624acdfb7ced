/**
 * Admin limits against a real `bun src/server.ts` over HTTP: bodies are limited in bytes while
 * they stream in (413 without reading the rest), and one warm request runs a bounded number of
 * loaders (400 beyond it). The server's memory is read from /proc before and after a 50 MB body.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { MAX_ADMIN_BODY_BYTES, MAX_WARM_SPECS } from "../../src/http/admin.ts";
import { startServer, type ServerProcess } from "../support/server-process.ts";

const ADMIN_TOKEN = "admin-limits-token-0123456789";
const FIFTY_MB = 50 * 1024 * 1024;
const CHUNK = new Uint8Array(64 * 1024).fill(0x20);

let server: ServerProcess;

beforeAll(async () => {
  server = await startServer({ ADMIN_TOKEN });
});
afterAll(async () => {
  await server?.stop();
});

const auth = { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" };

/** Resident and peak resident memory of the server process, in bytes. */
function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (name: string) => Number(/\s(\d+) kB/.exec(status.split("\n").find((line) => line.startsWith(name)) ?? "")?.[1] ?? NaN) * 1024;
  return { rss: kb("VmRSS:"), peak: kb("VmHWM:") };
}

/** A 50 MB body with no declared length (chunked), counting the bytes the client was asked for. */
function fiftyMegabytes(): { body: ReadableStream<Uint8Array>; pulled: () => number } {
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (pulled >= FIFTY_MB) return controller.close();
        pulled += CHUNK.byteLength;
        controller.enqueue(CHUNK);
      },
    },
    { highWaterMark: 0 },
  );
  return { body, pulled: () => pulled };
}

async function warm(body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${server.url}/cache/warm`, { method: "POST", headers: auth, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe("admin body limit", () => {
  test("a streamed 50 MB body is refused with 413 once past the limit, without being read", async () => {
    // Settle the process first: the first requests allocate what any request needs.
    for (let i = 0; i < 3; i++) await fetch(`${server.url}/cache/stats`, { headers: auth });
    const before = memory(server.pid);
    const { body, pulled } = fiftyMegabytes();
    const init = { method: "POST", headers: auth, body, duplex: "half" } as RequestInit;
    const res = await fetch(`${server.url}/cache/invalidate`, init);
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: `body is larger than ${MAX_ADMIN_BODY_BYTES} bytes` });
    const after = memory(server.pid);
    const growthMb = (after.peak - before.peak) / 1024 / 1024;
    console.log(
      `50 MB admin body: ${res.status}; client produced ${(pulled() / 1024 / 1024).toFixed(1)} MB before the answer; ` +
        `server RSS ${(before.rss / 1048576).toFixed(1)} → ${(after.rss / 1048576).toFixed(1)} MB, peak RSS growth ${growthMb.toFixed(1)} MB`,
    );
    // Reading it all (request.text()) raised the peak by about 110 MB here; stopping at the limit costs socket buffers.
    expect(growthMb).toBeLessThan(16);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  test("a declared length over the limit is refused before reading", async () => {
    const res = await fetch(`${server.url}/cache/invalidate`, {
      method: "POST",
      headers: { ...auth, "content-length": String(FIFTY_MB) },
      body: new Uint8Array(MAX_ADMIN_BODY_BYTES + 1),
    });
    expect(res.status).toBe(413);
  });

  test("the limit counts bytes: a multibyte body under it in characters but over it in bytes is refused", async () => {
    const question = "é".repeat(400);
    const body = JSON.stringify({ questions: Array.from({ length: 100 }, () => question) });
    expect(body.length).toBeLessThan(MAX_ADMIN_BODY_BYTES);
    expect(new TextEncoder().encode(body).byteLength).toBeGreaterThan(MAX_ADMIN_BODY_BYTES);
    const res = await fetch(`${server.url}/cache/warm`, { method: "POST", headers: auth, body });
    expect(res.status).toBe(413);
    // Under the limit the same body shape is read and validated as before.
    const small = await fetch(`${server.url}/cache/warm`, { method: "POST", headers: auth, body: '{"businesses":' });
    expect(small.status).toBe(400);
    expect(await small.json()).toEqual({ error: "body is not valid JSON" });
  });
});

describe("warm is bounded in items", () => {
  const sample = JSON.parse(readFileSync(`${import.meta.dir}/../../src/bot/sample-businesses.json`, "utf8")) as {
    businesses: Array<{ id: string; phoneNumbers: string[]; faqs: unknown[] }>;
  };
  const bella = sample.businesses.find((b) => b.id === "bella-pizza")!;
  const own = bella.phoneNumbers.length + bella.faqs.length;
  const questions = (n: number) => Array.from({ length: n }, (_, i) => `is question number ${i} answered`);

  test(`exactly ${MAX_WARM_SPECS} entries are warmed; one more is a 400 that says how to split it`, async () => {
    const atLimit = await warm({ businesses: ["bella-pizza"], questions: questions(MAX_WARM_SPECS - own) });
    expect(atLimit.status).toBe(200);
    expect((atLimit.json.warmed as number) + (atLimit.json.skipped as number)).toBe(MAX_WARM_SPECS);

    const over = await warm({ businesses: ["bella-pizza"], questions: questions(MAX_WARM_SPECS - own + 1) });
    expect(over.status).toBe(400);
    expect(over.json.error).toBe(
      `this request would warm ${MAX_WARM_SPECS + 1} entries; at most ${MAX_WARM_SPECS} per request: name fewer businesses or send fewer questions`,
    );
  });

  test("the questions of every business count: a few questions for all of them can be over the limit", async () => {
    const perBusiness = Math.ceil(MAX_WARM_SPECS / sample.businesses.length);
    const res = await warm({ questions: questions(perBusiness) });
    expect(res.status).toBe(400);
    expect(String(res.json.error)).toContain(`at most ${MAX_WARM_SPECS} per request`);
  });
});
