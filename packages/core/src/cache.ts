import { type Attributes, trace } from "@opentelemetry/api";
import { Coalescer } from "./coalesce.js";
import type { Embedder } from "./embedder.js";
import type { CacheEntry } from "./entry.js";
import { errorCodes, toRecallError } from "./errors.js";
import { type CacheEventName, type CacheListener, Emitter } from "./events.js";
import { type RequestKeys, requestKeys } from "./keys.js";
import type { Feedback, FeedbackResult } from "./pipeline/feedback.js";
import { type Embedded, embedQuestion } from "./pipeline/meaning.js";
import { type CacheOptions, type CallOptions, validateOptions } from "./pipeline/options.js";
import {
  type CacheOutcome,
  type CallInfo,
  type DecidedBy,
  type Lookup,
  passThrough,
} from "./pipeline/outcome.js";
import type { StaleCall } from "./pipeline/refresh.js";
import { buildStages, type Stages } from "./pipeline/stages.js";
import { type MissCall, missTicket } from "./pipeline/ticket.js";
import { answersOf } from "./pipeline/variants.js";
import type { CacheRequest } from "./request.js";
import type { CacheResponse } from "./response.js";
import type { SemanticMatch, SemanticMatcher } from "./semantic.js";
import { StatsCollector } from "./stats.js";
import { attr, callAttributes, traced } from "./telemetry.js";
import { TelemetryMetrics } from "./telemetry-metrics.js";

export type { CacheOptions, CallOptions, Invalidate } from "./pipeline/options.js";
export type { CacheOutcome, CacheStatus, Lookup, LookupMiss, RefreshResult } from "./pipeline/outcome.js";

/**
 * The engine every adapter calls. A request goes through the stages in `pipeline/` (wired by
 * `stages.ts`): key (`keys.ts`) → exact read (`entries.ts`) → semantic lookup (`meaning.ts`,
 * `semantic.ts`) → lead or coalesce (`coalesce.ts`, `leader.ts`) → the caller's upstream call →
 * validation (`verdict.ts`) → write (`write.ts`) → bus (`index-sync.ts`); `hits.ts` turns what was
 * found into the outcome, `ticket.ts` settles a miss, `purge.ts` deletes on purpose; `freshness.ts`
 * says how long an entry may be served stale and which entries no longer count, `refresh.ts`
 * refreshes a stale one in the background (docs/freshness.md), `variants.ts` keeps several answers
 * of a sampled call and draws one per hit. It never fails
 * a call for its own reasons: store, lock, bus and embedding faults are misses plus an `error` event.
 */
export class RecallCache {
  readonly namespace: string;
  readonly stats: StatsCollector;
  readonly semantic: SemanticMatcher | undefined;
  private readonly events = new Emitter();
  private readonly prefix: string;
  private readonly caseInsensitive: boolean;
  private readonly stages: Stages;
  private readonly coalescer = new Coalescer<CacheOutcome>();
  /** How long a call waits for an identical one in flight, unless its call options say otherwise. */
  readonly waitTimeoutMs: number;
  private readonly started: Promise<void>;
  private readonly telemetry: TelemetryMetrics;
  /** Whether spans carry the question's text (`telemetry.questions`). */
  private readonly traceQuestions: boolean;
  private releaseEmbedder: (() => Promise<void>) | undefined;

  constructor(options: CacheOptions = {}) {
    validateOptions(options);
    this.namespace = options.namespace ?? "default";
    this.prefix = options.keyPrefix ?? "recall";
    this.caseInsensitive = options.caseInsensitive ?? false;
    this.waitTimeoutMs = options.waitTimeoutMs ?? 60_000;
    this.stats = new StatsCollector(this.events);
    this.telemetry = new TelemetryMetrics(this.events);
    this.traceQuestions = options.telemetry?.questions === true;
    this.stages = buildStages(options, this.events, this.prefix);
    this.semantic = this.stages.semantic;
    const embedder = options.semantic?.embedder;
    this.releaseEmbedder = embedder?.retain?.();
    this.started = Promise.all([this.stages.sync.start(), this.warm(embedder)]).then(() => {});
  }

  /**
   * Resolves once the index is rebuilt from the store, the bus is listening and the embedder's
   * model is loaded (`Embedder.load`). Never rejects: a failure is an `error` event.
   */
  ready(): Promise<void> {
    return this.started;
  }

  on<E extends CacheEventName>(name: E, listener: CacheListener<E>): () => void {
    return this.events.on(name, listener);
  }

  off<E extends CacheEventName>(name: E, listener: CacheListener<E>): void {
    this.events.off(name, listener);
  }

