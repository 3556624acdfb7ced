/** Relay or gather per business: a business may opt into ConversationRelay on a server that gathers by default. */
import { expect, test } from "bun:test";
import { createApp } from "../../src/app.ts";
import { parseBusinessFile } from "../../src/bot/business.ts";
import { staticDirectory } from "../../src/bot/directory/index.ts";
import { botNamespaces } from "../../src/bot/namespaces.ts";
import { createCache, memoryL2 } from "../../src/cache/index.ts";
import { loadConfig } from "../../src/config.ts";
import { createLog } from "../../src/log.ts";

test("a business with voiceMode relay answers with <Connect><ConversationRelay>, others keep <Gather>", async () => {
  const businesses = parseBusinessFile(
    {
      businesses: [
        { id: "relay-biz", name: "Relay Biz", phoneNumbers: ["+15550005555"], voiceMode: "relay" },
        { id: "gather-biz", name: "Gather Biz", phoneNumbers: ["+15550006666"] },
      ],
    },
    "inline",
  );
  const cache = createCache({ l2: memoryL2(), namespaces: botNamespaces({ sessionTtlMs: 60_000, hasL2: true }) });
  const app = createApp({
    config: loadConfig({ PUBLIC_BASE_URL: "https://bot.example.com" }),
    cache,
    directory: staticDirectory(businesses),
    log: createLog("error"),
    version: "test",
  });
  const post = (to: string) =>
    app.request("/twilio/voice", {
      method: "POST",
      body: new URLSearchParams({ CallSid: `CA${to}`, To: to, From: "+14155550100" }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
  const relay = await (await post("+15550005555")).text();
  expect(relay).toContain("<Connect");
  expect(relay).toContain('url="wss://bot.example.com/twilio/relay"');
  expect(relay).toContain('value="relay-biz"');
  const gather = await (await post("+15550006666")).text();
  expect(gather).toContain("<Gather");
  expect(gather).not.toContain("<Connect");
  await cache.close();
});

test("voiceMode accepts only gather or relay", () => {
  expect(() => parseBusinessFile({ businesses: [{ id: "x", name: "X", phoneNumbers: ["+15550007777"], voiceMode: "sms" }] }, "inline.json")).toThrow(
    /voiceMode/,
  );
});
