import { describe, expect, test } from "bun:test";
import { compilePhrases, matchPhrase } from "../../src/bot/knowledge/phrase-patterns.ts";

describe("idiom patterns", () => {
  const table = compilePhrases([
    ["leave|put (the|my) (hire) car", "park"],
    ["how much", "cost"],
    ["how much time", "duration"],
    ["1..17 year|years old", "child"],
  ]);
  const match = (text: string, at = 0) => matchPhrase(table, text.split(" "), at);

  test("alternatives and optional slots: every form matches, and covers exactly its words", () => {
    expect(match("leave car")).toEqual({ length: 2, meaning: "park" });
    expect(match("put my car")).toEqual({ length: 3, meaning: "park" });
    expect(match("leave the hire car overnight")).toEqual({ length: 4, meaning: "park" });
    expect(match("leave the the car")).toBeUndefined();
    expect(match("leave my bag")).toBeUndefined();
  });

  test("the longest idiom wins, and a word that starts none is no match", () => {
    expect(match("how much time does it take")).toEqual({ length: 3, meaning: "duration" });
    expect(match("how much is it")).toEqual({ length: 2, meaning: "cost" });
    expect(match("can i park", 1)).toBeUndefined();
  });

  test("a number range matches the numbers in it only", () => {
    expect(match("my 4 year old", 1)).toEqual({ length: 3, meaning: "child" });
    expect(match("my 17 years old", 1)).toEqual({ length: 3, meaning: "child" });
    expect(match("my 80 year old", 1)).toBeUndefined();
  });

  test("'*' is any one word, never the first", () => {
    const names = compilePhrases([["my name is *", ""]]);
    expect(matchPhrase(names, ["my", "name", "is", "delgado", "do", "you"], 0)).toEqual({ length: 4, meaning: "" });
    expect(matchPhrase(names, ["my", "name", "is"], 0)).toBeUndefined();
    expect(() => compilePhrases([["* car", "park"]])).toThrow("must start with a word");
    const ceiling = compilePhrases([["through (the|my) (*) ceiling", "leak"]]);
    expect(matchPhrase(ceiling, ["through", "my", "kitchen", "ceiling"], 0)).toEqual({ length: 4, meaning: "leak" });
    expect(matchPhrase(ceiling, ["through", "the", "ceiling"], 0)).toEqual({ length: 3, meaning: "leak" });
  });

  test("an idiom that could start with nothing is refused when compiled, and so is a slot split by a space", () => {
    expect(() => compilePhrases([["(the) car", "park"]])).toThrow("must start with a word");
    expect(() => compilePhrases([["bring (the food|a meal) home", "deliver"]])).toThrow("without spaces");
  });

  test("a last slot marked '+' must follow but stays the caller's word: 'stop my membership' is cancelling one", () => {
    const table = compilePhrases([["stop|end my|our +membership|contract", "cancel"]]);
    expect(matchPhrase(table, ["stop", "my", "membership", "please"], 0)).toEqual({ length: 2, meaning: "cancel" });
    expect(matchPhrase(table, ["stop", "my", "car"], 0)).toBeUndefined();
    expect(matchPhrase(table, ["stop", "my"], 0)).toBeUndefined();
    expect(() => compilePhrases([["stop +my membership", "cancel"]])).toThrow("only an idiom's last slot");
    expect(() => compilePhrases([["stop my +(membership)", "cancel"]])).toThrow("may not be optional");
  });
});
