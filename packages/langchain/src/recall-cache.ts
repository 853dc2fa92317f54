import { AsyncLocalStorage } from "node:async_hooks";
import { BaseCache } from "@langchain/core/caches";
import type { Generation } from "@langchain/core/outputs";
import {
  assertOption,
  type CacheOutcome,
  type CallOptions,
  type Lookup,
  type LookupMiss,
  type RecallCache,
  sha256,
  summarize,
} from "@recall/core";
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
  /**
   * How long an identical call waits for the answer of one already on its way upstream before it
   * calls the model itself. LangChain does not tell a cache that a model call failed, so after a
   * failure the next identical call waits this long (once) before it calls. Default 10 s.
   */
  coalesceTimeoutMs?: number;
}

type Ticket = LookupMiss<StoredGenerations>;

/** A core lookup in progress; identical lookups that arrive meanwhile wait for it. */
interface Flight {
  call: object;
  result: Promise<Lookup<StoredGenerations> | undefined>;
}

/** A miss waiting for LangChain's `update` with the fresh answer. */
interface Held {
  call: object;
  ticket: Ticket;
  timer: NodeJS.Timeout;
  /** Resolves once the answer was committed or the miss given up. */
  settled: Promise<void>;
  settle: () => void;
}

/**
 * Which `generate()` a lookup belongs to. LangChain looks every prompt of one call up in one
 * synchronous loop, then generates the misses; so a repeat inside one call must never wait for an
 * answer (it would wait on itself), while a repeat from another call should. The token lives in
 * the async context of the call and is closed after the current synchronous run.
 */
const callContext = new AsyncLocalStorage<{ open: boolean }>();
function currentCall(): object {
  const existing = callContext.getStore();
  if (existing?.open) return existing;
  const call = { open: true };
  callContext.enterWith(call);
  queueMicrotask(() => {
    call.open = false;
  });
  return call;
}

/**
 * Recall as a LangChain `BaseCache`: pass it as `cache` to any chat model or LLM. Exact and
 * semantic matching, TTLs, namespaces and stats come from the Recall cache it wraps.
 *
 * LangChain does not use a cache for `.stream()`; wrap the model with `withRecall` for that.
 */
export class RecallLangChainCache extends BaseCache<Generation[]> {
  readonly recall: RecallCache;
  private readonly defaults: CallOptions;
  private readonly hitUsage: HitUsage;
  /** Lookups in progress and misses waiting for their `update`, by a hash of prompt and llmKey (the llmKey itself holds secrets). */
  private readonly flights = new Map<string, Flight>();
  private readonly held = new Map<string, Held>();
  private readonly pendingTimeoutMs: number;
  private readonly coalesceTimeoutMs: number;

  constructor(options: RecallLangChainCacheOptions) {
    super();
    const read = readOptions(options, "RecallLangChainCache options", [
      "pendingTimeoutMs",
      "coalesceTimeoutMs",
    ]);
    this.recall = read.cache;
    this.defaults = read.defaults;
    this.hitUsage = read.hitUsage;
    this.pendingTimeoutMs = positiveMs("pendingTimeoutMs", read.own.pendingTimeoutMs ?? 600_000);
    this.coalesceTimeoutMs = positiveMs("coalesceTimeoutMs", read.own.coalesceTimeoutMs ?? 10_000);
  }

  async lookup(prompt: string, llmKey: string): Promise<Generation[] | null> {
    try {
      const built = requestFromPrompt(prompt, llmKey);
      if (!built.cacheable) {
        if (built.error) this.recall.reportError(built.reason, built.error);
        return null;
      }
      const id = sha256(`${prompt}\u0000${llmKey}`);
      const call = currentCall();
      // The same prompt is being looked up: wait for that lookup first, so a miss in progress is
      // seen (and a cached answer is read again, and counted, for this caller).
      const flight = this.flights.get(id);
      if (flight) {
        const first = await flight.result;
        if (!first?.hit && flight.call === call) return null;
      }
      // The same prompt missed and its answer is on the way. From another call: wait for it (bounded),
      // then read the cache. From this call: LangChain generates the misses only after every lookup
      // of the call returned, so waiting would wait on itself; this repeat is generated again.
      const held = this.held.get(id);
      if (held) {
        if (held.call === call) return null;
        if (!(await settledWithin(held.settled, this.coalesceTimeoutMs))) return null;
      }
      return await this.ask(id, call, built);
    } catch (error) {
      this.recall.reportError("cache lookup failed", error);
      return null;
    }
  }

  async update(prompt: string, llmKey: string, value: Generation[]): Promise<void> {
    try {
      const id = sha256(`${prompt}\u0000${llmKey}`);
      const held = this.held.get(id);
      if (!held) return;
      this.held.delete(id);
      clearTimeout(held.timer);
      try {
        const outcome = await held.ticket.commit(() => describeGenerations(storeGenerations(value)));
        // These are the generations LangChain returns to the caller.
        markGenerations(value, summarize(outcome));
      } finally {
        held.settle();
      }
    } catch (error) {
      this.recall.reportError("cache update failed", error);
    }
  }

  /** Asks the core; identical lookups that arrive meanwhile wait for its answer (see `lookup`). */
  private async ask(
    id: string,
    call: object,
    built: Extract<ReturnType<typeof requestFromPrompt>, { cacheable: true }>,
  ): Promise<Generation[] | null> {
    const result = this.recall
      .lookup<StoredGenerations>(built.request, this.defaults)
      .catch((error: unknown) => {
        this.recall.reportError("cache lookup failed", error);
        return undefined;
      });
    const flight: Flight = { call, result };
    this.flights.set(id, flight);
    const lookup = await result;
    if (this.flights.get(id) === flight) this.flights.delete(id);
    if (!lookup) return null;
    if (lookup.hit) return this.serve(lookup.outcome);
    this.hold(id, call, lookup);
    return null;
  }

  /** A fresh copy of the cached generations for one caller (LangChain rewrites what it is given). */
  private serve(outcome: CacheOutcome<StoredGenerations>): Generation[] | null {
    const body = outcome.response.body;
    if (!isStoredGenerations(body)) return null;
    const generations = reviveGenerations(body);
    markGenerations(generations, summarize(outcome));
    if (this.hitUsage === "original") keepUsageThroughLangChain(generations);
    else setHitUsage(generations, this.hitUsage);
    return generations;
  }

  private hold(id: string, call: object, ticket: Ticket): void {
    const previous = this.held.get(id);
    if (previous) this.release(id, previous);
    let settle!: () => void;
    const settled = new Promise<void>((resolve) => {
      settle = resolve;
    });
    const held: Held = {
      call,
      ticket,
      settled,
      settle,
      timer: setTimeout(() => this.release(id, held), this.pendingTimeoutMs),
    };
    held.timer.unref();
    this.held.set(id, held);
  }

  /** Gives a miss up: LangChain never handed over its answer (the model call failed). */
  private release(id: string, held: Held): void {
    if (this.held.get(id) === held) this.held.delete(id);
    clearTimeout(held.timer);
    held.ticket.fail();
    held.settle();
  }
}

function positiveMs(name: string, value: unknown): number {
  assertOption(
    typeof value === "number" && value > 0,
    `${name} must be a positive number of milliseconds, got ${JSON.stringify(value)}`,
  );
  return value;
}

/** True when `promise` settled within `ms`. */
function settledWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    timer.unref();
    promise.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
