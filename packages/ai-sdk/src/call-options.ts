import type { LanguageModelV4CallOptions } from "@ai-sdk/provider";
import { assertOption, type CallOptions } from "@recall/core";

/** How a cached stream is played back: at once, at the original pace, or `n` times faster than it. */
export type ReplayPace = "instant" | "original" | number;

/**
 * Per-call controls, given as `providerOptions: { recall: { ... } }` on `generateText`, `streamText`, ….
 * They steer the cache and never enter the key (except `context`, which is meant to).
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

export interface ReadOptions {
  call: CallOptions;
  context: unknown;
  pace: ReplayPace | undefined;
}

const BOOLEAN_KEYS = ["noCache", "noStore", "forceRefresh", "semantic"] as const;

/** Reads `providerOptions.recall` over the middleware's defaults. Throws `RECALL_INVALID_OPTION` on a wrong type. */
export function readRecallOptions(
  params: LanguageModelV4CallOptions,
  defaults: CallOptions = {},
): ReadOptions {
  const raw = params.providerOptions?.recall as Record<string, unknown> | undefined;
  if (raw === undefined || raw === null) return { call: defaults, context: undefined, pace: undefined };
  assertOption(typeof raw === "object" && !Array.isArray(raw), "providerOptions.recall must be an object");
  const call: CallOptions = { ...defaults };
  for (const key of BOOLEAN_KEYS) {
    const v = raw[key];
    if (v === undefined) continue;
    assertOption(
      typeof v === "boolean",
      `providerOptions.recall.${key} must be a boolean, got ${JSON.stringify(v)}`,
    );
    call[key] = v;
  }
  if (raw.ttl !== undefined) {
    const ttl = raw.ttl;
    assertOption(
      typeof ttl === "number" && Number.isFinite(ttl) && ttl >= 0,
      `providerOptions.recall.ttl must be a non-negative number of ms, got ${JSON.stringify(ttl)}`,
    );
    call.ttl = ttl;
  }
  if (raw.namespace !== undefined) {
    assertOption(
      typeof raw.namespace === "string" && raw.namespace.length > 0,
      "providerOptions.recall.namespace must be a non-empty string",
    );
    call.namespace = raw.namespace;
  }
  if (raw.threshold !== undefined) {
    const t = raw.threshold;
    assertOption(
      typeof t === "number" && t > 0 && t <= 1,
      `providerOptions.recall.threshold must be a cosine similarity in (0, 1], got ${JSON.stringify(t)}`,
    );
    call.threshold = t;
  }
  if (raw.tags !== undefined) {
    assertOption(
      Array.isArray(raw.tags) && raw.tags.every((t) => typeof t === "string"),
      "providerOptions.recall.tags must be an array of strings",
    );
    call.tags = raw.tags as string[];
  }
  const pace = raw.pace;
  assertOption(
    pace === undefined || isPace(pace),
    `providerOptions.recall.pace must be "instant", "original" or a positive speed factor, got ${JSON.stringify(pace)}`,
  );
  return { call, context: raw.context, pace: pace as ReplayPace | undefined };
}

export function isPace(value: unknown): value is ReplayPace {
  return (
    value === "instant" ||
    value === "original" ||
    (typeof value === "number" && Number.isFinite(value) && value > 0)
  );
}
