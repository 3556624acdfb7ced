import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BusinessFileError, normalizeE164, parseBusiness, parseBusinessFile } from "../../src/bot/business.ts";
import {
  DirectoryError,
  DirectoryInvalidAnswerError,
  DirectoryTimeoutError,
  DirectoryUnavailableError,
  httpDirectory,
  loadFileDirectory,
  sampleDirectory,
  staticDirectory,
} from "../../src/bot/directory/index.ts";
import { BotError } from "../../src/bot/errors.ts";
import { sampleBusinesses } from "../../src/bot/sample-businesses.ts";

function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

const minimal = { id: "corner-cafe", name: "Corner Cafe", phoneNumbers: ["+15550004444"] };

describe("parseBusinessFile", () => {
  test("fills every default for a minimal business", () => {
    const [business] = parseBusinessFile({ businesses: [minimal] }, "businesses.json");
    expect(business).toEqual({
      id: "corner-cafe",
      name: "Corner Cafe",
      phoneNumbers: ["+15550004444"],
      timezone: "UTC",
      greeting: "Thanks for calling Corner Cafe. How can I help?",
      voice: "Polly.Joanna-Neural",
      language: "en-US",
      hours: {},
      faqs: [],
    });
    expect(business!.transferNumber).toBeUndefined();
  });

  test("keeps given values and parses hours and FAQs", () => {
    const [business] = parseBusinessFile(
      {
        businesses: [
          {
            ...minimal,
            timezone: "America/New_York",
            greeting: "Corner Cafe, hi!",
            transferNumber: "+15550009999",
            hours: { mon: "07:00-15:00", sat: "08:00-12:00,18:00-02:00", sun: "closed" },
            faqs: [{ question: "Do you have wifi?", answer: "Yes, ask for the password." }],
            somethingExtra: true,
          },
        ],
      },
      "businesses.json",
    );
    expect(business!.greeting).toBe("Corner Cafe, hi!");
    expect(business!.transferNumber).toBe("+15550009999");
    expect(business!.hours).toEqual({
      mon: [{ opens: 420, closes: 900 }],
      sat: [
        { opens: 480, closes: 720 },
        { opens: 1080, closes: 1560 },
      ],
      sun: [],
    });
    expect(business!.faqs).toEqual([{ question: "Do you have wifi?", answer: "Yes, ask for the password.", keywords: [] }]);
    expect("somethingExtra" in business!).toBe(false);
  });

  test("one error names the file, each business (by id, or by position) and every bad field", () => {
    const error = errorOf(() =>
      parseBusinessFile(
        {
          businesses: [
            { ...minimal, phoneNumbers: ["555-0001"], timezone: "Mars/Olympus", hours: { monday: "9-5", tue: "9-5" }, faqs: [{ question: "Parking?" }] },
            { name: "No Id Diner", phoneNumbers: ["+15550005555"], transferNumber: "0800 123" },
            { id: "ok", name: "Fine", phoneNumbers: ["+15550006666"] },
          ],
        },
        "/etc/voxedge/businesses.json",
      ),
    );
    expect(error).toBeInstanceOf(BusinessFileError);
    const lines = error.message.split("\n");
    expect(lines[0]).toBe("Invalid business data in /etc/voxedge/businesses.json (7 problems):");
    expect(lines.slice(1).map((line) => line.trim())).toEqual([
      'business "corner-cafe" (businesses[0]) phoneNumbers[0]: expected an E.164 phone number like +15550001111, got "555-0001"',
      'business "corner-cafe" (businesses[0]) timezone: expected an IANA time zone like America/New_York, got "Mars/Olympus"',
      'business "corner-cafe" (businesses[0]) hours.tue: expected "closed", "24h" or ranges like "11:00-14:00,17:00-23:00": "9-5" has a time that is not HH:MM (00:00 to 24:00)',
      'business "corner-cafe" (businesses[0]) hours: unknown day "monday"; days are mon, tue, wed, thu, fri, sat, sun',
      "business \"corner-cafe\" (businesses[0]) faqs[0].answer: is required (the answer the bot speaks)",
      "business #2 (businesses[1], no id) id: is required (an id like bella-pizza)",
      "business #2 (businesses[1], no id) transferNumber: expected an E.164 phone number like +15550001111, got \"0800 123\"",
    ]);
    expect((error as BusinessFileError).problems).toHaveLength(7);
    expect((error as BusinessFileError).source).toBe("/etc/voxedge/businesses.json");
  });

  test("rejects duplicate ids and a number claimed by two businesses", () => {
    const error = errorOf(() =>
      parseBusinessFile(
        {
          businesses: [
            { id: "a", name: "A", phoneNumbers: ["+15550001000", "+15550001001"] },
            { id: "b", name: "B", phoneNumbers: ["+15550001001"] },
            { id: "a", name: "A again", phoneNumbers: ["+15550001002"] },
            { id: "c", name: "C", phoneNumbers: ["+15550001003", "+15550001003"] },
          ],
        },
        "dupes.json",
      ),
    );
    expect(error.message).toContain('business "b" (businesses[1]) phoneNumbers[0]: +15550001001 is already claimed by business "a" (businesses[0])');
    expect(error.message).toContain('business "a" (businesses[2]) id: "a" is already used by businesses[0]');
    expect(error.message).toContain('business "c" (businesses[3]) phoneNumbers[1]: +15550001003 is listed twice');
  });

  test("rejects a file that is not { businesses: [...] }", () => {
    expect(errorOf(() => parseBusinessFile([minimal], "list.json")).message).toContain('expected an object like { "businesses": [ … ] }, got a list');
    expect(errorOf(() => parseBusinessFile({ business: [] }, "typo.json")).message).toContain("typo.json");
    expect(errorOf(() => parseBusinessFile(null, "null.json")).message).toContain("null.json");
  });

  test("parseBusiness validates one business and names the source", () => {
    expect(parseBusiness(minimal, "GET /x").timezone).toBe("UTC");
    const error = errorOf(() => parseBusiness({ id: "z", name: "", phoneNumbers: [] }, "GET /businesses/by-number/%2B1"));
    expect(error.message).toContain("GET /businesses/by-number/%2B1");
    expect(error.message).toContain('business "z" name: expected the business name, got ""');
    expect(error.message).toContain('business "z" phoneNumbers: expected at least one phone number');
  });
});

