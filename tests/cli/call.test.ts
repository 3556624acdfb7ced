/** `bun run call` against a real server process: the transcript a newcomer reads. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startServer, type ServerProcess } from "../support/server-process.ts";

const TOKEN = "call-simulator-token-42";
let server: ServerProcess;

beforeAll(async () => {
  server = await startServer({ TWILIO_AUTH_TOKEN: TOKEN });
});
afterAll(async () => {
  await server?.stop();
});

async function runCall(args: string[], env: Record<string, string> = {}) {
  const child = Bun.spawn(["bun", "src/cli/call.ts", ...args], {
    cwd: `${import.meta.dir}/../..`,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { out, err, code };
}

test("plays a signed call, follows the TwiML and prints a transcript with server times", async () => {
  const { out, code } = await runCall(["--url", server.url, "--to", "+15550001111", "do you have parking", "how much is a large pizza", "goodbye"], {
    TWILIO_AUTH_TOKEN: TOKEN,
  });
  expect(code).toBe(0);
  expect(out).toContain("bot:    Thanks for calling Bella Pizza. How can I help?");
  expect(out).toContain("caller: do you have parking");
  expect(out).toContain("parking lot behind the building");
  expect(out).toContain("18 dollars");
  expect(out).toContain("[hangs up]");
  expect(out).toMatch(/4 turns; server time p50 [\d.]+ ms, p99 [\d.]+ ms/);
});

test("when the utterances run out the caller stays silent until the bot says goodbye", async () => {
  const { out, code } = await runCall(["--url", server.url, "--to", "+15550003333"], { TWILIO_AUTH_TOKEN: TOKEN });
  expect(code).toBe(0);
  expect(out.match(/caller: \(silence\)/g)?.length).toBe(3);
  expect(out).toContain("[hangs up]");
});

test("a wrong token is refused by the server and reported, not crashed on", async () => {
  const { err, code } = await runCall(["--url", server.url, "hello"], { TWILIO_AUTH_TOKEN: "not-the-token" });
  expect(code).toBe(1);
  expect(err).toContain("403");
});

test("no server: a clear message; a bad flag: usage and exit 2", async () => {
  const none = await runCall(["--url", "http://127.0.0.1:9", "hi"]);
  expect(none.code).toBe(1);
  expect(none.err).toContain("bun run server");
  const bad = await runCall(["--nope"]);
  expect(bad.code).toBe(2);
  expect(bad.err).toContain("Usage: bun run call");
});
