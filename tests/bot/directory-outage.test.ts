/**
 * The HTTP business directory stalls or fails: callers hear a polite sentence (TwiML, status 200),
 * never an error, and a directory that recovers is used again. The directory is a real HTTP server.
 */
import { afterAll, expect, test } from "bun:test";
import { createApp } from "../../src/app.ts";
import { httpDirectory } from "../../src/bot/directory/index.ts";
import { botNamespaces } from "../../src/bot/namespaces.ts";
import { createCache, memoryL2 } from "../../src/cache/index.ts";
import { loadConfig } from "../../src/config.ts";
import { createLog } from "../../src/log.ts";
import { callFields } from "../support/twilio-peer.ts";
import { findElement, parseXml, textOf } from "../support/xml-tree.ts";

let mode: "stall" | "error" | "ok" = "stall";
const directory = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  async fetch(request) {
    if (mode === "stall") await Bun.sleep(2_000);
    if (mode === "error") return new Response("upstream broke", { status: 502 });
    const number = decodeURIComponent(new URL(request.url).pathname.split("/").pop() ?? "");
    return Response.json({ id: "corner-cafe", name: "Corner Cafe", phoneNumbers: [number] });
  },
});
afterAll(() => directory.stop(true));

const cache = createCache({ l2: memoryL2(), namespaces: botNamespaces({ sessionTtlMs: 60_000, hasL2: false }) });
const logged: string[] = [];
const app = createApp({
  config: loadConfig({}),
  cache,
  directory: httpDirectory({ url: `http://127.0.0.1:${directory.port}`, timeoutMs: 150 }),
  log: createLog("warn", (line) => logged.push(line)),
  version: "test",
});

async function call(to: string) {
  const res = await app.request("/twilio/voice", {
    method: "POST",
    body: new URLSearchParams(callFields(`CA${crypto.randomUUID().replaceAll("-", "")}`, {}, { to })).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
  return { status: res.status, doc: parseXml(await res.text()) };
}

test("a stalled or failing directory: a polite TwiML goodbye with status 200, and the failure is logged", async () => {
  mode = "stall";
  const stalled = await call("+15558880001");
  expect(stalled.status).toBe(200);
  expect(textOf(findElement(stalled.doc, "Say"))).toContain("trouble");
  expect(findElement(stalled.doc, "Hangup")).toBeDefined();

  mode = "error";
  const failing = await call("+15558880002");
  expect(failing.status).toBe(200);
  expect(findElement(failing.doc, "Hangup")).toBeDefined();
  expect(logged.some((line) => line.includes("business lookup failed"))).toBe(true);
  // Neither the caller's number nor the dialled one reaches the log.
  expect(logged.join("\n")).not.toContain("+1415");
  for (const dialled of ["5558880001", "5558880002"]) expect(logged.join("\n")).not.toContain(dialled);
  // The failure is logged by kind: the timeout and the bad status are told apart.
  expect(logged.join("\n")).toContain("did not answer");
  expect(logged.join("\n")).toContain("answered 502");

  mode = "ok";
  const recovered = await call("+15558880003");
  expect(textOf(findElement(recovered.doc, "Say"))).toBe("Thanks for calling Corner Cafe. How can I help?");
});