describe("normalizeE164", () => {
  test("strips formatting and keeps only real E.164 numbers", () => {
    expect(normalizeE164("+1 (555) 000-1111")).toBe("+15550001111");
    expect(normalizeE164(" +44 20 7946 0958 ")).toBe("+442079460958");
    expect(normalizeE164("+1.555.000.1111")).toBe("+15550001111");
    expect(normalizeE164("5550001111")).toBeNull();
    expect(normalizeE164("+0123456789")).toBeNull();
    expect(normalizeE164("+1555")).toBeNull();
    expect(normalizeE164("+1234567890123456")).toBeNull();
    expect(normalizeE164("anonymous")).toBeNull();
  });
});

describe("sample businesses", () => {
  test("three valid businesses in the fictional +1555 range with what the product promises", () => {
    const samples = sampleBusinesses();
    expect(samples.map((b) => b.id)).toEqual(["bella-pizza", "bright-smile-dental", "riverside-auto"]);
    expect(samples[0]!.phoneNumbers).toContain("+15550001111");
    for (const business of samples) {
      for (const number of [...business.phoneNumbers, business.transferNumber ?? "+15550000000"]) expect(number).toStartWith("+1555");
      expect(business.faqs.length).toBeGreaterThanOrEqual(8);
      expect(business.faqs.length).toBeLessThanOrEqual(12);
      expect(business.faqs.every((faq) => faq.keywords.length > 0)).toBe(true);
      const days = Object.values(business.hours);
      expect(days.some((ranges) => ranges.length === 0)).toBe(true); // a closed day
      expect(days.some((ranges) => ranges.length >= 2)).toBe(true); // a split day
    }
    expect(samples.filter((b) => b.transferNumber !== undefined)).toHaveLength(2);
  });

  test("each call returns fresh copies", () => {
    const first = sampleBusinesses();
    first[0]!.name = "Changed";
    expect(sampleBusinesses()[0]!.name).toBe("Bella Pizza");
  });
});

