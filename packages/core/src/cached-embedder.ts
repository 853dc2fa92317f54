import type { Embedder } from "./embedder.js";
import { LruMap } from "./memory-store.js";

/**
 * Puts a small LRU in front of an embedder, so the same text is embedded once (a lookup and the
 * store that follows it, repeated questions, concurrent identical calls).
 *
 * @example
 * const embedder = cachedEmbedder(aiSdkEmbedder({ model: openai.embedding("text-embedding-3-small") }));
 */
export function cachedEmbedder(embedder: Embedder, maxEntries = 2_000): Embedder {
  const cache = new LruMap<string, Promise<Float32Array>>(maxEntries);
  return {
    id: embedder.id,
    // Read through: an embedder may learn its size on its first call (a remote model).
    get dimensions() {
      return embedder.dimensions;
    },
    ...(embedder.unrepresented ? { unrepresented: (texts) => embedder.unrepresented!(texts) } : {}),
    // What the engine schedules by (see `Embedder`) passes through, so wrapping changes nothing there.
    ...(embedder.concurrency !== undefined ? { concurrency: embedder.concurrency } : {}),
    ...(embedder.local !== undefined ? { local: embedder.local } : {}),
    ...(embedder.load ? { load: () => embedder.load!() } : {}),
    ...(embedder.retain ? { retain: () => embedder.retain!() } : {}),
    async embed(texts, options) {
      const missing = [...new Set(texts.filter((t) => !cache.has(t)))];
      if (missing.length > 0) {
        const batch = embedder.embed(missing, options);
        missing.forEach((text, i) => {
          const one = batch.then((vectors) => {
            const v = vectors[i];
            if (!v)
              throw new Error(`embedder returned ${vectors.length} vectors for ${missing.length} texts`);
            return v;
          });
          // A failed embedding is not remembered.
          one.catch(() => cache.delete(text));
          cache.set(text, one);
        });
      }
      return Promise.all(texts.map((t) => cache.get(t) ?? embedder.embed([t], options).then((v) => v[0]!)));
    },
  };
}
