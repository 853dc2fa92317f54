import { busSuite } from "@recall/test-suite";
import { describe, expect, it } from "vitest";
import type { BusMessage } from "./bus.js";
import { createCache } from "./cache.js";
import { createMemoryBus } from "./memory-bus.js";
import { createMemoryStore } from "./memory-store.js";
import { fakeEmbedder } from "./testing/fake-embedder.js";

busSuite("createMemoryBus", () => createMemoryBus());

describe("createMemoryBus", () => {
  it("keeps two caches' vector indexes in step", async () => {
    const hub = createMemoryBus();
    const store = createMemoryStore();
    const embedder = fakeEmbedder({ synonyms: [["Where is my order?", "Where's my package?"]] });
    const semantic = { embedder, threshold: 0.95 };
    const a = createCache({ store, bus: hub.connect(), semantic });
    const b = createCache({ store, bus: hub.connect(), semantic });
    await Promise.all([a.ready(), b.ready()]);
    const ask = (q: string) => ({
      model: { provider: "openai", id: "gpt-4.1" },
      messages: [{ role: "user" as const, content: q }],
    });
    const reply = async () => ({
      body: { text: "On its way." },
      text: "On its way.",
      finishReason: "stop" as const,
    });
    const stored = await a.run(ask("Where is my order?"), reply);
    await new Promise((r) => setTimeout(r, 0));
    expect((await b.run(ask("Where's my package?"), reply, { noStore: true })).status).toBe("semantic-hit");
    await b.delete(stored.key);
    await new Promise((r) => setTimeout(r, 0));
    expect(await a.semantic!.index.size()).toBe(0);
    await Promise.all([a.close(), b.close()]);
  });

  it("reports a listener that throws to onError", async () => {
    const errors: Error[] = [];
    const hub = createMemoryBus({ onError: (e) => errors.push(e) });
    const [a, b] = [hub.connect(), hub.connect()];
    await b.subscribe(() => {
      throw new Error("listener failed");
    });
    const message: BusMessage = { type: "deleted", ids: ["x"] };
    await a.publish(message);
    await new Promise((r) => setTimeout(r, 0));
    expect(errors.map((e) => e.message)).toEqual(["listener failed"]);
  });
});
