import type { SharedV4ProviderMetadata } from "@ai-sdk/provider";
import type { CacheOutcome, CacheStatus } from "@recall/core";

/**
 * What `providerMetadata.recall` holds on every result (generate results, and the `finish` part of
 * streams): how the call was answered and, on hits, what it saved.
 */
export interface RecallMetadata {
  [key: string]: string | number | boolean | RecallSavings | undefined;
  /** `hit`, `semantic-hit`, `coalesced` (waited for an identical call in flight), `miss` or `bypass`. */
  status: CacheStatus;
  /** True when the answer came from the cache (hit, semantic hit or coalesced). */
  cached: boolean;
  /** The cache key of the entry (absent when the call could not be keyed). */
  key?: string;
  namespace?: string;
  /** Semantic hits: cosine similarity to the matched question, and that question. */
  similarity?: number;
  matchedQuestion?: string;
  /** Hits: age of the entry in ms. */
  ageMs?: number;
  /** Hits: tokens and USD the call did not spend. */
  saved?: RecallSavings;
  /** Misses and bypasses: whether the answer was stored, and why not. */
  stored?: boolean;
  rejectedBecause?: string;
}

export interface RecallSavings {
  [key: string]: number;
  inputTokens: number;
  outputTokens: number;
  usd: number;
}

/** The metadata of an outcome, without empty fields (provider metadata must be JSON). */
export function recallMetadata(outcome: Partial<CacheOutcome> & { status: CacheStatus }): RecallMetadata {
  const meta: RecallMetadata = {
    status: outcome.status,
    cached: outcome.status === "hit" || outcome.status === "semantic-hit" || outcome.status === "coalesced",
  };
  if (outcome.key) meta.key = outcome.key;
  if (outcome.namespace) meta.namespace = outcome.namespace;
  if (outcome.similarity !== undefined) meta.similarity = outcome.similarity;
  if (outcome.matchedQuestion !== undefined) meta.matchedQuestion = outcome.matchedQuestion;
  if (outcome.ageMs !== undefined) meta.ageMs = outcome.ageMs;
  if (outcome.saved) {
    const { inputTokens, outputTokens, usd } = outcome.saved;
    meta.saved = { inputTokens, outputTokens, usd };
  }
  if (outcome.stored !== undefined) meta.stored = outcome.stored;
  if (outcome.rejectedBecause !== undefined) meta.rejectedBecause = outcome.rejectedBecause;
  return meta;
}

/** The model's provider metadata with ours added under `recall`. */
export function withRecall(
  metadata: SharedV4ProviderMetadata | undefined,
  recall: RecallMetadata,
): SharedV4ProviderMetadata {
  return { ...metadata, recall };
}

/** The model's provider metadata without ours, for storing. */
export function withoutRecallMetadata(
  metadata: SharedV4ProviderMetadata | undefined,
): SharedV4ProviderMetadata | undefined {
  if (!metadata || !("recall" in metadata)) return metadata;
  const { recall: _recall, ...rest } = metadata;
  return rest;
}
