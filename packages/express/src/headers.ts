import type { CacheOutcome, CacheStatus } from "@recall/core";
import type { Response } from "express";

/** `HIT`, `SEMANTIC`, `MISS` or `BYPASS`: how the answer was found. */
export const CACHE_HEADER = "X-Recall-Cache";
/** On semantic hits: the cosine similarity of the matched question. */
export const SIMILARITY_HEADER = "X-Recall-Similarity";

export type CacheHeaderValue = "HIT" | "SEMANTIC" | "MISS" | "BYPASS";

/** A request that waited for an identical one in flight got its answer without calling upstream: a HIT. */
export function cacheHeaderValue(status: CacheStatus): CacheHeaderValue {
  switch (status) {
    case "hit":
    case "coalesced":
      return "HIT";
    case "semantic-hit":
      return "SEMANTIC";
    case "miss":
      return "MISS";
    case "bypass":
      return "BYPASS";
  }
}

/**
 * The one place the `X-Recall-*` headers are set: from a hit's outcome, a miss's ticket, or
 * `{ status: "bypass" }` for a call the cache never saw. Hits also get the similarity of a semantic
 * match and `Age`.
 */
export function setRecallHeaders(res: Response, call: Partial<CacheOutcome> & { status: CacheStatus }): void {
  const { status, similarity, ageMs } = call;
  res.setHeader(CACHE_HEADER, cacheHeaderValue(status));
  if (similarity !== undefined) res.setHeader(SIMILARITY_HEADER, similarity.toFixed(4));
  if (ageMs !== undefined) res.setHeader("Age", String(Math.max(0, Math.floor(ageMs / 1000))));
}
