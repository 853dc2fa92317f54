import type { Savings } from "../events.js";
import type { CacheResponse } from "../response.js";

export type DecidedBy = "threshold" | "alias" | "verifier" | "learned";

/**
 * How an answer was found. `stale`: an exact entry past its TTL, served within the
 * stale-while-revalidate window (while one background refresh replaces it) or, when the upstream
 * call failed, within the grace period (`staleReason` says which).
 */
export type CacheStatus = "hit" | "semantic-hit" | "coalesced" | "stale" | "miss" | "bypass";

/** What a background refresh of a stale entry came to. */
export type RefreshResult =
  /** The fresh answer passed validation and replaced the entry. */
  | "stored"
  /** Validation refused the fresh answer: the stale entry stays until its window ends. */
  | "rejected"
  /** The upstream call (or the write) failed, reported as an `error` event: the stale entry stays. */
  | "failed"
  /** Another refresh of the entry runs (in this process or, under the lock, in another), or one already replaced it. */
  | "skipped";

export interface CacheOutcome<T = unknown> {
  status: CacheStatus;
  response: CacheResponse<T>;
  key: string;
  namespace: string;
  /** On hits: what answering from cache saved. */
  saved?: Savings;
  /** On hits: age of the entry in ms. */
  ageMs?: number;
  /**
   * On hits: an id to report the answer wrong with (`cache.feedback(id, { wrong: true })`); adapters
   * pass it on (AI SDK `providerMetadata.recall.id`, LangChain `response_metadata.recall.id`, the
   * proxy's `X-Recall-Id` header).
   */
  id?: string;
  /** On semantic hits: the cosine similarity and the question that was matched. */
  similarity?: number;
  matchedQuestion?: string;
  /**
   * On semantic hits, what let it through: the similarity threshold, an alias (a wording promoted
   * after verification), the verifier (asked now, or its earlier verdict on this pair), or the
   * entry's learned evidence (served unverified under the error bound).
   */
  decidedBy?: DecidedBy;
  /** On misses: whether the answer was stored, and why not. */
  stored?: boolean;
  rejectedBecause?: string;
  /** On bypasses the cache chose: why the call was not cached at all. */
  reason?: string;
  /**
   * On stale answers: why a stale entry was served: `revalidating` (within the stale-while-revalidate
   * window, refreshed in the background) or `upstream failed: <message>` (grace).
   */
  staleReason?: string;
  /**
   * For calls wanting more than one answer (`variants`): which answer of the entry this is, from 1
   * (on hits the one drawn, on misses the one stored), and how many answers the entry holds (on
   * hits, of those drawn from).
   */
  variant?: number;
  variants?: number;
  /**
   * On stale answers within the stale-while-revalidate window, from `lookup`: starts the one
   * background refresh of the entry with `call` (the adapter's upstream call), unless one runs
   * already here or, under the shared lock, in another instance (then `call` is never called). Its
   * answer is validated like a miss's before it replaces the entry. Never rejects; adapters call it
   * without waiting (`void outcome.refresh?.(call)`), `cache.drain()` waits for it. `cache.run`
   * calls it itself.
   */
  refresh?(call: () => Promise<CacheResponse<T>>): Promise<RefreshResult>;
}

/** The result of `lookup`: a hit, or a ticket the caller settles with the fresh answer. */
export type Lookup<T = unknown> =
  | { hit: true; outcome: CacheOutcome<T> }
  | {
      hit: false;
      status: "miss" | "bypass";
      key: string;
      namespace: string;
      /**
       * Validates and stores the fresh answer (unless told not to) and hands it to waiting callers.
       * Takes the answer, or a function that builds it (a function that throws is reported and
       * stores nothing). Never rejects: a failure to build, validate or store is an `error` event
       * and `stored: false`, so the caller always gets its answer back.
       */
      commit(response: CacheResponse<T> | (() => CacheResponse<T>)): Promise<CacheOutcome<T>>;
      /** The upstream call failed: waiting callers go on to call upstream themselves. */
      fail(): void;
      /**
       * The upstream call failed with `error` (it threw; for HTTP, a 5xx, a 429 or no answer): the
       * stale entry to serve instead when the call's `grace` allows (status `stale`, `staleReason`
       * `upstream failed: …`, counted), also handed to the callers waiting on this one. Otherwise
       * `undefined`, and the ticket fails as with `fail()`: the caller sends its error on.
       */
      rescue(error: unknown): CacheOutcome<T> | undefined;
    };

/** A lookup that missed: the ticket to settle with the fresh answer. */
export type LookupMiss<T = unknown> = Extract<Lookup<T>, { hit: false }>;

/** What every event of one call carries. */
export interface CallInfo {
  namespace: string;
  key: string;
  /** `provider:id` of the requested model. */
  model: string;
  /** When the lookup began (`performance.now()` of this process), so listeners can time a call. */
  startedAt?: number;
}

/**
 * A ticket for a call the cache leaves alone: nothing read, nothing stored, status `bypass`. For
 * adapters, when a call cannot be cached at all (say why in `reason`).
 */
export function passThrough<T>(namespace = "", reason?: string): LookupMiss<T> {
  const why = reason === undefined ? {} : { reason };
  return {
    hit: false,
    status: "bypass",
    key: "",
    namespace,
    commit: async (response) => ({
      status: "bypass",
      response: typeof response === "function" ? (undefined as never) : response,
      key: "",
      namespace,
      stored: false,
      ...why,
    }),
    fail: () => {},
    rescue: () => undefined,
  };
}
