import Keyv from "keyv";

/**
 * A Map that forgets its least recently used entries past `maxEntries`. Being a real Map, Keyv can
 * iterate it (index rebuilds, namespace purges) like its own default store.
 */
export class LruMap<K, V> extends Map<K, V> {
  constructor(readonly maxEntries: number) {
    super();
  }

  override get(key: K): V | undefined {
    if (!super.has(key)) return undefined;
    const value = super.get(key) as V;
    // Re-insert to move the key to the young end of the insertion order.
    super.delete(key);
    super.set(key, value);
    return value;
  }

  override set(key: K, value: V): this {
    super.delete(key);
    super.set(key, value);
    if (this.size > this.maxEntries) {
      const oldest = this.keys().next();
      if (!oldest.done) super.delete(oldest.value);
    }
    return this;
  }
}

/**
 * The default store: Keyv over an in-process LRU map, so a long run cannot grow without bound.
 * Expiry is Keyv's (per entry); the LRU bound drops the least recently used entries past `maxEntries`.
 * Entries are plain JSON, so plain `JSON.stringify`/`JSON.parse` replace Keyv's default serializer,
 * whose reviver (for Buffers) made every hit's parse about a fifth of the lookup's CPU time.
 *
 * @example
 * const cache = createCache({ store: createMemoryStore({ maxEntries: 50_000 }) });
 */
export function createMemoryStore(options: { maxEntries?: number } = {}): Keyv {
  return new Keyv({
    store: new LruMap<string, unknown>(options.maxEntries ?? 10_000),
    serialize: JSON.stringify,
    deserialize: JSON.parse,
  });
}
