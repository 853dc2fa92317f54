import type { CallOptions } from "@recall/core";
import { assertOption } from "@recall/core/adapter";

/** How a cached stream is played back: at once, at the original pace, or `n` times faster than it. */
export type ReplayPace = "instant" | "original" | number;

/**
 * Per-call controls, given as `providerOptions: { recall: { ... } }` on `generateText`, `streamText`, ….
 * Core's call options (`noCache`, `noStore`, `forceRefresh`, `ttl`, `namespace`, `threshold`,
 * `semantic`, `verify`, `tags`, `waitTimeoutMs`, `staleWhileRevalidate`, `grace`, `variants`) steer
 * the cache and never enter the key; `context` does.
 * Read by core's `parseCallOptions`, which refuses a member of the wrong type or one not listed.
 */
export interface RecallProviderOptions extends CallOptions {
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
