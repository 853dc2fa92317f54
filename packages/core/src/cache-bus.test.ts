import { describe, expect, it } from "vitest";
import type { BusMessage, CacheBus } from "./bus.js";
import { createCache } from "./cache.js";
import { createVectorIndex } from "./index/index.js";
import { createMemoryStore } from "./memory-store.js";
import type { CacheRequest } from "./request.js";
import type { CacheResponse } from "./response.js";
import { fakeEmbedder } from "./testing/fake-embedder.js";
import type { VectorIndex } from "./vector-index.js";

/** An in-process bus: what one instance publishes, every other subscriber gets. */
function memoryBusHub() {
  const listeners = new Set<{ owner: number; listener: (m: BusMessage) => void }>();
  let next = 0;
  return () => {
    const owner = next++;
    const bus: CacheBus = {
      async publish(message) {
        for (const l of listeners) if (l.owner !== owner) l.listener(JSON.parse(JSON.stringify(message)));
      },
      async subscribe(listener) {
        const entry = { owner, listener };
        listeners.add(entry);
        return async () => {
          listeners.delete(entry);
        };
      },
    };
    return bus;
  };
}

const ask = (q: string): CacheRequest => ({
  model: { provider: "openai", id: "gpt-4.1" },
  messages: [{ role: "user", content: q }],
});
const reply = (text: string): CacheResponse => ({
  body: { text },
  text,
  finishReason: "stop",
  usage: { inputTokens: 5, outputTokens: 5 },
});
const embedder = fakeEmbedder({ synonyms: [["Where is my order?", "Where's my package?"]] });

describe("cache and bus", () => {
  it("learns other instances' semantic entries and forgets their deletes", async () => {
    const hub = memoryBusHub();
    const store = createMemoryStore();
    const a = createCache({ store, bus: hub(), semantic: { embedder, threshold: 0.95 } });
    const b = createCache({ store, bus: hub(), semantic: { embedder, threshold: 0.95 } });
    await Promise.all([a.ready(), b.ready()]);
    const stored = await a.run(ask("Where is my order?"), async () => reply("On its way."));
    const hit = await b.run(ask("Where's my package?"), async () => reply("upstream"), { noStore: true });
    expect(hit.status).toBe("semantic-hit");
    expect(await b.semantic!.index.size()).toBe(1);
    await a.delete(stored.key);
    await new Promise((r) => setTimeout(r, 10));
    expect(await b.semantic!.index.size()).toBe(0);
  });

  it("leaves a shared index alone: it already holds what other instances added", async () => {
    const hub = memoryBusHub();
    const inner = createVectorIndex();
    let adds = 0;
    const shared: VectorIndex = {
      shared: true,
      add: (items) => {
        adds++;
        return inner.add(items);
      },
      remove: (ids) => inner.remove(ids),
      search: (q) => inner.search(q),
      size: () => inner.size(),
    };
    const store = createMemoryStore();
    const a = createCache({ store, bus: hub(), semantic: { embedder, index: shared, threshold: 0.95 } });
    const b = createCache({ store, bus: hub(), semantic: { embedder, index: shared, threshold: 0.95 } });
    await Promise.all([a.ready(), b.ready()]);
    await a.run(ask("Where is my order?"), async () => reply("On its way."));
    expect(adds).toBe(1);
    expect((await b.run(ask("Where's my package?"), async () => reply("upstream"))).status).toBe(
      "semantic-hit",
    );
  });
});