describe("static, file and sample directories", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "voxedge-businesses-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("staticDirectory finds by number in any common format", async () => {
    const directory = staticDirectory(sampleBusinesses());
    expect((await directory.byNumber("+15550002223"))?.id).toBe("bright-smile-dental");
    expect((await directory.byNumber("+1 (555) 000-3333"))?.id).toBe("riverside-auto");
    expect(await directory.byNumber("+15559999999")).toBeNull();
    expect(await directory.byNumber("anonymous")).toBeNull();
    expect((await directory.all()).map((b) => b.id)).toEqual(["bella-pizza", "bright-smile-dental", "riverside-auto"]);
  });

  test("sampleDirectory serves the samples", async () => {
    expect((await sampleDirectory().byNumber("+15550001111"))?.name).toBe("Bella Pizza");
  });

  test("loadFileDirectory reads and indexes a valid file", async () => {
    const path = join(dir, "ok.json");
    await writeFile(path, JSON.stringify({ businesses: [minimal, { id: "b", name: "B", phoneNumbers: ["+15550007777"] }] }));
    const directory = await loadFileDirectory(path);
    expect((await directory.byNumber("+15550007777"))?.id).toBe("b");
    expect((await directory.byNumber("+15550004444"))?.greeting).toBe("Thanks for calling Corner Cafe. How can I help?");
    expect(await directory.all()).toHaveLength(2);
  });

  test("loadFileDirectory fails at load, naming the file, for bad data, bad JSON or no file", async () => {
    const bad = join(dir, "bad.json");
    await writeFile(bad, JSON.stringify({ businesses: [{ ...minimal, phoneNumbers: ["12"] }] }));
    const invalid = await rejectionOf(loadFileDirectory(bad));
    expect(invalid).toBeInstanceOf(BusinessFileError);
    expect(invalid.message).toContain(`Invalid business data in ${bad}`);
    expect(invalid.message).toContain('business "corner-cafe" (businesses[0]) phoneNumbers[0]');

    const broken = join(dir, "broken.json");
    await writeFile(broken, '{ "businesses": [ ');
    expect((await rejectionOf(loadFileDirectory(broken))).message).toStartWith(`Business file ${broken} is not valid JSON`);

    const missing = join(dir, "missing.json");
    expect((await rejectionOf(loadFileDirectory(missing))).message).toStartWith(`Cannot read business file ${missing}`);
  });

  test("every business file failure is a BusinessFileError with code E_BUSINESS_FILE, never a DirectoryError", async () => {
    const bad = join(dir, "bad-code.json");
    await writeFile(bad, JSON.stringify({ businesses: [{ ...minimal, timezone: "Nowhere/Else" }] }));
    const broken = join(dir, "broken-code.json");
    await writeFile(broken, "{ nope");
    const failures = [
      await rejectionOf(loadFileDirectory(bad)),
      await rejectionOf(loadFileDirectory(broken)),
      await rejectionOf(loadFileDirectory(join(dir, "absent.json"))),
      errorOf(() => parseBusinessFile([], "inline")),
      errorOf(() => parseBusiness({ id: "x" }, "inline")),
    ];
    expect(failures.map((error) => error.constructor)).toEqual(failures.map(() => BusinessFileError));
    for (const error of failures) {
      expect(error).toBeInstanceOf(BotError);
      expect(error).not.toBeInstanceOf(DirectoryError);
      expect((error as BusinessFileError).code).toBe("E_BUSINESS_FILE");
      expect((error as BusinessFileError).problems.length).toBeGreaterThan(0);
    }
    expect((failures[1] as BusinessFileError).source).toBe(broken);
    expect((failures[1] as BusinessFileError).problems[0]).toStartWith("is not valid JSON");
  });
});

