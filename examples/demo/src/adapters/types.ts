import type { DecidedBy, RecallCache } from "@recall/core";
import type { Upstream } from "../upstream.js";

/** What one question through an adapter gives back to the demo. */
export interface Answer {
  text: string;
  status: "hit" | "semantic-hit" | "coalesced" | "miss" | "bypass";
  similarity?: number;
  matchedQuestion?: string;
  /** Semantic hits: what let the hit through (similar enough, a promoted alias, the judge, learned). */
  decidedBy?: DecidedBy;
  outputTokens?: number;
  inputTokens?: number;
}

export interface Adapter {
  name: string;
  ask(question: string): Promise<Answer>;
  close(): Promise<void>;
}

export type AdapterFactory = (cache: RecallCache, upstream: Upstream) => Promise<Adapter>;

export const SYSTEM_PROMPT =
  "You are the support assistant of Acme Cloud. Answer in two or three sentences, precisely and politely.";
