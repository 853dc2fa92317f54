import type Keyv from "keyv";
import { Breaker, type BreakerOptions } from "./breaker.js";
import type { BusMessage, CacheBus } from "./bus.js";
import { Coalescer } from "./coalesce.js";
import { type CacheEntry, isCacheEntry } from "./entry.js";
import { assertOption, errorCodes, RecallError, type RecallErrorCode, toRecallError } from "./errors.js";
import { type CacheEventName, type CacheListener, Emitter, type Savings } from "./events.js";
import { createVectorIndex } from "./index/index.js";
import { keyScope, type RequestKeys, requestKeys } from "./keys.js";
import type { DistributedLock, LockHandle } from "./lock.js";
import { createMemoryStore } from "./memory-store.js";
import { type ModelPrice, PriceTable } from "./pricing.js";
import type { CacheRequest } from "./request.js";
import type { CacheResponse } from "./response.js";
import { SemanticMatcher, type SemanticOptions } from "./semantic.js";
import { StatsCollector } from "./stats.js";
import { SafeStore } from "./store.js";
import { builtInVerdict, type UserValidator, userVerdict, type Verdict } from "./validate.js";

export interface CacheOptions {
  /** Any Keyv instance (`@keyv/redis`, …). Default: in-memory, LRU-bounded to `maxEntries`. */
  store?: Keyv;
  /** Bound of the default in-memory store. Default 10,000 entries. */
  maxEntries?: number;
  /** Default namespace (tenant, app, environment). Default `default`. */
  namespace?: string;
  /** Prefix of every key Recall writes. Default `recall`. */
  keyPrefix?: string;
  /** Time to live of an entry in ms. Default one day; `0` keeps entries until evicted. */
  ttl?: number;
  /** `fixed`: an entry expires `ttl` after it was stored. `sliding`: each hit renews it. Default `fixed`. */
  ttlMode?: "fixed" | "sliding";
  /** Bound on each store operation; past it the operation counts as a miss. Default 50 ms. */
  storeTimeoutMs?: number;
  /**
   * After `failures` failed or late operations in a row of the store (or of the lock), skip it for
   * `cooldownMs`: store reads miss and writes are dropped, calls go on without the lock, with no
   * wait. Then one operation probes it. Default `{ failures: 5, cooldownMs: 1000 }`; `false` always
   * tries them.
   */
  breaker?: BreakerOptions | false;
  /** Fold letter case in message text before keying. Default false. */
  caseInsensitive?: boolean;
  /** Match paraphrases by meaning. Off unless given. */
  semantic?: SemanticOptions;
  /** Your own checks before storing, after the built-in rules: functions or Standard Schemas. */
  validate?: UserValidator | UserValidator[];
  /** Extra or overriding model prices (USD per million tokens). */
  pricing?: Record<string, ModelPrice>;
  /** A lock shared by many processes (`@recall/redis`), so they call upstream once per request. */
  lock?: DistributedLock;
  /** How long a lock is held at most if its holder dies. Default 30 s. */
  lockTtlMs?: number;
  /** How long a concurrent identical request waits for another's answer before calling itself. Default 60 s. */
  waitTimeoutMs?: number;
  /** A channel to other instances (`@recall/redis`) that keeps their in-process indexes in step. */
  bus?: CacheBus;
}

/** Per-call controls. */
export interface CallOptions {
  /** Do not read the cache (the fresh answer is still stored unless `noStore`). */
  noCache?: boolean;
  /** Do not store the answer. */
  noStore?: boolean;
  /** Drop the cached answer, call upstream, store the new one. */
  forceRefresh?: boolean;
  /** Time to live for this entry, in ms. */
  ttl?: number;
  /** Namespace of this call (e.g. a tenant or user id). */
  namespace?: string;
  /** Similarity threshold for this call. */
  threshold?: number;
  /** `false` keeps this call to exact matching. */
  semantic?: boolean;
  /** Tags for this entry, so a whole tag can be purged at once. */
  tags?: string[];
}

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
  /** On semantic hits: the cosine similarity and the question that was matched. */
  similarity?: number;
  matchedQuestion?: string;
  /** On misses: whether the answer was stored, and why not. */
  stored?: boolean;
  rejectedBecause?: string;
}

