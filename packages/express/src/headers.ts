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

/** The response headers of a hit: the cache status, the similarity of a semantic hit, and `Age`. */
export function setHitHeaders(res: Response, outcome: CacheOutcome): void {
  res.setHeader(CACHE_HEADER, cacheHeaderValue(outcome.status));
  if (outcome.similarity !== undefined) res.setHeader(SIMILARITY_HEADER, outcome.similarity.toFixed(4));
  if (outcome.ageMs !== undefined)
    res.setHeader("Age", String(Math.max(0, Math.floor(outcome.ageMs / 1000))));
}
