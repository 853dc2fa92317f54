import type { CacheEntry } from "../entry.js";
import type { Emitter } from "../events.js";
import type { RequestKeys } from "../keys.js";
import type { CacheResponse } from "../response.js";
import type { SemanticMatcher } from "../semantic.js";
import type { Clock } from "./clock.js";
import type { Entries } from "./entries.js";
import type { Freshness } from "./freshness.js";
import type { IndexSync } from "./index-sync.js";
import { embedQuestion } from "./meaning.js";
import type { CallOptions } from "./options.js";
import type { CallInfo } from "./outcome.js";

/**
 * The write stage: a validated answer becomes an entry (with its TTL, tags, and, when matched by
 * meaning, its question and vector), is stored, and its vector is added to the index and sent to
 * the other instances. A store that fails is a dropped write (`false`), never an error to the caller.
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
  ) {}

  async write(
    keys: RequestKeys,
    call: CallInfo,
    response: CacheResponse,
    options: CallOptions,
  ): Promise<boolean> {
    const ttl = options.ttl ?? this.defaultTtl;
    const now = this.clock.now();
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
    if (!ok) return false;
    if (embedded) {
      const { partition, vector } = embedded;
      await this.semantic!.add(keys.key, call.namespace, partition, vector);
      await this.sync.publish({
        type: "vector-added",
        item: { id: keys.key, namespace: call.namespace, partition, vector: Array.from(vector) },
      });
    }
    this.events.emit("store", { ...call, ...(ttl > 0 ? { ttl } : {}) });
    return true;
  }
}
