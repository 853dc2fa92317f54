import { BaseCache } from "@langchain/core/caches";
import type { Generation } from "@langchain/core/outputs";
import {
  errorCodes,
  type Lookup,
  type LookupMiss,
  type RecallCache,
  RecallError,
  sha256,
} from "@recall/core";
import { commitAnswer } from "./commit.js";
import {
  isStoredGenerations,
  reviveGenerations,
  type StoredGenerations,
  storeGenerations,
} from "./generations.js";
import {
  assertCache,
  assertOptions,
  callOptionsOf,
  hitUsageOf,
  type RecallLangChainOptions,
  reporter,
} from "./options.js";
import { requestFromPrompt } from "./request.js";
import { keepUsageThroughLangChain, markGenerations, recallMetadata, setHitUsage } from "./status.js";

export interface RecallLangChainCacheOptions extends RecallLangChainOptions {
  /**
   * How long a miss waits for LangChain's `update` with the fresh answer before giving up on storing
   * it (LangChain does not tell a cache when the model call failed). Default 10 minutes.
   */
  pendingTimeoutMs?: number;
}

type Ticket = LookupMiss<StoredGenerations>;

interface Pending {
  secrets: ReadonlySet<string>;
  /** Set once the core answered the lookup with a miss. */
  ticket?: Ticket;
  timer?: NodeJS.Timeout;
}

/**
 * Recall as a LangChain `BaseCache`: pass it as `cache` to any chat model or LLM. Exact and
 * semantic matching, TTLs, namespaces and stats come from the Recall cache it wraps.
 *
 * LangChain does not use a cache for `.stream()`; wrap the model with `withRecall` for that.
 */
export class RecallLangChainCache extends BaseCache<Generation[]> {
  readonly recall: RecallCache;
  private readonly options: RecallLangChainCacheOptions;
  private readonly report: ReturnType<typeof reporter>;
  /** Misses waiting for their `update`, by a hash of prompt and llmKey (the llmKey itself holds secrets). */
  private readonly pending = new Map<string, Pending>();
  private readonly pendingTimeoutMs: number;

  constructor(cache: RecallCache, options: RecallLangChainCacheOptions = {}) {
    super();
    assertCache(cache);
    assertOptions(options);
    const { pendingTimeoutMs: _p, ...rest } = options;
    this.recall = cache;
    this.options = rest;
    this.report = reporter(options);
    const timeout = options.pendingTimeoutMs ?? 600_000;
    if (typeof timeout !== "number" || !(timeout > 0)) {
      throw new RecallError(
        errorCodes.INVALID_OPTION,
        `pendingTimeoutMs must be a positive number of milliseconds, got ${JSON.stringify(timeout)}`,
      );
    }
    this.pendingTimeoutMs = timeout;
  }

  async lookup(prompt: string, llmKey: string): Promise<Generation[] | null> {
    try {
      const built = requestFromPrompt(prompt, llmKey);
      if (!built.cacheable) {
        if (built.error) this.report(built.reason, built.error);
        return null;
      }
      const id = sha256(`${prompt}\u0000${llmKey}`);
      // The same prompt already missed and its answer is on the way (a batch with repeats, or a
      // retry after a failure): asking the core again would wait on that very answer, which in a
      // single generate() call comes only after this lookup returns. Claimed before any await.
      if (this.pending.has(id)) return null;
      const entry: Pending = { secrets: built.secrets };
      this.pending.set(id, entry);
      let lookup: Lookup<StoredGenerations>;
      try {
        lookup = await this.recall.lookup<StoredGenerations>(built.request, callOptionsOf(this.options));
      } catch (error) {
        this.pending.delete(id);
        throw error;
      }
      if (!lookup.hit) {
        this.hold(id, entry, lookup);
        return null;
      }
      this.pending.delete(id);
      const body = lookup.outcome.response.body;
      if (!isStoredGenerations(body)) return null;
      const generations = reviveGenerations(body);
      markGenerations(generations, recallMetadata(lookup.outcome));
      const hitUsage = hitUsageOf(this.options);
      if (hitUsage === "original") keepUsageThroughLangChain(generations);
      else setHitUsage(generations, hitUsage);
      return generations;
    } catch (error) {
      this.report("cache lookup failed", error);
      return null;
    }
  }

  async update(prompt: string, llmKey: string, value: Generation[]): Promise<void> {
    try {
      const id = sha256(`${prompt}\u0000${llmKey}`);
      const pending = this.pending.get(id);
      if (!pending?.ticket) return;
      this.pending.delete(id);
      clearTimeout(pending.timer);
      const outcome = await commitAnswer(pending.ticket, storeGenerations(value), pending.secrets);
      // These are the generations LangChain returns to the caller.
      markGenerations(value, recallMetadata(outcome));
    } catch (error) {
      this.report("cache update failed", error);
    }
  }

  private hold(id: string, entry: Pending, ticket: Ticket): void {
    entry.ticket = ticket;
    entry.timer = setTimeout(() => {
      if (this.pending.get(id) !== entry) return;
      this.pending.delete(id);
      ticket.fail();
    }, this.pendingTimeoutMs);
    entry.timer.unref();
  }
}
