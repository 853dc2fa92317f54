import { type CacheEntry, encodeVector } from "../entry.js";
import type { SafeStore } from "../store.js";
import type { Clock } from "./clock.js";
import type { Updates } from "./entry-update.js";

/** Where an entry's alias vectors live: beside it, not in it. */
export function aliasVectorsKey(key: string): string {
  return `${key}:aliases`;
}

interface StoredVectors {
  v: 1;
  /** Alias id → base64 float32 vector. */
  vectors: Record<string, string>;
}

/**
 * The vectors of an entry's aliases, stored under `<key>:aliases` rather than in the entry: every
 * exact hit reads and parses the entry, and a popular entry's aliases (up to 32 vectors of 2 KB
 * each with all-MiniLM-L6-v2) would make each hit read 70 KB instead of 2. They are read only to
 * rebuild an index and to weigh a wrong report; they expire with the entry and are deleted with it.
 */
export class AliasVectors {
  constructor(
    private readonly store: SafeStore,
    private readonly updates: Updates,
    private readonly clock: Clock,
  ) {}

  /** The vectors stored for the entry `key` (empty when none or unreadable). */
  async read(key: string): Promise<Record<string, string>> {
    const stored = await this.store.get<StoredVectors>(aliasVectorsKey(key));
    return isStored(stored) ? stored.vectors : {};
  }

  /** Stores `vector` for alias `id` of `entry`, dropping vectors of aliases the entry no longer lists. */
  add(key: string, entry: CacheEntry, id: string, vector: Float32Array): Promise<boolean> {
    const sideKey = aliasVectorsKey(key);
    return this.updates.run(sideKey, async () => {
      const until = entry.keepUntil ?? entry.expiresAt;
      const left = until === undefined ? undefined : until - this.clock.now();
      if (left !== undefined && left <= 0) return false;
      const listed = new Set((entry.aliases ?? []).map((a) => a.id));
      const vectors: Record<string, string> = {};
      for (const [aliasId, encoded] of Object.entries(await this.read(key)))
        if (listed.has(aliasId)) vectors[aliasId] = encoded;
      vectors[id] = encodeVector(vector);
      return this.store.set(sideKey, { v: 1, vectors } satisfies StoredVectors, left);
    });
  }
}

function isStored(value: unknown): value is StoredVectors {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as StoredVectors).v === 1 &&
    typeof (value as StoredVectors).vectors === "object" &&
    (value as StoredVectors).vectors !== null
  );
}
