import { describe, expect, test } from "bun:test";
import {
  connectConversationRelay,
  dial,
  escapeAttribute,
  escapeText,
  gather,
  hangup,
  pause,
  redirect,
  response,
  say,
} from "../../src/twilio/twiml.ts";
import { readTwiml } from "../../src/cli/twiml-reader.ts";
import { VoiceResponse } from "../support/twilio-peer.ts";
import { parseXml } from "../support/xml-tree.ts";

/** Same document by meaning: attribute order, quoting and self-closing forms do not count. */
function expectSameTwiml(ours: string, theirs: string): void {
  expect(parseXml(ours)).toEqual(parseXml(theirs));
}

describe("matches the official VoiceResponse", () => {
  test("a greeting turn: Gather wrapping Say, then a Redirect", () => {
    const ours = response(
      gather(
        {
          input: "speech",
          action: "/twilio/gather?business=bella&turn=1",
          method: "POST",
          speechTimeout: "auto",
          hints: ["opening hours", "parking"],
          language: "en-US",
          actionOnEmptyResult: true,
        },
        [say("Thanks for calling Bella Pizza. How can I help?", { voice: "Polly.Joanna-Neural", language: "en-US" })],
      ),
      redirect("/twilio/voice?retry=1", { method: "POST" }),
    );
    const reference = new VoiceResponse();
    reference
      .gather({
        input: ["speech"],
        action: "/twilio/gather?business=bella&turn=1",
        method: "POST",
        speechTimeout: "auto",
        hints: "opening hours, parking",
        language: "en-US",
        actionOnEmptyResult: true,
      })
      .say({ voice: "Polly.Joanna-Neural", language: "en-US" }, "Thanks for calling Bella Pizza. How can I help?");
    reference.redirect({ method: "POST" }, "/twilio/voice?retry=1");
    expect(ours.startsWith('<?xml version="1.0" encoding="UTF-8"?><Response>')).toBe(true);
    expectSameTwiml(ours, reference.toString());
  });

  test("a listening turn that takes speech or one key (0 for a person)", () => {
    const ours = response(
      gather({ input: "dtmf speech", numDigits: 1, action: "/twilio/gather", method: "POST", speechTimeout: "auto", language: "en-GB", finishOnKey: "" }, [
        say("How can I help?", { voice: "Polly.Amy-Neural", language: "en-GB" }),
      ]),
      redirect("/twilio/gather", { method: "POST" }),
    );
    const reference = new VoiceResponse();
    reference
      .gather({ input: ["dtmf", "speech"], numDigits: 1, action: "/twilio/gather", method: "POST", speechTimeout: "auto", language: "en-GB", finishOnKey: "" })
      .say({ voice: "Polly.Amy-Neural", language: "en-GB" }, "How can I help?");
    reference.redirect({ method: "POST" }, "/twilio/gather");
    expectSameTwiml(ours, reference.toString());
  });

  test("a transfer: Say, Pause, Dial, Hangup", () => {
    const ours = response(say("Connecting you now."), pause(1), dial("+15550009999", { action: "/twilio/dial-done", timeout: 20 }), hangup());
    const reference = new VoiceResponse();
    reference.say("Connecting you now.");
    reference.pause({ length: 1 });
    reference.dial({ action: "/twilio/dial-done", timeout: 20 }, "+15550009999");
    reference.hangup();
    expectSameTwiml(ours, reference.toString());
  });

  test("ConversationRelay with parameters", () => {
    const ours = response(
      connectConversationRelay({
        url: "wss://bot.example.com/relay?b=1&c=2",
        welcomeGreeting: "Hi! Ask me anything about Bella Pizza.",
        voice: "en-US-Journey-O",
        language: "en-US",
        dtmfDetection: true,
        parameters: { business: "bella-pizza", "caller & co": 'say "hi"\n' },
        action: "/twilio/relay-done",
      }),
    );
    const reference = new VoiceResponse();
    const relay = reference.connect({ action: "/twilio/relay-done" }).conversationRelay({
      url: "wss://bot.example.com/relay?b=1&c=2",
      welcomeGreeting: "Hi! Ask me anything about Bella Pizza.",
      voice: "en-US-Journey-O",
      language: "en-US",
      dtmfDetection: true,
    });
    relay.parameter({ name: "business", value: "bella-pizza" });
    relay.parameter({ name: "caller & co", value: 'say "hi"\n' });
    expectSameTwiml(ours, reference.toString());
  });

  test("an empty response", () => {
    expectSameTwiml(response(), new VoiceResponse().toString());
  });

  test("random hostile text and attribute values", () => {
    let state = 7;
    const random = () => ((state = (Math.imul(state, 48271) + 11) % 2147483647) & 0x7fffffff) / 2147483647;
    const pieces = ["&", "<", ">", '"', "'", "&amp;", "]]>", "<!--", "\t", "\n", "\r\n", " ", "a", "Z", "é", "😀", "日本", "</Say>", "<Hangup/>", "&#x41;"];
    for (let i = 0; i < 200; i++) {
      let text = "";
      const length = Math.floor(random() * 12);
      for (let j = 0; j < length; j++) text += pieces[Math.floor(random() * pieces.length)];
      const ours = response(say(text, { voice: text || undefined }), redirect(text), dial(text, { callerId: text || undefined }));
      const reference = new VoiceResponse();
      // The library types voices as a closed list; any string is valid TwiML.
      reference.say((text ? { voice: text } : {}) as { voice?: "alice" }, text);
      reference.redirect({}, text);
      reference.dial(text ? { callerId: text } : {}, text);
      expectSameTwiml(ours, reference.toString());
    }
  });
});

