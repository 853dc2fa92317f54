import type { CacheOutcome, CacheStatus, DecidedBy } from "../pipeline/outcome.js";

/**
 * What every adapter tells its caller about a call, under its own name (AI SDK
 * `providerMetadata.recall`, LangChain `response_metadata.recall`, the proxy's `X-Recall-*`
 * headers): JSON only, without empty fields.
 */
export interface RecallSummary {
  [member: string]: string | number | boolean | SavedSummary | undefined;
  /**
   * `hit`, `semantic-hit`, `coalesced` (waited for an identical call in flight), `stale` (an entry
   * past its TTL: stale-while-revalidate or grace), `miss` or `bypass`.
   */
  status: CacheStatus;
  /** True when the answer came from the cache (hit, semantic hit, coalesced or stale). */
  cached: boolean;
  /** The entry's key, for `cache.delete(key)` (absent when the call was not keyed). */
  key?: string;
  namespace?: string;
  /**
   * Hits: the id to report this answer wrong with (`cache.feedback(id, { wrong: true })`, or the
   * proxy's feedback endpoint). Self-contained (`rh1.…`): any instance can read it.
   */
  id?: string;
  /**
   * Semantic hits: what let it through: `threshold` (similar enough), `alias` (a wording verified
   * and promoted earlier), `verifier` (the verifier said same) or `learned` (the entry's evidence).
   */
  decidedBy?: DecidedBy;
  /** Semantic hits: cosine similarity to the matched question, and that question. */
  similarity?: number;
  matchedQuestion?: string;
  /** Hits: the entry's age in ms. */
  ageMs?: number;
  /** Hits: the tokens and USD the call did not spend. */
  saved?: SavedSummary;
  /** Misses and bypasses: whether the fresh answer was stored, and why not. */
  stored?: boolean;
  rejectedBecause?: string;
  /** Bypasses: why the call was not cached at all (e.g. it could not be keyed). */
  reason?: string;
  /** Stale answers: `revalidating` (stale-while-revalidate) or `upstream failed: …` (grace). */
  staleReason?: string;
  /**
   * Calls wanting more than one answer (`variants`): which answer of the entry this is, from 1 (on
   * hits the one drawn at random, on misses the one stored), of how many it holds.
   */
  variant?: number;
  variants?: number;
}

export interface SavedSummary {
  [member: string]: number;
  inputTokens: number;
  outputTokens: number;
  usd: number;
}

/** True for the statuses whose answer came from the cache. */
export function isCached(status: CacheStatus): boolean {
  return status === "hit" || status === "semantic-hit" || status === "coalesced" || status === "stale";
}

/** The summary of an outcome (or of a ticket, for a call that ended before its answer was stored). */
export function summarize(outcome: Partial<CacheOutcome> & { status: CacheStatus }): RecallSummary {
  const summary: RecallSummary = { status: outcome.status, cached: isCached(outcome.status) };
  if (outcome.key) summary.key = outcome.key;
  if (outcome.namespace) summary.namespace = outcome.namespace;
  if (outcome.id !== undefined) summary.id = outcome.id;
  if (outcome.decidedBy !== undefined) summary.decidedBy = outcome.decidedBy;
  if (outcome.similarity !== undefined) summary.similarity = outcome.similarity;
  if (outcome.matchedQuestion !== undefined) summary.matchedQuestion = outcome.matchedQuestion;
  if (outcome.ageMs !== undefined) summary.ageMs = outcome.ageMs;
  if (outcome.saved) {
    const { inputTokens, outputTokens, usd } = outcome.saved;
    summary.saved = { inputTokens, outputTokens, usd };
  }
  if (outcome.stored !== undefined) summary.stored = outcome.stored;
  if (outcome.rejectedBecause !== undefined) summary.rejectedBecause = outcome.rejectedBecause;
  if (outcome.reason !== undefined) summary.reason = outcome.reason;
  if (outcome.staleReason !== undefined) summary.staleReason = outcome.staleReason;
  if (outcome.variant !== undefined) summary.variant = outcome.variant;
  if (outcome.variants !== undefined) summary.variants = outcome.variants;
  return summary;
}
