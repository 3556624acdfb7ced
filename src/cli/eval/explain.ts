/**
 * `bun run eval --explain`: under each missed question, what the knowledge base made of it — the
 * nearest FAQs with their confidence and the caller's words that no FAQ writes. An owner reads
 * the second list as keywords to add ("zumba", "playroom"): the words callers use for a topic
 * that the business's file never names.
 */
import { knowledgeIndexOf } from "../../bot/business-index.ts";
import type { BusinessDirectory } from "../../bot/directory/index.ts";
import { explainQuery } from "../../bot/knowledge/index.ts";
import type { EvalReport } from "./report.ts";

/**
 * The report with an explanation on every missed question (answers and out-of-scope ones).
 *
 * @example
 * ```ts
 * const explained = await explainMisses(report, await loadFileDirectory("mine.json"));
 * explained.misses[0]?.explanation // 'nearest "Do you have childcare?" 0.31 · words no FAQ writes: playroom'
 * ```
 */
export async function explainMisses(report: EvalReport, directory: BusinessDirectory): Promise<EvalReport> {
  const misses = [];
  for (const miss of report.misses) {
    const business = miss.kind === "answers" || miss.kind === "unknown" ? await directory.byNumber(miss.number) : null;
    if (business === null) {
      misses.push(miss);
      continue;
    }
    const { match, unwritten } = explainQuery(knowledgeIndexOf(business), miss.utterance);
    const nearest =
      match === null
        ? "no FAQ shares a word"
        : [match, ...(match.runnerUp ? [match.runnerUp] : [])].map((faq) => `"${faq.question}" ${faq.score.toFixed(2)}`).join(", ");
    misses.push({ ...miss, explanation: `nearest ${nearest} · words no FAQ writes: ${unwritten.length === 0 ? "none" : unwritten.join(", ")}` });
  }
  return { ...report, misses };
}