describe("escaping", () => {
  test("text that looks like TwiML stays text", () => {
    const hostile = 'Tom & Jerry\'s "deal": </Say><Hangup/><Say>';
    const tree = parseXml(response(say(hostile)));
    expect(tree.children).toEqual([{ name: "Say", attributes: {}, children: [hostile] }]);
    expect(escapeText(hostile)).toBe("Tom &amp; Jerry&apos;s &quot;deal&quot;: &lt;/Say&gt;&lt;Hangup/&gt;&lt;Say&gt;");
  });

  test("attributes keep quotes, tabs and line breaks exactly", () => {
    const value = `/gather?a=1&b="2"\t'x'\nline`;
    expect(escapeAttribute(value)).toBe("/gather?a=1&amp;b=&quot;2&quot;&#9;&apos;x&apos;&#10;line");
    const tree = parseXml(response(gather({ action: value })));
    expect(tree.children).toEqual([{ name: "Gather", attributes: { action: value }, children: [] }]);
  });

  test("characters XML 1.0 forbids are dropped, valid astral characters kept", () => {
    const dirty = "a\u0000b\u0001c\u0008d\u000be\u001ff\ufffeg\uffffh\ud800i\udc00j😀k\u0085\u00a0";
    expect(escapeText(dirty)).toBe("abcdefghij😀k\u0085\u00a0");
    expect(escapeAttribute(dirty)).toBe("abcdefghij😀k\u0085\u00a0");
    const tree = parseXml(response(say(dirty, { voice: dirty })));
    expect(tree.children).toEqual([{ name: "Say", attributes: { voice: "abcdefghij😀k\u0085\u00a0" }, children: ["abcdefghij😀k\u0085\u00a0"] }]);
    // The official builder refuses such text outright; ours must still produce a document.
    expect(() => new VoiceResponse().say("a\u0001b").toString()).toThrow();
  });

  test("plain text passes through unchanged", () => {
    const plain = "We open at 11 am, Monday to Saturday.";
    expect(escapeText(plain)).toBe(plain);
    expect<string>(say(plain)).toBe(`<Say>${plain}</Say>`);
  });
});

describe("verbs", () => {
  test("attributes appear only when given", () => {
    expect<string>(say("Hi")).toBe("<Say>Hi</Say>");
    expect<string>(gather({})).toBe("<Gather/>");
    expect<string>(pause()).toBe("<Pause/>");
    expect<string>(dial("+15550009999")).toBe("<Dial>+15550009999</Dial>");
    expect<string>(connectConversationRelay({ url: "wss://x/relay" })).toBe('<Connect><ConversationRelay url="wss://x/relay"/></Connect>');
  });

  test("children keep their order inside Gather", () => {
    const tree = parseXml(response(gather({ input: ["dtmf", "speech"] }, [say("one"), pause(1), say("two")])));
    expect(tree.children).toEqual([
      {
        name: "Gather",
        attributes: { input: "dtmf speech" },
        children: [
          { name: "Say", attributes: {}, children: ["one"] },
          { name: "Pause", attributes: { length: "1" }, children: [] },
          { name: "Say", attributes: {}, children: ["two"] },
        ],
      },
    ]);
  });

  test("a pause that is not whole seconds is a programming error", () => {
    expect(() => pause(-1)).toThrow(RangeError);
    expect(() => pause(1.5)).toThrow(RangeError);
    expect(() => pause(Number.NaN)).toThrow(RangeError);
    expect<string>(pause(0)).toBe('<Pause length="0"/>');
  });
});

describe("the call simulator reads TwiML with the tests' XML reader", () => {
  test("every verb of a document the official VoiceResponse builds, references resolved", () => {
    const reference = new VoiceResponse();
    reference.say({ voice: "Polly.Joanna-Neural" }, 'Fish & chips <today> "only"');
    reference.gather({ input: ["speech"], action: "/twilio/gather?business=bella&turn=2" }).say("Anything else?");
    reference.redirect({ method: "POST" }, "/twilio/voice?retry=1&x=2");
    reference.dial({ timeout: 20 }, "+15550009999");
    reference.connect().conversationRelay({ url: "wss://bot.example.com/relay?b=1&c=2" });
    reference.play("https://example.com/hold.mp3");
    reference.hangup();
    expect(readTwiml(reference.toString())).toEqual([
      { verb: "Say", text: 'Fish & chips <today> "only"' },
      { verb: "Gather", action: "/twilio/gather?business=bella&turn=2", says: ["Anything else?"] },
      { verb: "Redirect", url: "/twilio/voice?retry=1&x=2" },
      { verb: "Dial", number: "+15550009999" },
      { verb: "Connect", url: "wss://bot.example.com/relay?b=1&c=2" },
      { verb: "Other", name: "Play" },
      { verb: "Hangup" },
    ]);
  });

  test("a document that is not well-formed XML is an error, not a guess", () => {
    expect(() => readTwiml("<Response><Say>unclosed</Response>")).toThrow("closes <Say>");
    expect(() => readTwiml("<Response><Say>a & b</Say></Response>")).toThrow("bare &");
    expect(readTwiml("<Other><Say>Hi</Say></Other>")).toEqual([]);
  });
});