  /** Looks up `request`; on a miss runs `call` once (for all concurrent identical callers) and stores its answer. */
  async run<T>(
    request: CacheRequest,
    call: () => Promise<CacheResponse<T>>,
    options: CallOptions = {},
  ): Promise<CacheOutcome<T>> {
    const lookup = await this.lookup<T>(request, options);
    if (lookup.hit) {
      // A stale answer within the stale-while-revalidate window: refreshed in the background.
      const { refresh, ...outcome } = lookup.outcome;
      void refresh?.(call);
      return outcome;
    }
    let response: CacheResponse<T>;
    try {
      response = await traced(
        "recall.upstream",
        { [attr.namespace]: lookup.namespace, [attr.key]: lookup.key },
        call,
      );
    } catch (error) {
      // Within the grace period, the stale entry is the answer; otherwise the error is.
      const stale = lookup.rescue(error);
      if (stale) return stale;
      throw error;
    }
    return lookup.commit(response);
  }

  /**
   * The two halves of `run`, for callers that cannot hand over a function (streams): a hit, or a
   * ticket to `commit` with the fresh answer (or `fail`). Never rejects: should anything in the
   * engine throw, it is an `error` event and a pass-through ticket.
   */
  lookup<T>(request: CacheRequest, options: CallOptions = {}): Promise<Lookup<T>> {
    return traced("recall.lookup", {}, async (span) => {
      let found: Lookup<T>;
      try {
        found = await this.find<T>(request, options);
      } catch (error) {
        this.reportError("cache lookup failed; the call goes on uncached", error);
        found = passThrough(options.namespace ?? this.namespace, "cache lookup failed");
      }
      span.setAttributes(lookupAttributes(found));
      return found;
    });
  }

  /**
   * Reports a fault as an `error` event (and in stats), as the engine does its own: for adapters,
   * whose faults must reach the same listeners and never fail the call.
   */
  reportError(message: string, cause?: unknown, where: { key?: string; namespace?: string } = {}): void {
    this.events.emit("error", { error: toRecallError(errorCodes.ADAPTER_ERROR, message, cause), ...where });
  }

  /**
   * The exact key `request` has under `options` (as outcomes report it), or `undefined` when it
   * cannot be keyed. For adapters that must tell whether two calls are one to the cache.
   */
  keyOf(request: CacheRequest, options: CallOptions = {}): string | undefined {
    try {
      return this.keysOf(request, options).key;
    } catch {
      return undefined;
    }
  }

  private keysOf(request: CacheRequest, options: CallOptions): RequestKeys {
    return requestKeys(request, {
      prefix: this.prefix,
      namespace: options.namespace ?? this.namespace,
      caseInsensitive: this.caseInsensitive,
      semantic: this.semantic !== undefined && options.semantic !== false,
    });
  }

  private async find<T>(request: CacheRequest, options: CallOptions): Promise<Lookup<T>> {
    const namespace = options.namespace ?? this.namespace;
    let keys: RequestKeys;
    try {
      keys = this.keysOf(request, options);
    } catch (error) {
      // A request we cannot key is passed through untouched rather than failed.
      const reported = toRecallError(errorCodes.INVALID_REQUEST, "request not cached", error);
      this.events.emit("error", { error: reported, namespace });
      return passThrough(namespace, "the request could not be keyed");
    }
    const call: CallInfo = {
      namespace,
      key: keys.key,
      model: `${request.model.provider}:${request.model.id}`,
      startedAt: performance.now(),
    };
    const span = trace.getActiveSpan();
    span?.setAttributes(callAttributes(call));
    if (this.traceQuestions && keys.question !== undefined) span?.setAttribute(attr.question, keys.question);
    const modelId = request.model.id;
    const { variants } = this.stages;
    // How many answers the call wants its entry to hold (`variants`, docs/freshness.md).
    const answers = variants.of(request, options);

    if (options.noCache || options.forceRefresh) {
      this.events.emit("bypass", { ...call, reason: options.forceRefresh ? "forceRefresh" : "noCache" });
      if (options.forceRefresh) await this.stages.entries.delete([keys.key]);
      return missTicket<T>(this.stages.tickets, { status: "bypass", request, keys, call, options });
    }

    const kept = await this.stages.entries.readKept(keys.key);
    if (kept?.fresh && variants.full(kept.entry, answers)) {
      const { hits } = this.stages;
      const outcome = variants.serve(kept.entry, answers, (e) => hits.exact<T>(keys.key, e, call, modelId));
      return { hit: true, outcome };
    }
    // A fresh entry holding fewer answers than the call wants: a miss whose answer it gets appended.
    const filling = kept?.fresh ? answersOf(kept.entry).length : 0;
    let stale: MissCall["stale"];
    if (kept && !kept.fresh) {
      const served = this.serveStale<T>(kept.entry, { request, keys, call, options }, answers);
      if (served) return { hit: true, outcome: served };
      const grace = this.stages.freshness.grace(options);
      if (grace > 0) stale = { entry: kept.entry, grace };
    }

    // While its own entry fills, a question is not matched by meaning (it would match that entry).
    const embedded =
      filling > 0 ? undefined : await embedQuestion(this.semantic, keys, this.events, call, "lookup");
    let after: MissCall["after"];
    if (embedded) {
      const found = await this.findByMeaning<T>(keys.question!, embedded, call, modelId, options, answers);
      if ("outcome" in found) return { hit: true, outcome: found.outcome };
      after = found.after;
    }

    const miss: MissCall = { status: "miss", request, keys, call, options, after, stale, variants: answers };
    for (let attempt = 0; ; attempt++) {
      const slot = this.coalescer.join(keys.key, options.waitTimeoutMs ?? this.waitTimeoutMs);
      if (slot.leader) return this.lead<T>(miss, slot.settle, filling);
      const shared = (await slot.result) as CacheOutcome<T> | undefined;
      // A leader's stale answer (grace) is for waiters that allow grace too.
      const wanted = shared && (shared.status !== "stale" || stale !== undefined);
      if (shared && wanted) return { hit: true, outcome: this.stages.hits.coalesced(shared, call, modelId) };
      // The leader failed or took too long: try to lead (once more at most), then call on our own.
      if (attempt >= 1) return missTicket<T>(this.stages.tickets, miss);
    }
  }

