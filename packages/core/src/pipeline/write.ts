import type { CacheEntry } from "../entry.js";
import type { Emitter } from "../events.js";
import type { RequestKeys } from "../keys.js";
import type { CacheResponse } from "../response.js";
import type { SemanticMatcher } from "../semantic.js";
import { attr, callAttributes, traced } from "../telemetry.js";
import type { Clock } from "./clock.js";
import type { Entries } from "./entries.js";
import type { EntryUpdater } from "./entry-update.js";
import type { Freshness } from "./freshness.js";
import type { IndexSync } from "./index-sync.js";
import { embedQuestion } from "./meaning.js";
import type { CallOptions } from "./options.js";
import type { CallInfo } from "./outcome.js";
import { answersOf, withVariant } from "./variants.js";

/**
 * The write stage: a validated answer becomes an entry (with its TTL, tags, and, when matched by
 * meaning, its question and vector), is stored, and its vector is added to the index and sent to
 * the other instances; or, for answer variants, is appended to the entry (`variants.ts`). A store
 * that fails is a dropped write (0), never an error to the caller.
 */
export class Writer {
  constructor(
    private readonly entries: Entries,
    private readonly semantic: SemanticMatcher | undefined,
    private readonly sync: IndexSync,
    private readonly events: Emitter,
    private readonly clock: Clock,
    private readonly defaultTtl: number,
    private readonly freshness: Freshness,
    private readonly updater: EntryUpdater,
  ) {}

  /**
   * Stores `response` under `keys.key`: how many answers the entry holds then (0: not stored).
   * With `variants` > 1 (a miss of a call wanting that many answers), a fresh entry holding fewer
   * gets it appended, keeping its age and expiry; one already holding them (filled meanwhile by
   * another instance) stores nothing. Otherwise the entry is replaced.
   */
  write(
    keys: RequestKeys,
    call: CallInfo,
    response: CacheResponse,
    options: CallOptions,
    variants = 1,
  ): Promise<number> {
    return traced("recall.store", callAttributes(call), async (span) => {
      const stored = await this.store(keys, call, response, options, variants);
      span.setAttribute(attr.stored, stored > 0);
      return stored;
    });
  }

  private async store(
    keys: RequestKeys,
    call: CallInfo,
    response: CacheResponse,
    options: CallOptions,
    variants = 1,
  ): Promise<number> {
    if (variants > 1) {
      // Appended like any change to a stored entry: one at a time per entry, across instances
      // under the shared lock, keeping its expiry (`entry-update.ts`).
      let found = false;
      const appended = await this.updater.update(keys.key, (existing) => {
        found = true;
        return answersOf(existing).length >= variants ? undefined : withVariant(existing, response);
      });
      if (appended) {
        this.events.emit("store", { ...call, ...(appended.ttl ? { ttl: appended.ttl } : {}) });
        return answersOf(appended).length;
      }
      // Full already (filled meanwhile by another instance), or the write failed: nothing stored.
      if (found) return 0;
    }
    const now = this.clock.now();
    const ttl = options.ttl ?? this.defaultTtl;
    // Kept past its TTL for as long as it may be served stale (stale-while-revalidate, grace).
    const kept = ttl > 0 ? this.freshness.keepPastTtl(options) : 0;
    const entry: CacheEntry = {
      v: 1,
      response,
      namespace: call.namespace,
      model: call.model,
      createdAt: now,
      ...(ttl > 0 ? { ttl, expiresAt: now + ttl } : {}),
      ...(kept > 0 ? { keepUntil: now + ttl + kept } : {}),
      ...(options.tags?.length ? { tags: options.tags } : {}),
    };
    const embedded = await embedQuestion(this.semantic, keys, this.events, call, "store");
    if (embedded) {
      entry.question = keys.question;
      entry.partition = embedded.partition;
      entry.vector = this.semantic!.encode(embedded.vector);
      entry.embedder = this.semantic!.embedder.id;
    }
    const ok = await this.entries.store.set(keys.key, entry, ttl > 0 ? ttl + kept : undefined);
    if (!ok) return 0;
    if (embedded) {
      const { partition, vector } = embedded;
      await this.semantic!.add(keys.key, call.namespace, partition, vector);
      await this.sync.publish({
        type: "vector-added",
        item: { id: keys.key, namespace: call.namespace, partition, vector: Array.from(vector) },
      });
    }
    this.events.emit("store", { ...call, ...(ttl > 0 ? { ttl } : {}) });
    return 1;
  }
}
