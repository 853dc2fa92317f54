import { type CacheEntry, isCacheEntry } from "../entry.js";
import { errorCodes, RecallError } from "../errors.js";
import type { Emitter } from "../events.js";
import type { SemanticMatcher } from "../semantic.js";
import type { SafeStore } from "../store.js";
import { aliasVectorsKey } from "./alias-vectors.js";
import type { Clock } from "./clock.js";

/**
 * The exact stage: Recall's entries in the store, read by key. A value that is not a Recall entry
 * is deleted and read as a miss; an expired entry is a miss; with sliding TTLs a hit renews the
 * entry once half its life is gone. Deleting an entry drops its vector from the index too.
 */
export class Entries {
  constructor(
    readonly store: SafeStore,
    private readonly prefix: string,
    private readonly sliding: boolean,
    private readonly clock: Clock,
    private readonly events: Emitter,
    private readonly semantic: SemanticMatcher | undefined,
    private readonly invalidated?: (entry: CacheEntry) => boolean,
  ) {}

  /** The entry under `key`, if any and fresh. `patient`: see `SafeStore.get`. */
  async read(key: string, options: { patient?: boolean } = {}): Promise<CacheEntry | undefined> {
    const found = await this.readKept(key, options);
    return found?.fresh ? found.entry : undefined;
  }

  /**
   * The entry under `key`, fresh or past its TTL but still kept (`keepUntil`: to be served stale),
   * and which. An invalidated entry (`invalidate`) is neither: it reads as a miss.
   */
  async readKept(
    key: string,
    options: { patient?: boolean } = {},
  ): Promise<{ entry: CacheEntry; fresh: boolean } | undefined> {
    const value = await this.store.get<unknown>(key, options);
    if (value === undefined || value === null) return undefined;
    if (!isCacheEntry(value)) {
      this.events.emit("error", {
        error: new RecallError(
          errorCodes.DECODE_ERROR,
          `the value under ${key} is not a Recall entry; deleted`,
        ),
        key,
      });
      void this.delete([key]);
      return undefined;
    }
    const now = this.clock.now();
    if (value.expiresAt !== undefined && (value.keepUntil ?? value.expiresAt) <= now) return undefined;
    if (this.invalidated?.(value)) return undefined;
    if (value.expiresAt !== undefined && value.expiresAt <= now) return { entry: value, fresh: false };
    if (this.sliding && value.ttl && value.expiresAt !== undefined && value.expiresAt - now < value.ttl / 2) {
      // Renew when half the life is gone, not on every hit: one write per half-life at most.
      const kept = (value.keepUntil ?? value.expiresAt) - value.expiresAt;
      const renewed = { ...value, expiresAt: now + value.ttl };
      if (value.keepUntil !== undefined) renewed.keepUntil = now + value.ttl + kept;
      void this.store.set(key, renewed, value.ttl + kept);
    }
    return { entry: value, fresh: true };
  }

  /**
   * Rewrites the entry under `key` with `change` (aliases, refusals, evidence), keeping its
   * expiry. Returns the new entry, or undefined when it is gone, `change` returned undefined, or the
   * write failed. Read-modify-write: call it through `EntryUpdater` (`entry-update.ts`), which runs
   * the changes of one entry one at a time.
   */
  async update(
    key: string,
    change: (entry: CacheEntry) => CacheEntry | undefined,
  ): Promise<CacheEntry | undefined> {
    const entry = await this.read(key);
    if (!entry) return undefined;
    const next = change(entry);
    if (!next) return undefined;
    const until = next.keepUntil ?? next.expiresAt;
    const left = until === undefined ? undefined : until - this.clock.now();
    if (left !== undefined && left <= 0) return undefined;
    return (await this.store.set(key, next, left)) ? next : undefined;
  }

  /** Deletes entries, their alias vectors (`alias-vectors.ts`), and their vectors from the index. */
  async delete(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.store.delete([...keys, ...keys.map(aliasVectorsKey)]);
    this.semantic?.remove(keys);
  }

  /** The store's Recall entries (a shared store may hold other keys and values too). */
  async *own(): AsyncGenerator<[string, CacheEntry]> {
    for await (const [key, value] of this.store.entries()) {
      if (key.startsWith(`${this.prefix}:`) && isCacheEntry(value)) yield [key, value];
    }
  }
}