  /**
   * Reports a hit wrong (or right) by its `outcome.id`. A wrong exact hit deletes its entry; a wrong
   * semantic hit never pairs that question with that entry again, and makes the entry stricter
   * (`pipeline/feedback.ts`). Pass `namespace` to accept only ids of that namespace (a tenant's
   * feedback endpoint). Throws `RECALL_INVALID_REQUEST` on an id that is not a Recall hit id.
   */
  feedback(id: string, feedback: Feedback, options: { namespace?: string } = {}): Promise<FeedbackResult> {
    return this.stages.feedback.apply(id, feedback, options);
  }

  /**
   * Resolves once background work is done: verifications (async and shadow mode) and their
   * promotions, and refreshes of stale entries (stale-while-revalidate).
   */
  async drain(): Promise<void> {
    await Promise.all([this.stages.verification?.drain(), this.stages.refresher.drain()]);
  }

  /** Deletes one entry by its key (as reported in outcomes and events). */
  delete(key: string): Promise<void> {
    return this.stages.purger.key(key);
  }

  /** Deletes every entry of a namespace; how many. Needs a store Keyv can iterate (memory, Redis, …). */
  purgeNamespace(namespace: string): Promise<number> {
    return this.stages.purger.namespace(namespace);
  }

  /**
   * The cache's entries (a shared store may hold other keys too), for tools that list, search and
   * inspect them (a dashboard). Needs a store Keyv can iterate; yields nothing otherwise. Expired
   * entries still in the store are included, with their `expiresAt`.
   */
  async *entries(): AsyncGenerator<{ key: string; entry: CacheEntry }> {
    for await (const [key, entry] of this.stages.entries.own()) yield { key, entry };
  }

  /** Deletes every entry stored with `tag`; how many. Needs a store Keyv can iterate. */
  purgeTag(tag: string): Promise<number> {
    return this.stages.purger.tag(tag);
  }

  /**
   * Stops listening to the bus, releases the index, and lets the embedder free what it holds once
   * no cache uses it (`Embedder.retain`: the local embedder's worker threads end).
   */
  async close(): Promise<void> {
    await this.stages.sync.close();
    const release = this.releaseEmbedder;
    this.releaseEmbedder = undefined;
    await release?.().catch((error: unknown) => this.reportError("releasing the embedder failed", error));
    this.stats.close();
    this.telemetry.close();
  }

  /** Loads the embedder's model ahead of the first question; a failure is reported, not thrown. */
  private async warm(embedder: Embedder | undefined): Promise<void> {
    try {
      await embedder?.load?.();
    } catch (error) {
      this.events.emit("error", {
        error: toRecallError(errorCodes.SEMANTIC_ERROR, "loading the embedder failed", error),
      });
    }
  }