/** The result of `lookup`: a hit, or a ticket the caller settles with the fresh answer. */
export type Lookup<T = unknown> =
  | { hit: true; outcome: CacheOutcome<T> }
  | {
      hit: false;
      status: "miss" | "bypass";
      key: string;
      namespace: string;
      /** Validates and stores the fresh answer (unless told not to) and hands it to waiting callers. */
      commit(response: CacheResponse<T>): Promise<CacheOutcome<T>>;
      /** The upstream call failed: waiting callers go on to call upstream themselves. */
      fail(): void;
    };

/** A lookup that missed: the ticket to settle with the fresh answer. */
export type LookupMiss<T = unknown> = Extract<Lookup<T>, { hit: false }>;

const DAY = 86_400_000;

/**
 * The engine every adapter calls: normalize → key → read → (hit) or (coalesce → call → validate →
 * store). It never fails a call for its own reasons: store, lock, bus and embedding faults are misses
 * plus an `error` event.
 */
export class RecallCache {
  readonly namespace: string;
  readonly stats: StatsCollector;
  readonly semantic: SemanticMatcher | undefined;
  private readonly events = new Emitter();
  private readonly store: SafeStore;
  private readonly prefix: string;
  private readonly ttl: number;
  private readonly sliding: boolean;
  private readonly caseInsensitive: boolean;
  private readonly validators: UserValidator[];
  private readonly prices: PriceTable;
  private readonly coalescer = new Coalescer<CacheOutcome>();
  private readonly lock: DistributedLock | undefined;
  private readonly lockTtlMs: number;
  private readonly lockBreaker: Breaker;
  private readonly waitTimeoutMs: number;
  private readonly bus: CacheBus | undefined;
  private readonly started: Promise<void>;
  private unsubscribeBus: (() => Promise<void>) | undefined;
  private catchingUp: Promise<void> | undefined;
  private catchUpAgain = false;
  private closed = false;

  constructor(options: CacheOptions = {}) {
    validateOptions(options);
    this.namespace = options.namespace ?? "default";
    this.prefix = options.keyPrefix ?? "recall";
    this.ttl = options.ttl ?? DAY;
    this.sliding = options.ttlMode === "sliding";
    this.caseInsensitive = options.caseInsensitive ?? false;
    this.validators = options.validate === undefined ? [] : [options.validate].flat();
    this.prices = new PriceTable(options.pricing);
    this.lock = options.lock;
    this.lockTtlMs = options.lockTtlMs ?? 30_000;
    this.waitTimeoutMs = options.waitTimeoutMs ?? 60_000;
    this.bus = options.bus;
    this.stats = new StatsCollector(this.events);
    const report = (error: RecallError, key?: string) => this.events.emit("error", { error, key });
    const breaker = options.breaker === false ? { failures: Number.POSITIVE_INFINITY } : options.breaker;
    const opened = (code: RecallErrorCode, what: string, meanwhile: string) => (b: Breaker) =>
      report(new RecallError(code, b.openMessage(what, meanwhile)));
    this.store = new SafeStore(
      options.store ?? createMemoryStore(options),
      options.storeTimeoutMs ?? 50,
      report,
      new Breaker(
        breaker,
        opened(errorCodes.STORE_UNAVAILABLE, "the store", "calls skip it (misses, nothing stored)"),
      ),
    );
    this.lockBreaker = new Breaker(
      breaker,
      opened(errorCodes.LOCK_UNAVAILABLE, "the lock", "calls go on without it"),
    );
    this.semantic = options.semantic
      ? new SemanticMatcher(
          options.semantic,
          options.semantic.index ?? createVectorIndex(),
          this.events,
          report,
        )
      : undefined;
    this.started = this.start();
  }

