import type { SharedV4ProviderMetadata } from "@ai-sdk/provider";
import type { RecallSummary, SavedSummary } from "@recall/core";

/**
 * What `providerMetadata.recall` holds on every result (generate results, and the `finish` part of
 * streams): core's summary of the call (`status`, `cached`, `key`, on hits what it saved and the `id`
 * that reports it wrong with `cache.feedback`, on semantic hits `decidedBy`, on misses whether it was
 * stored, on bypasses the `reason`).
 */
export type RecallMetadata = RecallSummary;

/** Tokens and USD a hit did not spend. */
export type RecallSavings = SavedSummary;

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