  /**
   * The semantic stage after an exact miss: a candidate at its threshold (or through an alias) is
   * served; one just below it goes to the verifier (`verification.ts`): served if it says so now,
   * or verified once this call's answer is back. In shadow mode nothing is served; what would have
   * been is reported after the answer (`shadow.ts`).
   */
  private async findByMeaning<T>(
    question: string,
    embedded: Embedded,
    call: CallInfo,
    modelId: string,
    options: CallOptions,
    wanted: number,
  ): Promise<{ outcome: CacheOutcome<T> } | { after?: MissCall["after"] }> {
    const semantic = this.semantic!;
    const { verification, hits, shadow, variants } = this.stages;
    // A paraphrase's answer is drawn among the matched entry's, however many it holds yet.
    const serve = (match: SemanticMatch, decidedBy: DecidedBy) =>
      variants.serve(match.entry, wanted, (entry) =>
        hits.semantic<T>({ ...match, entry }, decidedBy, question, call, modelId),
      );
    const verifyMode =
      verification && options.verify !== false ? (options.verify ?? verification.mode) : undefined;
    const threshold = options.threshold ?? semantic.threshold;
    const floor = verifyMode && verification ? verification.band : threshold;
    const { partition, vector } = embedded;
    const read = (k: string) => this.stages.entries.read(k);
    const finding = await semantic.find(question, partition, vector, threshold, floor, read, call);
    if (semantic.mode === "shadow") return { after: shadow.watch(question, vector, finding, call, modelId) };
    if (finding.match) return { outcome: serve(finding.match, finding.match.decidedBy) };
    if (!finding.nearest || !verifyMode || !verification) return {};
    const pending = { question, vector, candidate: finding.nearest, call };
    const decidedBy = await verification.decide(pending, verifyMode);
    if (decidedBy) return { outcome: serve(finding.nearest, decidedBy) };
    if (verifyMode === "sync") return {};
    return { after: (response) => verification.later(pending, response, "async") };
  }

  /**
   * An exact entry past its TTL, within the call's stale-while-revalidate window: served stale, with
   * the refresh the caller starts (`outcome.refresh`). Not for a call that may not store.
   */
  private serveStale<T>(entry: CacheEntry, stale: StaleCall, wanted: number): CacheOutcome<T> | undefined {
    const window = this.stages.freshness.window(stale.options);
    if (window <= 0 || stale.options.noStore || entry.expiresAt === undefined) return undefined;
    if (this.stages.clock.now() >= entry.expiresAt + window) return undefined;
    const { hits, refresher, variants } = this.stages;
    const outcome = variants.serve(entry, wanted, (e) =>
      hits.stale<T>(e, stale.call, stale.request.model.id, "revalidate", "revalidating"),
    );
    outcome.refresh = (call) => refresher.refresh(stale, call);
    return outcome;
  }

  /**
   * This process leads the call for the key: take the shared lock, unless another instance answered
   * (stored an entry, or for answer variants one more answer than the `filling` this call saw).
   */
  private async lead<T>(
    miss: MissCall,
    settle: (outcome: CacheOutcome | undefined) => void,
    filling = 0,
  ): Promise<Lookup<T>> {
    const wait = miss.options.waitTimeoutMs ?? this.waitTimeoutMs;
    const { lock, hits, variants } = this.stages;
    const wanted = miss.variants ?? 1;
    const answered = (entry: CacheEntry) => variants.full(entry, wanted) || answersOf(entry).length > filling;
    const won = lock ? await lock.acquire(miss.keys.key, wait, answered) : {};
    if (won.entry) {
      const outcome = variants.serve(won.entry, wanted, (e) =>
        hits.coalescedEntry<T>(e, miss.call, miss.request.model.id),
      );
      settle(outcome);
      return { hit: true, outcome };
    }
    return missTicket<T>(this.stages.tickets, { ...miss, settle, handle: won.handle });
  }
}

/**
 * Creates a cache. Throws `RECALL_INVALID_OPTION` at once on bad options.
 *
 * @example
 * const cache = createCache({ namespace: "support-bot", ttl: 3_600_000 });
 * const outcome = await cache.run(request, () => callTheModel(request));
 */
export function createCache(options: CacheOptions = {}): RecallCache {
  return new RecallCache(options);
}

/** What a lookup span says about how it ended. */
function lookupAttributes(found: Lookup): Attributes {
  if (!found.hit) return { [attr.status]: found.status, [attr.namespace]: found.namespace };
  const { outcome } = found;
  return {
    [attr.status]: outcome.status,
    ...(outcome.similarity === undefined ? {} : { [attr.similarity]: outcome.similarity }),
    ...(outcome.decidedBy === undefined ? {} : { [attr.decidedBy]: outcome.decidedBy }),
  };
}
