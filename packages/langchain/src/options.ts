import { type CallOptions, RecallCache } from "@recall/core";
import { assertOption, parseCallOptions } from "@recall/core/adapter";
import type { HitUsage } from "./status.js";

/** Options shared by `RecallLangChainCache` and `withRecall`: call defaults, plus `hitUsage`. */
export interface RecallLangChainOptions extends CallOptions {
  /** The Recall cache: `createCache(...)` from `@recall/core`. Faults are its `error` events. */
  cache: RecallCache;
  /** Usage metadata of a hit: the original call's tokens (default) or zero. See `HitUsage`. */
  hitUsage?: HitUsage;
}

/** A constructor's options, checked: the cache, the call defaults, and the adapter's own members. */
export interface ReadOptions<Own extends string> {
  cache: RecallCache;
  defaults: CallOptions;
  hitUsage: HitUsage;
  own: Partial<Record<Own, unknown>>;
}

/**
 * Reads `{ cache, hitUsage, ...callOptions, ...own }`. Throws `RECALL_INVALID_OPTION` at once on
 * a missing cache, a wrong type or an unknown member (a misspelled option is never ignored).
 */
export function readOptions<Own extends string = never>(
  options: unknown,
  where: string,
  own: readonly Own[] = [],
): ReadOptions<Own> {
  assertOption(typeof options === "object" && options !== null, `${where} must be an object`);
  const cache = (options as { cache?: unknown }).cache;
  assertOption(
    cache instanceof RecallCache ||
      (typeof cache === "object" &&
        cache !== null &&
        typeof (cache as RecallCache).lookup === "function" &&
        typeof (cache as RecallCache).reportError === "function"),
    "cache must be a Recall cache: createCache(...) from @recall/core",
  );
  const parsed = parseCallOptions<"cache" | "hitUsage" | Own>(options, {
    where,
    extra: ["cache", "hitUsage", ...own],
  });
  const { cache: _cache, hitUsage = "original", ...rest } = parsed.extra;
  assertOption(
    hitUsage === "original" || hitUsage === "zero",
    `hitUsage must be "original" or "zero", got ${JSON.stringify(hitUsage)}`,
  );
  return {
    cache: cache as RecallCache,
    defaults: parsed.call,
    hitUsage: hitUsage as HitUsage,
    own: rest as Partial<Record<Own, unknown>>,
  };
}
