import type { CacheEntry } from "../entry.js";
import type { CacheOptions, CallOptions, Invalidate } from "./options.js";

/**
 * How long an entry may be served past its TTL, and which entries no longer count: the
 * stale-while-revalidate window and the grace on upstream failure (per cache, overridden per call),
 * and the cache's `invalidate` rule. See docs/freshness.md.
 */
export class Freshness {
  private readonly swr: number;
  private readonly graceMs: number;
  /** True for an entry to read as a miss (made before `invalidate.before`, or by another model version). */
  readonly invalidated: ((entry: CacheEntry) => boolean) | undefined;

  constructor(options: CacheOptions) {
    this.swr = options.staleWhileRevalidate ?? 0;
    this.graceMs = options.grace ?? 0;
    this.invalidated = options.invalidate && invalidation(options.invalidate);
  }

  /** The stale-while-revalidate window of a call, in ms (0: off). */
  window(options: CallOptions): number {
    return options.staleWhileRevalidate ?? this.swr;
  }

  /** The grace on upstream failure of a call, in ms (0: off). */
  grace(options: CallOptions): number {
    return options.grace ?? this.graceMs;
  }

  /** How long past its TTL an entry written by a call stays in the store: its window or its grace. */
  keepPastTtl(options: CallOptions): number {
    return Math.max(this.window(options), this.grace(options));
  }
}

/** The `invalidate` option as one test of an entry. */
export function invalidation(rule: Invalidate): ((entry: CacheEntry) => boolean) | undefined {
  const before = rule.before instanceof Date ? rule.before.getTime() : rule.before;
  const models = rule.models && Object.keys(rule.models).length > 0 ? rule.models : undefined;
  if (before === undefined && !models) return undefined;
  return (entry) => {
    if (before !== undefined && entry.createdAt < before) return true;
    if (!models) return false;
    // `entry.model` is `provider:id`; a rule may name either.
    const version = models[entry.model] ?? models[entry.model.slice(entry.model.indexOf(":") + 1)];
    if (version === undefined) return false;
    const made = entry.response.modelId;
    return typeof version === "string" ? made !== version : !version(made);
  };
}