  /** Resolves once the index is rebuilt from the store and the bus is listening. Never rejects. */
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
    if (lookup.hit) return lookup.outcome;
    let response: CacheResponse<T>;
    try {
      response = await call();
    } catch (error) {
      lookup.fail();
      throw error;
    }
    return lookup.commit(response);
  }

  /**
   * The two halves of `run`, for callers that cannot hand over a function (streams): a hit, or a
   * ticket to `commit` with the fresh answer (or `fail`).
   */
  async lookup<T>(request: CacheRequest, options: CallOptions = {}): Promise<Lookup<T>> {
    const namespace = options.namespace ?? this.namespace;
    let keys: RequestKeys;
    try {
      keys = requestKeys(request, {
        prefix: this.prefix,
        namespace,
        caseInsensitive: this.caseInsensitive,
        semantic: this.semantic !== undefined && options.semantic !== false,
      });
    } catch (error) {
      // A request we cannot key is passed through untouched rather than failed.
      this.events.emit("error", {
        error: toRecallError(errorCodes.INVALID_REQUEST, "request not cached", error),
        namespace,
      });
      return passThrough(namespace);
    }
    const base = { namespace, key: keys.key, model: `${request.model.provider}:${request.model.id}` };
    const modelId = request.model.id;

    if (options.noCache || options.forceRefresh) {
      this.events.emit("bypass", { ...base, reason: options.forceRefresh ? "forceRefresh" : "noCache" });
      if (options.forceRefresh) await this.deleteKeys([keys.key]);
      return this.ticket<T>("bypass", request, keys, base, options);
    }

    const entry = await this.read(keys.key);
    if (entry) return { hit: true, outcome: this.hitOutcome<T>("hit", keys.key, entry, base, modelId) };

    const embedded = await this.embedQuestion(keys, base);
    if (embedded) {
      const semantic = this.semantic!;
      const match = await semantic.find(
        keys.question!,
        embedded.partition,
        embedded.vector,
        options.threshold ?? semantic.threshold,
        (k) => this.read(k),
        base,
      );
      if (match) {
        const outcome = this.hitOutcome<T>(
          "semantic-hit",
          match.key,
          match.entry,
          base,
          modelId,
          match.similarity,
        );
        return { hit: true, outcome };
      }
    }

    for (let attempt = 0; ; attempt++) {
      const slot = this.coalescer.join(keys.key, this.waitTimeoutMs);
      if (slot.leader) return this.lead<T>(request, keys, base, options, slot.settle);
      const shared = (await slot.result) as CacheOutcome<T> | undefined;
      if (shared) {
        const saved = this.savedBy(shared.response, modelId);
        this.events.emit("coalesced", { ...base, saved });
        return { hit: true, outcome: { ...shared, status: "coalesced", saved } };
      }
      // The leader failed or took too long: try to lead (once more at most), then call on our own.
      if (attempt >= 1) return this.ticket<T>("miss", request, keys, base, options);
    }
  }

  /** Deletes one entry by its key (as reported in outcomes and events). */
  async delete(key: string): Promise<void> {
    await this.deleteKeys([key]);
    await this.publish({ type: "deleted", ids: [key] });
  }

  /** Deletes every entry of a namespace. Needs a store Keyv can iterate (memory, Redis, …). */
  async purgeNamespace(namespace: string): Promise<number> {
    const scope = `${keyScope(this.prefix, namespace)}:`;
    const keys: string[] = [];
    for await (const [key] of this.store.entries()) if (key.startsWith(scope)) keys.push(key);
    await this.store.delete(keys);
    if (this.semantic) {
      if (this.semantic.index.removeNamespace)
        await this.semantic.index.removeNamespace(namespace).catch(() => {});
      else this.semantic.remove(keys);
    }
    await this.publish({ type: "namespace-purged", namespace });
    return keys.length;
  }

  /** Deletes every entry stored with `tag`. Needs a store Keyv can iterate. */
  async purgeTag(tag: string): Promise<number> {
    const keys: string[] = [];
    for await (const [key, entry] of this.ownEntries()) if (entry.tags?.includes(tag)) keys.push(key);
    await this.deleteKeys(keys);
    await this.publish({ type: "tag-purged", tag, ids: keys });
    return keys.length;
  }

  /** Stops listening to the bus and releases the index. */
  async close(): Promise<void> {
    this.closed = true;
    await this.started;
    await this.unsubscribeBus?.();
    await this.catchingUp;
    this.stats.close();
  }

  private async lead<T>(
    request: CacheRequest,
    keys: RequestKeys,
    base: { namespace: string; key: string; model: string },
    options: CallOptions,
    settle: (outcome: CacheOutcome | undefined) => void,
  ): Promise<Lookup<T>> {
    let handle: LockHandle | undefined;
    if (this.lock) {
      const won = await this.acquireAcrossInstances(keys.key);
      if (won.entry) {
        const saved = this.savedBy(won.entry.response, request.model.id);
        const outcome: CacheOutcome<T> = {
          status: "coalesced",
          response: won.entry.response as CacheResponse<T>,
          key: keys.key,
          namespace: base.namespace,
          saved,
          ageMs: Date.now() - won.entry.createdAt,
        };
        this.events.emit("coalesced", { ...base, saved });
        settle(outcome);
        return { hit: true, outcome };
      }
      handle = won.handle;
    }
    const ticket = this.ticket<T>("miss", request, keys, base, options, settle, handle);
    return ticket;
  }

  /**
   * Takes the shared lock, or waits for its holder's answer and re-reads the store, until the wait
   * bound; then goes on without the lock rather than hang.
   */
  private async acquireAcrossInstances(key: string): Promise<{ handle?: LockHandle; entry?: CacheEntry }> {
    const lock = this.lock!;
    const deadline = Date.now() + this.waitTimeoutMs;
    const lockKey = `${key}:lock`;
    while (Date.now() < deadline) {
      // A lock that keeps failing is left alone for a while: the call goes on without it.
      const permit = this.lockBreaker.allow();
      if (!permit) return {};
      let handle: LockHandle | undefined;
      try {
        handle = await lock.acquire(lockKey, this.lockTtlMs);
        this.lockBreaker.succeeded(permit);
      } catch (error) {
        this.events.emit("error", { error: toRecallError(errorCodes.LOCK_ERROR, "lock failed", error), key });
        this.lockBreaker.failed(permit);
        return {};
      }
      if (handle) {
        // Someone may have stored the answer between our read and the lock.
        const entry = await this.read(key);
        if (entry) {
          await handle.release();
          return { entry };
        }
        return { handle };
      }
      await lock.waitForRelease(lockKey, Math.max(0, deadline - Date.now())).catch(() => {});
      const entry = await this.read(key);
      if (entry) return { entry };
    }
    return {};
  }

  private ticket<T>(
    status: "miss" | "bypass",
    request: CacheRequest,
    keys: RequestKeys,
    base: { namespace: string; key: string; model: string },
    options: CallOptions,
    settle?: (outcome: CacheOutcome | undefined) => void,
    handle?: LockHandle,
  ): Lookup<T> {
    if (status === "miss") this.events.emit("miss", base);
    let done = false;
    return {
      hit: false,
      status,
      key: keys.key,
      namespace: base.namespace,
      commit: async (response) => {
        if (done) throw new RecallError(errorCodes.INVALID_REQUEST, "a lookup ticket can be settled once");
        done = true;
        const outcome: CacheOutcome<T> = {
          status,
          response,
          key: keys.key,
          namespace: base.namespace,
          stored: false,
        };
        try {
          const verdict = await this.verdict(request, response);
          if (!verdict.ok) {
            outcome.rejectedBecause = verdict.reason;
            this.events.emit("reject", { ...base, reason: verdict.reason });
          } else if (!options.noStore) {
            outcome.stored = await this.write(keys, base, response, options);
          }
        } finally {
          settle?.(outcome as CacheOutcome);
          await handle?.release();
        }
        return outcome;
      },
      fail: () => {
        if (done) return;
        done = true;
        settle?.(undefined);
        void handle?.release();
      },
    };
  }

  private async verdict(request: CacheRequest, response: CacheResponse): Promise<Verdict> {
    const builtIn = builtInVerdict(request, response);
    if (!builtIn.ok || this.validators.length === 0) return builtIn;
    try {
      return await userVerdict(this.validators, request, response);
    } catch (error) {
      this.events.emit("error", {
        error: toRecallError(errorCodes.VALIDATOR_ERROR, "a validator threw", error),
      });
      return { ok: false, reason: "a validator threw" };
    }
  }

  private async write(
    keys: RequestKeys,
    base: { namespace: string; key: string; model: string },
    response: CacheResponse,
    options: CallOptions,
  ): Promise<boolean> {
    const ttl = options.ttl ?? this.ttl;
    const now = Date.now();
    const entry: CacheEntry = {
      v: 1,
      response,
      namespace: base.namespace,
      model: base.model,
      createdAt: now,
      ...(ttl > 0 ? { ttl, expiresAt: now + ttl } : {}),
      ...(options.tags?.length ? { tags: options.tags } : {}),
    };
    const embedded = await this.embedQuestion(keys);
    if (embedded) {
      entry.question = keys.question;
      entry.partition = embedded.partition;
      entry.vector = this.semantic!.encode(embedded.vector);
      entry.embedder = this.semantic!.embedder.id;
    }
    const ok = await this.store.set(keys.key, entry, ttl > 0 ? ttl : undefined);
    if (!ok) return false;
    if (embedded) {
      const { partition, vector } = embedded;
      await this.semantic!.add(keys.key, base.namespace, partition, vector);
      await this.publish({
        type: "vector-added",
        item: { id: keys.key, namespace: base.namespace, partition, vector: Array.from(vector) },
      });
    }
    this.events.emit("store", { ...base, ...(ttl > 0 ? { ttl } : {}) });
    return true;
  }

  /** Reads an entry; a value that is not ours is deleted and read as a miss. */
  private async read(key: string): Promise<CacheEntry | undefined> {
    const value = await this.store.get<unknown>(key);
    if (value === undefined || value === null) return undefined;
    if (!isCacheEntry(value)) {
      this.events.emit("error", {
        error: new RecallError(
          errorCodes.DECODE_ERROR,
          `the value under ${key} is not a Recall entry; deleted`,
        ),
        key,
      });
      void this.deleteKeys([key]);
      return undefined;
    }
    if (value.expiresAt !== undefined && value.expiresAt <= Date.now()) return undefined;
    if (
      this.sliding &&
      value.ttl &&
      value.expiresAt !== undefined &&
      value.expiresAt - Date.now() < value.ttl / 2
    ) {
      // Renew when half the life is gone, not on every hit: one write per half-life at most.
      void this.store.set(key, { ...value, expiresAt: Date.now() + value.ttl }, value.ttl);
    }
    return value;
  }

  private hitOutcome<T>(
    status: "hit" | "semantic-hit",
    key: string,
    entry: CacheEntry,
    base: { namespace: string; key: string; model: string },
    modelId: string,
    similarity?: number,
  ): CacheOutcome<T> {
    const saved = this.savedBy(entry.response, modelId);
    const ageMs = Date.now() - entry.createdAt;
    const outcome: CacheOutcome<T> = {
      status,
      response: entry.response as CacheResponse<T>,
      key,
      namespace: base.namespace,
      saved,
      ageMs,
    };
    if (status === "hit") {
      this.events.emit("hit", { ...base, saved, ageMs });
      return outcome;
    }
    const matchedQuestion = entry.question ?? "";
    this.events.emit("semantic-hit", { ...base, saved, ageMs, similarity: similarity ?? 0, matchedQuestion });
    return { ...outcome, similarity, matchedQuestion };
  }

  /**
   * The question's vector and vector partition when this call is matched by meaning (the keys carry
   * a partition only then); undefined otherwise, when the question is unreadable to the matcher
   * (a `semantic-skip` on lookups, given `base`), or when embedding failed (reported).
   */
  private async embedQuestion(
    keys: RequestKeys,
    base?: { namespace: string; key: string; model: string },
  ): Promise<{ vector: Float32Array; partition: string } | undefined> {
    if (!this.semantic || keys.partition === undefined || keys.question === undefined) return undefined;
    const skip = await this.semantic.unreadable(keys.question, keys.key);
    if (skip) {
      if (base) this.events.emit("semantic-skip", { ...base, reason: skip });
      return undefined;
    }
    const vector = await this.semantic.vectorOf(keys.question, keys.key);
    return vector && { vector, partition: this.semantic.partitionOf(keys.partition) };
  }

  /** What answering with `response` instead of calling `modelId` saved (priced by the model that made it). */
  private savedBy(response: CacheResponse, modelId: string): Savings {
    return this.prices.savings(response.modelId ?? modelId, response.usage);
  }

  private async deleteKeys(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.store.delete(keys);
    this.semantic?.remove(keys);
  }

  private async publish(message: BusMessage): Promise<void> {
    if (!this.bus) return;
    try {
      await this.bus.publish(message);
    } catch (error) {
      this.events.emit("error", { error: toRecallError(errorCodes.BUS_ERROR, "bus publish failed", error) });
    }
  }

  private async start(): Promise<void> {
    if (this.bus) {
      try {
        this.unsubscribeBus = await this.bus.subscribe(
          (message) => this.onBusMessage(message),
          () => void this.catchUp(),
        );
      } catch (error) {
        this.events.emit("error", {
          error: toRecallError(errorCodes.BUS_ERROR, "bus subscribe failed", error),
        });
      }
    }
    if (this.semantic) await this.rebuildIndex();
  }

  /** Re-adds the vectors of stored semantic entries, so a new process matches what others stored. */
  private async rebuildIndex(): Promise<void> {
    const semantic = this.semantic!;
    try {
      if ((await semantic.index.size()) > 0) return;
    } catch {
      return;
    }
    await this.restoreStored();
  }

  /** Re-adds the vector of every stored semantic entry to the index (until closed); how many. */
  private async restoreStored(): Promise<number> {
    let restored = 0;
    for await (const [key, entry] of this.ownEntries()) {
      if (this.closed) break;
      if (await this.semantic!.restore(key, entry)) restored++;
    }
    return restored;
  }

  /** The store's Recall entries (a shared store may hold other keys and values too). */
  private async *ownEntries(): AsyncGenerator<[string, CacheEntry]> {
    for await (const [key, value] of this.store.entries()) {
      if (key.startsWith(`${this.prefix}:`) && isCacheEntry(value)) yield [key, value];
    }
  }

  /**
   * After a gap in the bus (a reconnect), re-adds every stored semantic entry to the in-process
   * index, so entries other instances stored meanwhile become matchable here. Deletes missed in the
   * gap need nothing: a match whose entry is gone is dropped when it is found. One pass at a time;
   * a gap during a pass runs one more.
   */
  private catchUp(): Promise<void> {
    const semantic = this.semantic;
    if (!semantic || semantic.index.shared || this.closed) return Promise.resolve();
    if (this.catchingUp) {
      this.catchUpAgain = true;
      return this.catchingUp;
    }
    this.catchingUp = (async () => {
      let entries = 0;
      do {
        this.catchUpAgain = false;
        entries += await this.restoreStored();
      } while (this.catchUpAgain && !this.closed);
      if (!this.closed) this.events.emit("caught-up", { entries });
    })().finally(() => {
      this.catchingUp = undefined;
    });
    return this.catchingUp;
  }

  private onBusMessage(message: BusMessage): void {
    const semantic = this.semantic;
    // A shared index (pgvector) already holds what another instance added or removed.
    if (!semantic || semantic.index.shared) return;
    switch (message.type) {
      case "vector-added":
        void semantic.add(
          message.item.id,
          message.item.namespace,
          message.item.partition,
          Float32Array.from(message.item.vector),
        );
        break;
      case "deleted":
      case "tag-purged":
        semantic.remove(message.ids);
        break;
      case "namespace-purged":
        void semantic.index.removeNamespace?.(message.namespace).catch(() => {});
        break;
    }
  }
}

