import { assertOption } from "@recall/core/adapter";

/** How a cached stream is played back: at once, at the original pace, or `n` times faster than it. */
export type ReplayPace = "instant" | "original" | number;

/**
 * Per-call controls, given as `providerOptions: { recall: { ... } }` on `generateText`, `streamText`, ….
 * They steer the cache and never enter the key (except `context`, which is meant to). Read by core's
 * `parseCallOptions`, which refuses a member of the wrong type or one not listed here.
 */
export interface RecallProviderOptions {
  /** Do not read the cache (the fresh answer is still stored unless `noStore`). */
  noCache?: boolean;
  /** Do not store the answer. */
  noStore?: boolean;
  /** Drop the cached answer, call the model, store the new one. */
  forceRefresh?: boolean;
  /** Time to live of this entry, in ms. */
  ttl?: number;
  /** Namespace of this call (tenant, user, …). */
  namespace?: string;
  /** Similarity threshold for this call (cosine, in (0, 1]). */
  threshold?: number;
  /** `false` keeps this call to exact matching. */
  semantic?: boolean;
  /** Tags of the stored entry, so a whole tag can be purged at once. */
  tags?: string[];
  /** Anything else the answer depends on (e.g. ids and versions of retrieved documents). Enters the key. */
  context?: unknown;
  /** How a cached stream is replayed for this call. */
  pace?: ReplayPace;
}

/** `value` as a pace (`undefined` stays so); throws `RECALL_INVALID_OPTION`, naming `where`, otherwise. */
export function checkPace(value: unknown, where: string): ReplayPace | undefined {
  const valid =
    value === undefined ||
    value === "instant" ||
    value === "original" ||
    (typeof value === "number" && Number.isFinite(value) && value > 0);
  assertOption(
    valid,
    `${where} must be "instant", "original" or a positive speed factor, got ${JSON.stringify(value)}`,
  );
  return value as ReplayPace | undefined;
}
