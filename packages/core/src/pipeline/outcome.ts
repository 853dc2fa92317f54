import type { Savings } from "../events.js";
import type { CacheResponse } from "../response.js";

export type DecidedBy = "threshold" | "alias" | "verifier" | "learned";

export type CacheStatus = "hit" | "semantic-hit" | "coalesced" | "miss" | "bypass";

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
    };

/** A lookup that missed: the ticket to settle with the fresh answer. */
export type LookupMiss<T = unknown> = Extract<Lookup<T>, { hit: false }>;

/** What every event of one call carries. */
export interface CallInfo {
  namespace: string;
  key: string;
  /** `provider:id` of the requested model. */
  model: string;
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
  };
}