/** Creates a cache. Throws `RECALL_INVALID_OPTION` at once on bad options. */
export function createCache(options: CacheOptions = {}): RecallCache {
  return new RecallCache(options);
}

function passThrough<T>(namespace: string): Lookup<T> {
  return {
    hit: false,
    status: "bypass",
    key: "",
    namespace,
    commit: async (response) => ({ status: "bypass", response, key: "", namespace, stored: false }),
    fail: () => {},
  };
}

function validateOptions(o: CacheOptions): void {
  assertOption(typeof o === "object" && o !== null, "options must be an object");
  const positive = (name: keyof CacheOptions, allowZero = false) => {
    const v = o[name];
    if (v === undefined) return;
    assertOption(
      typeof v === "number" && Number.isFinite(v) && (allowZero ? v >= 0 : v > 0),
      `${name} must be a ${allowZero ? "non-negative" : "positive"} number of ${name === "maxEntries" ? "entries" : "milliseconds"}, got ${JSON.stringify(v)}`,
    );
  };
  positive("ttl", true);
  positive("storeTimeoutMs");
  positive("maxEntries");
  positive("lockTtlMs");
  positive("waitTimeoutMs", true);
  if (o.breaker !== undefined && o.breaker !== false) {
    assertOption(
      typeof o.breaker === "object" && o.breaker !== null,
      `breaker must be { failures, cooldownMs } or false, got ${JSON.stringify(o.breaker)}`,
    );
    const { failures, cooldownMs } = o.breaker;
    assertOption(
      failures === undefined || (Number.isInteger(failures) && failures > 0),
      `breaker.failures must be a positive integer, got ${JSON.stringify(failures)}`,
    );
    assertOption(
      cooldownMs === undefined ||
        (typeof cooldownMs === "number" && Number.isFinite(cooldownMs) && cooldownMs > 0),
      `breaker.cooldownMs must be a positive number of milliseconds, got ${JSON.stringify(cooldownMs)}`,
    );
  }
  assertOption(
    o.ttlMode === undefined || o.ttlMode === "fixed" || o.ttlMode === "sliding",
    `ttlMode must be "fixed" or "sliding", got ${JSON.stringify(o.ttlMode)}`,
  );
  assertOption(
    o.namespace === undefined || (typeof o.namespace === "string" && o.namespace.length > 0),
    "namespace must be a non-empty string",
  );
  assertOption(
    o.keyPrefix === undefined || (typeof o.keyPrefix === "string" && /^[\w.-]+$/.test(o.keyPrefix)),
    "keyPrefix must be letters, digits, '_', '.' or '-'",
  );
  assertOption(
    o.store === undefined ||
      (typeof o.store === "object" &&
        o.store !== null &&
        typeof (o.store as Keyv).get === "function" &&
        typeof (o.store as Keyv).set === "function"),
    "store must be a Keyv instance (new Keyv(...)); wrap a raw adapter with new Keyv({ store })",
  );
  if (o.semantic) {
    const s = o.semantic;
    assertOption(
      typeof s.embedder?.embed === "function" &&
        typeof s.embedder.id === "string" &&
        s.embedder.id.length > 0,
      "semantic.embedder must implement Embedder (id, dimensions, embed(texts))",
    );
    assertOption(
      s.threshold === undefined || (typeof s.threshold === "number" && s.threshold > 0 && s.threshold <= 1),
      `semantic.threshold must be a cosine similarity in (0, 1], got ${JSON.stringify(s.threshold)}`,
    );
    assertOption(
      s.candidates === undefined || (Number.isInteger(s.candidates) && s.candidates > 0),
      "semantic.candidates must be a positive integer",
    );
  }
  for (const v of o.validate === undefined ? [] : [o.validate].flat()) {
    assertOption(
      typeof v === "function" || (typeof v === "object" && v !== null && "~standard" in v),
      "validate must be a function or a Standard Schema (zod, valibot, …)",
    );
  }
  if (o.lock)
    assertOption(
      typeof o.lock.acquire === "function" && typeof o.lock.waitForRelease === "function",
      "lock must implement DistributedLock",
    );
  if (o.bus)
    assertOption(
      typeof o.bus.publish === "function" && typeof o.bus.subscribe === "function",
      "bus must implement CacheBus",
    );
}
