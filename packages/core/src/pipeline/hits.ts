import type { CacheEntry } from "../entry.js";
import type { Emitter, Savings } from "../events.js";
import type { PriceTable } from "../pricing.js";
import type { CacheResponse } from "../response.js";
import { matchedQuestionOf, questionHash, type SemanticMatch } from "../semantic.js";
import { encodeHitId } from "../verify/hit-id.js";
import type { Clock } from "./clock.js";
import type { CacheOutcome, CallInfo, DecidedBy } from "./outcome.js";

/** Turns what was found (an entry, a leader's answer) into the caller's outcome, and reports it. */
export class Hits {
  constructor(
    private readonly prices: PriceTable,
    private readonly events: Emitter,
    private readonly clock: Clock,
  ) {}

  /** What answering with `response` instead of calling `modelId` saved (priced by the model that made it). */
  savedBy(response: CacheResponse, modelId: string): Savings {
    return this.prices.savings(response.modelId ?? modelId, response.usage);
  }

  exact<T>(key: string, entry: CacheEntry, call: CallInfo, modelId: string): CacheOutcome<T> {
    const outcome = this.fromEntry<T>("hit", key, entry, call, modelId);
    this.events.emit("hit", { ...call, saved: outcome.saved!, ageMs: outcome.ageMs!, ms: since(call) });
    return outcome;
  }

  /** `question`: the one asked, whose hash the hit id carries (for feedback on this pairing). */
  semantic<T>(
    match: SemanticMatch,
    decidedBy: DecidedBy,
    question: string,
    call: CallInfo,
    modelId: string,
  ): CacheOutcome<T> {
    const { key, entry, similarity, matched } = match;
    const outcome = this.fromEntry<T>("semantic-hit", key, entry, call, modelId);
    const matchedQuestion = matchedQuestionOf(match);
    const id = encodeHitId({
      kind: "semantic",
      namespace: call.namespace,
      key,
      matched,
      question: questionHash(question),
      similarity,
    });
    this.events.emit("semantic-hit", {
      ...call,
      saved: outcome.saved!,
      ageMs: outcome.ageMs!,
      ms: since(call),
      similarity,
      question,
      matchedQuestion,
      decidedBy,
      id,
    });
    return { ...outcome, id, similarity, matchedQuestion, decidedBy };
  }

  /**
   * An exact entry past its TTL, served stale: within the stale-while-revalidate window
   * (`revalidate`) or because the upstream call failed (`grace`).
   */
  stale<T>(
    entry: CacheEntry,
    call: CallInfo,
    modelId: string,
    cause: "revalidate" | "grace",
    staleReason: string,
  ): CacheOutcome<T> {
    const outcome = this.fromEntry<T>("stale", call.key, entry, call, modelId);
    this.events.emit("stale", {
      ...call,
      saved: outcome.saved!,
      ageMs: outcome.ageMs!,
      ms: since(call),
      cause,
      staleReason,
    });
    return { ...outcome, staleReason };
  }

  /**
   * Another caller's answer (in this process, or stored by another instance's leader). A leader's
   * stale answer (grace) stays `stale` for its waiters, counted as coalesced.
   */
  coalesced<T>(shared: CacheOutcome<T>, call: CallInfo, modelId: string): CacheOutcome<T> {
    const saved = this.savedBy(shared.response, modelId);
    this.events.emit("coalesced", { ...call, saved, ms: since(call) });
    const status = shared.status === "stale" ? "stale" : "coalesced";
    return { ...shared, status, saved, id: shared.id ?? exactId(call.namespace, call.key) };
  }

  /** An entry another instance stored while this one waited for the lock. */
  coalescedEntry<T>(entry: CacheEntry, call: CallInfo, modelId: string): CacheOutcome<T> {
    const outcome = this.fromEntry<T>("coalesced", call.key, entry, call, modelId);
    this.events.emit("coalesced", { ...call, saved: outcome.saved!, ms: since(call) });
    return outcome;
  }

  private fromEntry<T>(
    status: CacheOutcome["status"],
    key: string,
    entry: CacheEntry,
    call: CallInfo,
    modelId: string,
  ): CacheOutcome<T> {
    return {
      status,
      response: entry.response as CacheResponse<T>,
      key,
      namespace: call.namespace,
      saved: this.savedBy(entry.response, modelId),
      ageMs: this.clock.now() - entry.createdAt,
      id: exactId(call.namespace, key),
    };
  }
}

function exactId(namespace: string, key: string): string {
  return encodeHitId({ kind: "exact", namespace, key });
}

/** Milliseconds since the call's lookup began (0 when it was not timed). */
function since(call: CallInfo): number {
  return call.startedAt === undefined ? 0 : performance.now() - call.startedAt;
}
