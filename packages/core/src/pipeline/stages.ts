import { Breaker, type BreakerOptions } from "../breaker.js";
import { errorCodes, RecallError, type RecallErrorCode } from "../errors.js";
import type { Emitter } from "../events.js";
import { createVectorIndex } from "../index/index.js";
import { createMemoryStore } from "../memory-store.js";
import { PriceTable } from "../pricing.js";
import { SemanticMatcher } from "../semantic.js";
import { SafeStore } from "../store.js";
import { AliasVectors } from "./alias-vectors.js";
import { type Clock, systemClock } from "./clock.js";
import { Entries } from "./entries.js";
import { EntryUpdater, Updates } from "./entry-update.js";
import { EvidencePool } from "./evidence-pool.js";
import { FeedbackStage } from "./feedback.js";
import { Freshness } from "./freshness.js";
import { Hits } from "./hits.js";
import { IndexSync } from "./index-sync.js";
import { CrossInstanceLock } from "./leader.js";
import { type CacheOptions, DAY } from "./options.js";
import { Purger } from "./purge.js";
import { Refresher } from "./refresh.js";
import { Shadow } from "./shadow.js";
import type { TicketParts } from "./ticket.js";
import { Variants } from "./variants.js";
import { Verification } from "./verification.js";
import { Writer } from "./write.js";

/** The pipeline's stages, wired from validated options. */
export interface Stages {
  semantic: SemanticMatcher | undefined;
  entries: Entries;
  hits: Hits;
  sync: IndexSync;
  tickets: TicketParts;
  lock: CrossInstanceLock | undefined;
  purger: Purger;
  verification: Verification | undefined;
  shadow: Shadow;
  feedback: FeedbackStage;
  freshness: Freshness;
  refresher: Refresher;
  clock: Clock;
  variants: Variants;
}

/**
 * Builds every stage of one cache: the store behind its timeout and breaker, the matcher, the
 * exact reader, hit reporting, the bus sync, the writer, the cross-instance lock and purges.
 */
export function buildStages(options: CacheOptions, events: Emitter, prefix: string): Stages {
  const clock = options.clock ?? systemClock;
  const report = (error: RecallError, key?: string) => events.emit("error", { error, key });
  const breaker = (code: RecallErrorCode, what: string, meanwhile: string) =>
    new Breaker(
      breakerOptions(options.breaker),
      (b) => report(new RecallError(code, b.openMessage(what, meanwhile))),
      () => clock.now(),
    );
  const store = new SafeStore(
    options.store ?? createMemoryStore(options),
    options.storeTimeoutMs ?? 50,
    report,
    breaker(errorCodes.STORE_UNAVAILABLE, "the store", "calls skip it (misses, nothing stored)"),
  );
  const semantic =
    options.semantic &&
    new SemanticMatcher(options.semantic, options.semantic.index ?? createVectorIndex(), events, report);
  const freshness = new Freshness(options);
  const sliding = options.ttlMode === "sliding";
  const entries = new Entries(store, prefix, sliding, clock, events, semantic, freshness.invalidated);
  const updates = new Updates(options.lock, events, clock);
  const updater = new EntryUpdater(entries, updates);
  const aliasVectors = new AliasVectors(store, updates, clock);
  const sync = new IndexSync(options.bus, semantic, entries, events, aliasVectors);
  const writer = new Writer(entries, semantic, sync, events, clock, options.ttl ?? DAY, freshness, updater);
  const validators = options.validate === undefined ? [] : [options.validate].flat();
  const lock =
    options.lock &&
    new CrossInstanceLock(
      options.lock,
      options.lockTtlMs ?? 30_000,
      options.waitTimeoutMs ?? 60_000,
      breaker(errorCodes.LOCK_UNAVAILABLE, "the lock", "calls go on without it"),
      entries,
      events,
      clock,
    );
  const prices = new PriceTable(options.pricing);
  const purger = new Purger(entries, semantic, sync, prefix);
  const verify = options.semantic?.verify;
  const pool = new EvidencePool(store, updates, prefix, clock);
  const verification =
    semantic &&
    verify &&
    new Verification(verify, semantic, updater, sync, events, prices, pool, aliasVectors);
  const hits = new Hits(prices, events, clock);
  const variants = new Variants(options);
  return {
    semantic,
    entries,
    hits,
    sync,
    tickets: { events, validators, writer, hits, clock, variants },
    freshness,
    clock,
    variants,
    refresher: new Refresher(entries, writer, validators, lock || undefined, events),
    lock,
    purger,
    verification: verification || undefined,
    shadow: new Shadow(verification || undefined, prices, events),
    feedback: new FeedbackStage(
      prefix,
      updater,
      purger,
      semantic,
      sync,
      verification || undefined,
      events,
      pool,
      aliasVectors,
    ),
  };
}

function breakerOptions(option: BreakerOptions | false | undefined): BreakerOptions | undefined {
  return option === false ? { failures: Number.POSITIVE_INFINITY } : option;
}
