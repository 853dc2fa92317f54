import { AsyncLocalStorage } from "node:async_hooks";
import { BaseCache } from "@langchain/core/caches";
import type { Generation } from "@langchain/core/outputs";
import type { CacheOutcome, CacheRequest, CallOptions, LookupMiss, RecallCache } from "@recall/core";
import { assertOption, sha256, summarize } from "@recall/core/adapter";
import {
  describeGenerations,
  isStoredGenerations,
  reviveGenerations,
  type StoredGenerations,
  storeGenerations,
} from "./generations.js";
import { type RecallLangChainOptions, readOptions } from "./options.js";
import { requestFromPrompt } from "./request.js";
import { type HitUsage, keepUsageThroughLangChain, markGenerations, setHitUsage } from "./status.js";

export interface RecallLangChainCacheOptions extends RecallLangChainOptions {
  /**
   * How long a miss waits for LangChain's `update` with the fresh answer before giving up on storing
   * it (LangChain does not tell a cache when the model call failed). Default 10 minutes.
   */
  pendingTimeoutMs?: number;
}

/** A miss waiting for LangChain's `update` with the fresh answer. */
interface Held {
  ticket: LookupMiss<StoredGenerations>;
  timer: NodeJS.Timeout;
}

/**
 * One `generate()` of LangChain, and the lookups it made so far (by prompt and llmKey), each
 * resolving to whether the cache served it.
 *
 * Why the adapter keeps this (the design note of stop 20): LangChain looks every prompt of one
 * `generate()` up, in one synchronous loop, and generates the misses only once all those lookups
 * have returned. The core coalesces identical lookups (a second lookup of a key whose first is on
 * its way upstream waits for that answer), which is what makes concurrent `invoke()`s and `batch()`
 * items call the model once. But a repeat inside one `generate()` would wait for an answer that
 * comes only after it returns: it would wait on itself until `waitTimeoutMs`. The core cannot know
 * two lookups belong to one `generate()`; the async context of the call does. So a repeat inside
 * one call waits for the earlier lookup (never for its answer): served from the cache, it asks the
 * core too; missed, it is generated again. The record lives on the call's context and goes with it,
 * and is closed after the synchronous loop, so the next `generate()` in the same context is another
 * call.
 */
interface GenerateCall {
  open: boolean;
  /** By the cache's key: prompts LangChain tells apart may be one to the cache ("a  b", "a b"). */
  lookups: Map<string, Promise<boolean>>;
  /** The call's first lookup, keyed only once a second one comes (most calls have one prompt). */
  first?: { request: CacheRequest; served: Promise<boolean> };
}

const callContext = new AsyncLocalStorage<GenerateCall>();
function currentCall(): GenerateCall {
  const existing = callContext.getStore();
  if (existing?.open) return existing;
  const call: GenerateCall = { open: true, lookups: new Map() };
  callContext.enterWith(call);
  queueMicrotask(() => {
    call.open = false;
  });
  return call;
}

/**
 * Recall as a LangChain `BaseCache`: pass it as `cache` to any chat model or LLM. Exact and
 * semantic matching, TTLs, namespaces, stats and one upstream call for concurrent identical calls
 * come from the Recall cache it wraps; faults are that cache's `error` events.
 *
 * LangChain does not use a cache for `.stream()`; wrap the model with `withRecall` for that.
 *
 * @example
 * const recall = createCache({ semantic: { embedder: createLocalEmbedder() } });
 * const model = new ChatOpenAI({ model: "gpt-4o-mini", cache: new RecallLangChainCache({ cache: recall }) });
 * await model.invoke("What is the capital of France?"); // miss: calls OpenAI
 * await model.invoke("Which city is the capital of France?"); // semantic hit
 */
export class RecallLangChainCache extends BaseCache<Generation[]> {
  readonly recall: RecallCache;
  private readonly defaults: CallOptions;
  private readonly hitUsage: HitUsage;
  private readonly pendingTimeoutMs: number;
  /**
   * Misses waiting for their `update`. `update(prompt, llmKey, value)` names a call only by its
   * prompt and llmKey, so the ticket is found by them (hashed: the llmKey holds credentials).
   */
  private readonly held = new Map<string, Held>();

