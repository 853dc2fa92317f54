import type { CacheOutcome, CacheStatus } from "@recall/core";
import type { Response } from "express";

/** `HIT`, `SEMANTIC`, `STALE`, `MISS` or `BYPASS`: how the answer was found. */
export const CACHE_HEADER = "X-Recall-Cache";
/** On semantic hits: the cosine similarity of the matched question. */
export const SIMILARITY_HEADER = "X-Recall-Similarity";
/** On hits: the id that reports the answer wrong (`POST …/recall/feedback`, or `cache.feedback`). */
export const ID_HEADER = "X-Recall-Id";
/** On semantic hits: what let it through (`threshold`, `alias`, `verifier` or `learned`). */
export const DECIDED_BY_HEADER = "X-Recall-Decided-By";
/** On stale answers: `revalidating` (stale-while-revalidate) or `upstream failed: …` (grace). */
export const STALE_REASON_HEADER = "X-Recall-Stale-Reason";
/**
 * Calls wanting more than one answer (`variants`): which answer of the entry this is, of how many
 * it holds (`2/3`): on hits the one drawn at random, on misses the one stored.
 */
export const VARIANT_HEADER = "X-Recall-Variant";

export type CacheHeaderValue = "HIT" | "SEMANTIC" | "STALE" | "MISS" | "BYPASS";

/** A request that waited for an identical one in flight got its answer without calling upstream: a HIT. */
export function cacheHeaderValue(status: CacheStatus): CacheHeaderValue {
  switch (status) {
    case "hit":
    case "coalesced":
      return "HIT";
    case "semantic-hit":
      return "SEMANTIC";
    case "stale":
      return "STALE";
    case "miss":
      return "MISS";
    case "bypass":
      return "BYPASS";
  }
}

/**
 * The one place the `X-Recall-*` headers are set: from a hit's outcome, a miss's ticket, or
 * `{ status: "bypass" }` for a call the cache never saw. Hits also get their id and `Age`, semantic
 * hits the similarity of the match and what decided it, stale answers why they were served, calls
 * with answer variants which one.
 */
export function setRecallHeaders(res: Response, call: Partial<CacheOutcome> & { status: CacheStatus }): void {
  const { status, similarity, ageMs, id, decidedBy, staleReason, variant, variants } = call;
  res.setHeader(CACHE_HEADER, cacheHeaderValue(status));
  if (id !== undefined) res.setHeader(ID_HEADER, id);
  if (similarity !== undefined) res.setHeader(SIMILARITY_HEADER, similarity.toFixed(4));
  if (decidedBy !== undefined) res.setHeader(DECIDED_BY_HEADER, decidedBy);
  if (ageMs !== undefined) res.setHeader("Age", String(Math.max(0, Math.floor(ageMs / 1000))));
  if (variant !== undefined && variants !== undefined)
    res.setHeader(VARIANT_HEADER, `${variant}/${variants}`);
  // A reason may quote an error message: printable ASCII only, and short, to be a valid header.
  if (staleReason !== undefined)
    res.setHeader(STALE_REASON_HEADER, staleReason.replace(/[^\x20-\x7e]/g, " ").slice(0, 200));
}
