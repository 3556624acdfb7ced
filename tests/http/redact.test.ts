import { describe, expect, test } from "bun:test";
import { errorText, redactExternal } from "../../src/redact.ts";

describe("redactExternal", () => {
  test("URLs keep scheme and host; credentials, path and query go", () => {
    expect(redactExternal("fetch failed: https://user:pw@dir.example:8443/businesses/by-number/%2B15557654321?key=abc#x")).toBe(
      "fetch failed: https://dir.example:8443/…",
    );
    expect(redactExternal("GET http://dir.example failed")).toBe("GET http://dir.example failed");
  });

  test("numbers of four digits or more, with their separators, become [number]", () => {
    expect(redactExternal("call +1 (555) 765-4321 or +15557654321, card 4111 1111 1111 1111 or 4111-1111-1111-1111")).toBe(
      "call [number] or [number], card [number] or [number]",
    );
    // Status codes, durations and counts stay readable.
    expect(redactExternal("answered 502 within 300 ms (3 problems)")).toBe("answered 502 within 300 ms (3 problems)");
  });

  test("quoted strings become \"…\", apostrophes inside words stay", () => {
    expect(redactExternal(`got "zanzibar marmalade", 'my pin', \`cmd\` and “curly” but don't change it's`)).toBe(
      `got "…", "…", "…" and "…" but don't change it's`,
    );
  });

  test("an Upstash-style echo loses its values; long text is cut", () => {
    expect(redactExternal('ERR wrong type, command was: ["set","voxedge:knowledge:bella:my card is 4111111111111111","v"]')).toBe(
      'ERR wrong type, command was: ["…","…","…"]',
    );
    const long = redactExternal("word ".repeat(200));
    expect(long.length).toBe(301);
    expect(long.endsWith("…")).toBe(true);
  });

  test("errorText reads any thrown value", () => {
    expect(errorText(new Error("no answer from +15557654321"))).toBe("no answer from [number]");
    expect(errorText("plain 41111111")).toBe("plain [number]");
  });
});