  constructor(options: RecallLangChainCacheOptions) {
    super();
    const read = readOptions(options, "RecallLangChainCache options", ["pendingTimeoutMs"]);
    this.recall = read.cache;
    // LangChain never tells a cache that a model call failed: the next identical call waits for the
    // lost answer (once), so the wait is at most 10 s here, shorter than the cache's default of 60 s.
    const wait = Math.min(10_000, read.cache.waitTimeoutMs ?? 10_000);
    this.defaults = { waitTimeoutMs: wait, ...read.defaults };
    this.hitUsage = read.hitUsage;
    const pending = read.own.pendingTimeoutMs ?? 600_000;
    assertOption(
      typeof pending === "number" && pending > 0,
      `pendingTimeoutMs must be a positive number of milliseconds, got ${JSON.stringify(pending)}`,
    );
    this.pendingTimeoutMs = pending;
  }

  async lookup(prompt: string, llmKey: string): Promise<Generation[] | null> {
    const built = requestFromPrompt(prompt, llmKey);
    if (!built.cacheable) {
      if (built.error)
        this.recall.reportError(built.reason, built.error, { namespace: this.defaults.namespace });
      return null;
    }
    const id = idOf(prompt, llmKey);
    const call = currentCall();
    if (!call.first) {
      const served = this.ask(id, built.request);
      call.first = { request: built.request, served: served.then((g) => g !== null) };
      return served;
    }
    const keyOf = (request: CacheRequest) => this.recall.keyOf(request, this.defaults) ?? id;
    if (call.lookups.size === 0) call.lookups.set(keyOf(call.first.request), call.first.served);
    const key = keyOf(built.request);
    const earlier = call.lookups.get(key);
    // A repeat inside this generate() of a prompt that missed: generated again (see GenerateCall).
    if (earlier && !(await earlier)) return null;
    const served = this.ask(id, built.request);
    if (!earlier)
      call.lookups.set(
        key,
        served.then((g) => g !== null),
      );
    return served;
  }

  async update(prompt: string, llmKey: string, value: Generation[]): Promise<void> {
    const id = idOf(prompt, llmKey);
    const held = this.held.get(id);
    if (!held) return;
    this.held.delete(id);
    clearTimeout(held.timer);
    const outcome = await held.ticket.commit(() => describeGenerations(storeGenerations(value)));
    // These are the generations LangChain returns to the caller.
    markGenerations(value, summarize(outcome));
  }

  /** A hit for this caller, or null with the miss held until LangChain's `update`. */
  private async ask(id: string, request: CacheRequest): Promise<Generation[] | null> {
    // A cache is not handed the model: it cannot refresh a stale entry in the background, nor hear
    // that the model call failed. So past its TTL an entry is a miss here (no stale-while-revalidate,
    // no grace: `withRecall` does both), and LangChain's `update` replaces it.
    const found = await this.recall.lookup<StoredGenerations>(request, {
      ...this.defaults,
      staleWhileRevalidate: 0,
    });
    if (found.hit) return this.serve(found.outcome);
    const previous = this.held.get(id);
    if (previous) this.release(id, previous);
    const held: Held = {
      ticket: found,
      timer: setTimeout(() => this.release(id, held), this.pendingTimeoutMs),
    };
    held.timer.unref();
    this.held.set(id, held);
    return null;
  }

  /** A fresh copy of the cached generations for one caller (LangChain rewrites what it is given). */
  private serve(outcome: CacheOutcome<StoredGenerations>): Generation[] | null {
    const body = outcome.response.body;
    if (!isStoredGenerations(body)) return null;
    let generations: Generation[];
    try {
      generations = reviveGenerations(body);
    } catch (error) {
      const where = { key: outcome.key, namespace: outcome.namespace };
      this.recall.reportError("a cached LangChain answer could not be read", error, where);
      return null;
    }
    markGenerations(generations, summarize(outcome));
    if (this.hitUsage === "original") keepUsageThroughLangChain(generations);
    else setHitUsage(generations, this.hitUsage);
    return generations;
  }

  /** Gives a miss up: LangChain never handed over its answer (the model call failed). */
  private release(id: string, held: Held): void {
    if (this.held.get(id) === held) this.held.delete(id);
    clearTimeout(held.timer);
    held.ticket.fail();
  }
}

/** A call as LangChain names it to a cache, hashed (the llmKey holds credentials). */
function idOf(prompt: string, llmKey: string): string {
  return sha256(`${prompt}\u0000${llmKey}`);
}
