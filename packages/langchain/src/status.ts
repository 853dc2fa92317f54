import type { BaseMessage, UsageMetadata } from "@langchain/core/messages";
import type { Generation } from "@langchain/core/outputs";
import type { CacheOutcome, CacheStatus, Savings } from "@recall/core";

/** What Recall did for a call; on every answer as `response_metadata.recall`. */
export interface RecallMetadata {
  status: CacheStatus;
  /** The entry's key (for `cache.delete(key)`); absent when the call was not cached at all. */
  key?: string;
  namespace?: string;
  /** On hits: the tokens (and their price) the call did not spend. */
  saved?: Savings;
  /** On hits: the entry's age in ms. */
  ageMs?: number;
  /** On semantic hits: the cosine similarity and the question that was matched. */
  similarity?: number;
  matchedQuestion?: string;
  /** On misses: whether the fresh answer was stored, and why not. */
  stored?: boolean;
  rejectedBecause?: string;
  /** When the call was not cached at all: why (e.g. a prompt with images LangChain shows as placeholders). */
  reason?: string;
}

/**
 * What the usage metadata of a hit says: `original` keeps the tokens the answer cost when it was
 * made (so a cached answer looks like the fresh one), `zero` reports the tokens this call spent
 * (none). Either way `response_metadata.recall.saved` says what the hit saved.
 */
export type HitUsage = "original" | "zero";

export function recallMetadata(outcome: CacheOutcome): RecallMetadata {
  const meta: RecallMetadata = { status: outcome.status };
  if (outcome.key) {
    meta.key = outcome.key;
    meta.namespace = outcome.namespace;
  }
  if (outcome.saved) meta.saved = outcome.saved;
  if (outcome.ageMs !== undefined) meta.ageMs = outcome.ageMs;
  if (outcome.similarity !== undefined) meta.similarity = outcome.similarity;
  if (outcome.matchedQuestion !== undefined) meta.matchedQuestion = outcome.matchedQuestion;
  if (outcome.stored !== undefined) meta.stored = outcome.stored;
  if (outcome.rejectedBecause !== undefined) meta.rejectedBecause = outcome.rejectedBecause;
  return meta;
}

/** Puts `recall` into each generation's message's response metadata. */
export function markGenerations(generations: Generation[], meta: RecallMetadata): void {
  for (const g of generations) {
    const message = (g as Generation & { message?: BaseMessage }).message;
    if (message) message.response_metadata = { ...message.response_metadata, recall: meta };
  }
}

/** The usage of a call that spent no tokens (copy it before handing it out). */
export const ZERO_USAGE: UsageMetadata = { input_tokens: 0, output_tokens: 0, total_tokens: 0 };

/** Sets a hit's usage metadata as `hitUsage` says (`original`: as stored). */
export function setHitUsage(generations: Generation[], hitUsage: HitUsage): void {
  if (hitUsage !== "zero") return;
  for (const g of generations) {
    const message = (g as Generation & { message?: BaseMessage & { usage_metadata?: UsageMetadata } })
      .message;
    if (message?.getType() === "ai") message.usage_metadata = { ...ZERO_USAGE };
  }
}

/**
 * LangChain's `BaseChatModel` overwrites the usage metadata of every cached answer with zeros
 * (which is how its own caches lose it). With `hitUsage: "original"` the first such overwrite is
 * ignored and the property becomes a plain one again, so later writes by user code work as usual.
 */
export function keepUsageThroughLangChain(generations: Generation[]): void {
  for (const g of generations) {
    const message = (g as Generation & { message?: BaseMessage & { usage_metadata?: UsageMetadata } })
      .message;
    const usage = message?.usage_metadata;
    if (!message || !usage) continue;
    Object.defineProperty(message, "usage_metadata", {
      configurable: true,
      enumerable: true,
      get: () => usage,
      set: (value: UsageMetadata | undefined) => {
        const zeroed =
          value !== undefined &&
          value.input_tokens === 0 &&
          value.output_tokens === 0 &&
          value.total_tokens === 0;
        Object.defineProperty(message, "usage_metadata", {
          configurable: true,
          enumerable: true,
          writable: true,
          value: zeroed ? usage : value,
        });
      },
    });
  }
}
