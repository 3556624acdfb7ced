/**
 * takeTurnNow is the webhook's turn without a wait when the answer is at hand: it must reply, and
 * leave the session, exactly as takeTurn does, whether the answer comes cached or through the lookup.
 */
import { describe, expect, test } from "bun:test";
import type { Business } from "../../src/bot/business.ts";
import { knowledgeIndexOf } from "../../src/bot/business-index.ts";
import { DEFAULT_CONFIDENCE_THRESHOLD, queryKnowledge } from "../../src/bot/knowledge/index.ts";
import type { KnowledgeAnswer } from "../../src/bot/lookups.ts";
import { sampleBusinesses } from "../../src/bot/sample-businesses.ts";
import type { CallSession } from "../../src/bot/session.ts";
import { takeTurn, takeTurnNow, type TurnInput } from "../../src/bot/turn.ts";

const businesses = sampleBusinesses();

function knowledgeAnswer(business: Business, question: string): KnowledgeAnswer | null {
  const match = queryKnowledge(knowledgeIndexOf(business), question);
  if (match === null) return null;
  const found: KnowledgeAnswer = { answer: match.answer, question: match.question, score: match.score, faqIndex: match.faqIndex, ambiguous: match.ambiguous };
  if (match.runnerUp !== undefined) found.runnerUp = { faqIndex: match.runnerUp.faqIndex, question: match.runnerUp.question };
  return found;
}

const session = (business: Business, extra: Partial<CallSession> = {}): CallSession => ({
  callSid: "CAnow",
  businessId: business.id,
  to: business.phoneNumbers[0]!,
  startedAt: 0,
  turns: 2,
  misses: 1,
  silences: 1,
  lastReply: "Hello.",
  statusSeen: [],
  ended: false,
  ...extra,
});

const SAID = [
  "is there somewhere to park my car",
  "do you deliver",
  "what time do you close on sunday",
  "what time does the kitchen stop",
  "can I talk to a manager",
  "thats all thanks bye",
  "say that again",
  "my card got charged twice",
  "what is the meaning of life",
  "",
  "yes",
  "the first one",
];

describe("takeTurnNow", () => {
  const now = new Date("2026-12-01T17:30:00Z");
  for (const business of businesses) {
    for (const speech of SAID) {
      for (const extra of [{}, { transferOffered: true }, { pendingClarification: [0, 1] as [number, number] }, { pendingClarification: [2, 2] as [number, number] }]) {
        test(`${business.id}: "${speech}" ${JSON.stringify(extra)}`, async () => {
          const input = (s: CallSession, cached: boolean): TurnInput => ({
            business,
            session: s,
            speech,
            now,
            minConfidence: DEFAULT_CONFIDENCE_THRESHOLD,
            answer: async (b, question) => knowledgeAnswer(b, question),
            ...(cached ? { answerIfCached: (b: Business, question: string) => knowledgeAnswer(b, question) } : {}),
          });
          const viaLookup = session(business, extra);
          const expected = await takeTurn(input(viaLookup, false));
          const direct = session(business, extra);
          const reply = takeTurnNow(input(direct, true));
          // With the answer cached, nothing is waited for.
          expect(reply instanceof Promise).toBe(false);
          const { knowledgeMs: _a, ...got } = reply as Awaited<typeof reply>;
          const { knowledgeMs: _b, ...want } = expected;
          expect(got).toEqual(want);
          expect(direct).toEqual(viaLookup);
          // Without a cached answer takeTurnNow waits for the lookup and answers the same.
          const waited = session(business, extra);
          const later = await takeTurnNow(input(waited, false));
          const { knowledgeMs: _c, ...wanted } = later;
          expect(wanted).toEqual(want);
          expect(waited).toEqual(viaLookup);
        });
      }
    }
  }
});
