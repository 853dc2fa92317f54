import type { CacheEntry } from "../entry.js";
import type { Emitter, Savings } from "../events.js";
import type { PriceTable } from "../pricing.js";
import type { CacheResponse } from "../response.js";
import type { Clock } from "./clock.js";
import type { CacheOutcome, CallInfo } from "./outcome.js";

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
    this.events.emit("hit", { ...call, saved: outcome.saved!, ageMs: outcome.ageMs! });
    return outcome;
  }

  semantic<T>(
    key: string,
    entry: CacheEntry,
    call: CallInfo,
    modelId: string,
    similarity: number,
  ): CacheOutcome<T> {
    const outcome = this.fromEntry<T>("semantic-hit", key, entry, call, modelId);
    const matchedQuestion = entry.question ?? "";
    this.events.emit("semantic-hit", {
      ...call,
      saved: outcome.saved!,
      ageMs: outcome.ageMs!,
      similarity,
      matchedQuestion,
    });
    return { ...outcome, similarity, matchedQuestion };
  }

  /** Another caller's answer (in this process, or stored by another instance's leader). */
  coalesced<T>(shared: CacheOutcome<T>, call: CallInfo, modelId: string): CacheOutcome<T> {
    const saved = this.savedBy(shared.response, modelId);
    this.events.emit("coalesced", { ...call, saved });
    return { ...shared, status: "coalesced", saved };
  }

  /** An entry another instance stored while this one waited for the lock. */
  coalescedEntry<T>(entry: CacheEntry, call: CallInfo, modelId: string): CacheOutcome<T> {
    const outcome = this.fromEntry<T>("coalesced", call.key, entry, call, modelId);
    this.events.emit("coalesced", { ...call, saved: outcome.saved! });
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
    };
  }
}