describe("httpDirectory against a real local server", () => {
  const bella = sampleBusinesses()[0]!;
  const raw = {
    id: "bella-pizza",
    name: "Bella Pizza",
    phoneNumbers: ["+15550001111"],
    timezone: "America/New_York",
    hours: { sun: "closed" },
    faqs: [{ question: "Do you have parking?", answer: "Behind the building." }],
  };
  const seen: { path: string; auth: string | null }[] = [];
  let server: ReturnType<typeof Bun.serve>;
  let base: string;

  beforeAll(() => {
    server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      async fetch(request) {
        const url = new URL(request.url);
        const path = url.pathname;
        seen.push({ path, auth: request.headers.get("authorization") });
        if (path === "/api/businesses/by-number/%2B15550001111") return Response.json(raw);
        if (path === "/api/businesses/by-number/%2B15550002000") return new Response("boom", { status: 503 });
        if (path === "/api/businesses/by-number/%2B15550003000") {
          await Bun.sleep(2_000);
          return Response.json(raw);
        }
        if (path === "/api/businesses/by-number/%2B15550004000") return Response.json({ ...raw, phoneNumbers: ["bad"] });
        if (path === "/api/businesses/by-number/%2B15550005000") return Response.json(raw); // owns another number
        if (path === "/api/businesses/by-number/%2B15550006000") return new Response("<html>", { status: 200 });
        // Owns the number, but quotes it in a field that does not validate.
        if (path === "/api/businesses/by-number/%2B15550008000") return Response.json({ ...raw, phoneNumbers: ["+15550008000"], transferNumber: "+15550008000 ext 2" });
        if (path === "/api/businesses/by-number/%2B15550007000") {
          // Headers at once, then a body that never finishes.
          return new Response(new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode('{"id":')) }), {
            headers: { "content-type": "application/json" },
          });
        }
        if (path === "/api/businesses") return Response.json({ businesses: [raw, { id: "other", name: "Other", phoneNumbers: ["+15550008888"] }] });
        return new Response("not found", { status: 404 });
      },
    });
    base = `http://127.0.0.1:${server.port}/api/`;
  });

  afterAll(() => {
    server.stop(true);
  });

  const directory = () => httpDirectory({ url: base, timeoutMs: 300, headers: { authorization: "Bearer test-token" } });

  test("200 → a validated business, requested with the number URL-encoded", async () => {
    const business = await directory().byNumber("+1 555 000 1111");
    expect(business?.id).toBe(bella.id);
    expect(business?.greeting).toBe("Thanks for calling Bella Pizza. How can I help?"); // defaults applied
    expect(business?.hours).toEqual({ sun: [] });
    expect(seen.at(-1)).toEqual({ path: "/api/businesses/by-number/%2B15550001111", auth: "Bearer test-token" });
  });

  test("404 → null; a non-number → null without a request", async () => {
    expect(await directory().byNumber("+15559990000")).toBeNull();
    const before = seen.length;
    expect(await directory().byNumber("anonymous")).toBeNull();
    expect(seen.length).toBe(before);
  });

  test("5xx → DirectoryError with the status", async () => {
    const error = await rejectionOf(directory().byNumber("+15550002000"));
    expect(error).toBeInstanceOf(DirectoryError);
    expect((error as DirectoryError).status).toBe(503);
    // The dialled number is caller data: the message names the route, not the number.
    expect(error.message).toBe(`Business directory answered 503 to GET ${base.slice(0, -1)}/businesses/by-number/{number}`);
  });

  test("a slow answer → DirectoryError after the timeout", async () => {
    const error = await rejectionOf(directory().byNumber("+15550003000"));
    expect(error).toBeInstanceOf(DirectoryError);
    expect(error.message).toContain("did not answer");
    expect(error.message).toContain("within 300 ms");
  });

  test("a body that stalls after the headers → DirectoryError after the timeout", async () => {
    const error = await rejectionOf(directory().byNumber("+15550007000"));
    expect(error).toBeInstanceOf(DirectoryError);
    expect(error.message).toContain("within 300 ms");
  });

  test("the caller's abort wins over the timeout and keeps its reason", async () => {
    const controller = new AbortController();
    const pending = rejectionOf(httpDirectory({ url: base, timeoutMs: 5_000 }).byNumber("+15550003000", controller.signal));
    controller.abort(new Error("call hung up"));
    const error = await pending;
    expect(error.message).toBe("call hung up");
    expect(error).not.toBeInstanceOf(DirectoryError);
  });

  test("invalid data, invalid JSON or a business that does not own the number → DirectoryError", async () => {
    const invalid = await rejectionOf(directory().byNumber("+15550004000"));
    expect(invalid).toBeInstanceOf(DirectoryError);
    expect(invalid.message).toContain('business "bella-pizza" phoneNumbers[0]: expected an E.164 phone number');
    const notJson = await rejectionOf(directory().byNumber("+15550006000"));
    expect(notJson.message).toContain("invalid JSON");
    const wrongOwner = await rejectionOf(directory().byNumber("+15550005000"));
    expect(wrongOwner.message).toContain('"bella-pizza", which does not own the number asked for');
    for (const error of [invalid, notJson, wrongOwner]) expect(error.message).not.toMatch(/1555000[456]000/);
  });

  test("each failure has its own class and stable code, and none names the dialled number", async () => {
    const cases = [
      { number: "+15550002000", type: DirectoryUnavailableError, code: "E_DIRECTORY_UNAVAILABLE", status: 503 },
      { number: "+15550003000", type: DirectoryTimeoutError, code: "E_DIRECTORY_TIMEOUT", status: undefined },
      { number: "+15550007000", type: DirectoryTimeoutError, code: "E_DIRECTORY_TIMEOUT", status: undefined },
      { number: "+15550004000", type: DirectoryInvalidAnswerError, code: "E_DIRECTORY_INVALID_ANSWER", status: 200 },
      { number: "+15550005000", type: DirectoryInvalidAnswerError, code: "E_DIRECTORY_INVALID_ANSWER", status: 200 },
      { number: "+15550006000", type: DirectoryInvalidAnswerError, code: "E_DIRECTORY_INVALID_ANSWER", status: 200 },
      { number: "+15550008000", type: DirectoryInvalidAnswerError, code: "E_DIRECTORY_INVALID_ANSWER", status: 200 },
    ] as const;
    const kinds = [DirectoryUnavailableError, DirectoryTimeoutError, DirectoryInvalidAnswerError];
    for (const expected of cases) {
      const error = await rejectionOf(directory().byNumber(expected.number));
      expect(error).toBeInstanceOf(expected.type);
      expect(kinds.filter((kind) => error instanceof kind)).toEqual([expected.type]);
      expect(error).toBeInstanceOf(DirectoryError);
      expect(error).toBeInstanceOf(BotError);
      expect((error as DirectoryError).code).toBe(expected.code);
      expect((error as DirectoryError).status).toBe(expected.status);
      expect(error.name).toBe(expected.type.name);
      const digits = expected.number.slice(1);
      expect(`${error.message} ${String(error.cause ?? "")}`).not.toContain(digits);
      expect(error.message).not.toContain("test-token");
    }
    const quoted = await rejectionOf(directory().byNumber("+15550008000"));
    expect(quoted.message).toContain('transferNumber: expected an E.164 phone number like +15550001111, got "{number} ext 2"');
    const timeout = await rejectionOf(directory().byNumber("+15550003000"));
    expect((timeout as DirectoryTimeoutError).timeoutMs).toBe(300);
  });

  test("all() reads the whole list", async () => {
    expect((await directory().all()).map((b) => b.id)).toEqual(["bella-pizza", "other"]);
  });

  test("an unreachable server → DirectoryError, and credentials in the URL never reach the message", async () => {
    const closed = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("") });
    const port = closed.port;
    closed.stop(true);
    const error = await rejectionOf(httpDirectory({ url: `http://user:secret@127.0.0.1:${port}`, timeoutMs: 1_000 }).byNumber("+15550001111"));
    expect(error).toBeInstanceOf(DirectoryError);
    expect(error.message).toContain("could not be reached");
    expect(error.message).not.toContain("secret");
    expect(error).toBeInstanceOf(DirectoryUnavailableError);
    expect((error as DirectoryUnavailableError).code).toBe("E_DIRECTORY_UNAVAILABLE");
    // The fetch error names the full URL (number and credentials): it is not kept as the cause.
    expect(error.cause).toBeUndefined();
    expect(error.message).not.toContain("5550001111");
  });
});
