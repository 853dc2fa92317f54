import type { BaseMessage, UsageMetadata } from "@langchain/core/messages";
import type { Generation } from "@langchain/core/outputs";
import type { RecallSummary } from "@recall/core";

/**
 * What Recall did for a call, on every answer as `response_metadata.recall` (on the last chunk of a
 * stream): core's `RecallSummary` (`status`, `cached`, `key`, `saved`, `reason`, on hits the `id`
 * that reports the answer wrong with `cache.feedback`, on semantic hits `decidedBy`, …), the same
 * shape every Recall adapter reports.
 */
export type RecallMetadata = RecallSummary;

/**
 * What the usage metadata of a hit says: `original` keeps the tokens the answer cost when it was
 * made (so a cached answer looks like the fresh one), `zero` reports the tokens this call spent
 * (none). Either way `response_metadata.recall.saved` says what the hit saved.
 */
export type HitUsage = "original" | "zero";

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
