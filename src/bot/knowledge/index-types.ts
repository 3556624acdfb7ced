/** The knowledge base's public shapes: an index, a match and the options of building and asking. */
import type { Faq } from "../business.ts";
import type { FaqWeights, Vocabulary } from "./vocabulary.ts";

/** An FAQ knowledge base prepared for queries; build once per business, query many times. */
export interface KnowledgeIndex {
  readonly faqs: readonly Faq[];
  /** @internal the business's vocabulary and repair tables */
  readonly vocabulary: Vocabulary;
  /** @internal term → distinctiveness in (0, 1], worked out when a question first needs it (see distinctiveness) */
  readonly idf: Map<string, number>;
  /** @internal caller's words the business never uses → what their WordNet relations reach (null: nothing) */
  readonly callerWords: Map<string, FaqWeights | null>;
  /** @internal terms of the business name the FAQs never use: ignored, not counted as unknown */
  readonly ignoredTerms: ReadonlySet<string>;
  /** @internal every term of the business name: all ignored when the caller says the whole name */
  readonly nameTerms: readonly string[];
}

/** The FAQ that comes second, when one does. */
export interface RunnerUp {
  readonly faqIndex: number;
  readonly question: string;
  readonly answer: string;
  readonly score: number;
}

export interface KnowledgeMatch {
  readonly answer: string;
  readonly question: string;
  /** Confidence in 0..1, comparable across businesses; compare with DEFAULT_CONFIDENCE_THRESHOLD. */
  readonly score: number;
  readonly faqIndex: number;
  readonly runnerUp?: RunnerUp;
  /**
   * True when the two best FAQs would each be answered on their own and are too close to choose
   * between: a receptionist would ask "Do you mean A or B?" (see `among` in queryKnowledge).
   */
  readonly ambiguous: boolean;
}

export interface KnowledgeIndexOptions {
  /**
   * The business name. Said whole, it is ignored ("does Bella Pizza deliver" asks "do you
   * deliver"); its words alone are ignored only when no FAQ uses them ("pizza ovens" keeps pizza).
   */
  readonly businessName?: string;
}

export interface QueryOptions {
  /** Rank only these FAQs (by index): to read the caller's answer to "Do you mean A or B?". */
  readonly among?: readonly number[];
}
