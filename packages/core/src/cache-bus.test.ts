import { describe, expect, it, vi } from "vitest";
import type { BusMessage, CacheBus } from "./bus.js";
import { createCache } from "./cache.js";
import { createVectorIndex } from "./index/index.js";
import { createMemoryStore } from "./memory-store.js";
import type { CacheRequest } from "./request.js";
import type { CacheResponse } from "./response.js";
import { fakeEmbedder } from "./testing/fake-embedder.js";
import type { VectorIndex } from "./vector-index.js";

/**
 * An in-process bus: what one instance publishes, every other subscriber gets, unless it is
 * `deaf` (a dropped connection); `gap()` tells every subscriber it may have missed messages.
 */
function memoryBusHub() {
  const listeners = new Set<{ owner: number; listener: (m: BusMessage) => void; onGap?: () => void }>();
  const deaf = new Set<number>();
  let next = 0;
  const connect = () => {
    const owner = next++;
    const bus: CacheBus = {
      async publish(message) {
        for (const l of listeners)
          if (l.owner !== owner && !deaf.has(l.owner)) l.listener(JSON.parse(JSON.stringify(message)));
      },
      async subscribe(listener, onGap) {
        const entry = { owner, listener, onGap };
        listeners.add(entry);
        return async () => {
          listeners.delete(entry);
        };
      },
    };
    return bus;
  };
  return Object.assign(connect, {
    deaf,
    gap: () => {
      for (const l of listeners) l.onGap?.();
    },
  });
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
    // The bus hands the delete over at once; the index drops the vector asynchronously.
    await vi.waitFor(async () => expect(await b.semantic!.index.size()).toBe(0));
  });

  it("catches up from the store after a gap in the bus", async () => {
    const hub = memoryBusHub();
    const store = createMemoryStore();
    const a = createCache({ store, bus: hub(), semantic: { embedder, threshold: 0.95 } });
    const b = createCache({ store, bus: hub(), semantic: { embedder, threshold: 0.95 } });
    await Promise.all([a.ready(), b.ready()]);
    hub.deaf.add(1); // b's connection drops: it misses what a stores now
    await a.run(ask("Where is my order?"), async () => reply("On its way."));
    const missed = await b.run(ask("Where's my package?"), async () => reply("upstream"), { noStore: true });
    expect(missed.status).toBe("miss");

    hub.deaf.clear();
    const caughtUp = new Promise<{ entries: number }>((resolve) => b.on("caught-up", resolve));
    hub.gap(); // b's bus reconnects
    expect(await caughtUp).toEqual({ entries: 1 });
    const hit = await b.run(ask("Where's my package?"), async () => reply("upstream"), { noStore: true });
    expect(hit.status).toBe("semantic-hit");
    await Promise.all([a.close(), b.close()]);
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
