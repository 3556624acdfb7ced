/**
 * The model client runs on Deno too: a Deno process streams a grounded answer and embeds texts
 * through the official openai package, against the model stand-in (a test double of a model
 * server: no language model can run on these machines). Deno is required, as for deno-smoke.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startModelStandin, type ModelStandinProcess } from "../support/servers.ts";

const ROOT = resolve(import.meta.dir, "../..");
let standin: ModelStandinProcess;
let dir: string;

beforeAll(async () => {
  standin = await startModelStandin();
  dir = mkdtempSync(join(tmpdir(), "voxedge-deno-model-"));
});
afterAll(async () => {
  await standin.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("on Deno: a streamed grounded answer that passes the check, and embeddings", async () => {
  const deno = Bun.which("deno");
  if (deno === null) throw new Error("deno is not on PATH. Install Deno 2.x with `npm install -g deno`, then check `deno --version`.");
  const script = join(dir, "model-on-deno.ts");
  writeFileSync(
    script,
    `
import { checkAnswer, createModelClient, groundedMessages, groundingPrompt } from "${ROOT}/src/bot/model/index.ts";
import { sampleBusinesses } from "${ROOT}/src/bot/sample-businesses.ts";
const bella = sampleBusinesses()[0]!;
const now = new Date();
const model = createModelClient({ baseUrl: Deno.env.get("LLM_BASE_URL")!, apiKey: Deno.env.get("LLM_API_KEY")!, model: "standin",
  embeddingsModel: "standin-embed", softTimeoutMs: 1_500, hardTimeoutMs: 10_000 });
let deltas = 0;
let text = "";
for await (const event of model.complete(groundedMessages(bella, "How much is the delivery fee?", now))) {
  if (event.type === "delta") deltas++;
  if (event.type === "done") text = event.text;
}
const verdict = checkAnswer(text, groundingPrompt(bella, now));
const { vectors } = await model.embed(["Do you have parking?", "Is there parking?"]);
console.log(JSON.stringify({ deltas, text, ok: verdict.ok, dimensions: vectors.map((v) => v.length) }));
`,
  );
  const child = Bun.spawn([deno, "run", "--allow-net", "--allow-read", "--allow-env", "--allow-sys", "--node-modules-dir=manual", script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", LLM_BASE_URL: standin.baseUrl, LLM_API_KEY: standin.apiKey },
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), 25_000);
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  clearTimeout(timer);
  // On failure, Deno's stderr is the message.
  expect({ code, stderr: code === 0 ? "" : err }).toEqual({ code: 0, stderr: "" });
  const result = JSON.parse(out.trim().split("\n").at(-1)!) as { deltas: number; text: string; ok: boolean; dimensions: number[] };
  expect(result).toEqual({ deltas: expect.any(Number), text: "Delivery is 3 dollars, and free on orders over 30 dollars.", ok: true, dimensions: [256, 256] });
  expect(result.deltas).toBeGreaterThan(5);
  expect((await standin.requests()).log.map((entry) => entry.path)).toEqual(["/v1/chat/completions", "/v1/embeddings"]);
});
