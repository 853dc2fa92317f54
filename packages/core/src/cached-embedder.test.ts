import { embedderSuite } from "@recall/test-suite";
import { describe, expect, it } from "vitest";
import { cachedEmbedder } from "./cached-embedder.js";
import type { Embedder } from "./embedder.js";
import { fakeEmbedder } from "./testing/fake-embedder.js";

/** fakeEmbedder with an `unrepresented` that counts characters outside ASCII. */
function withUnrepresented(): Embedder {
  const inner = fakeEmbedder();
  return {
    id: inner.id,
    dimensions: inner.dimensions,
    embed: (texts, options) => inner.embed(texts, options),
    async unrepresented(texts) {
      return texts.map((t) => {
        const chars = [...t];
        return chars.length === 0 ? 0 : chars.filter((c) => c.codePointAt(0)! > 127).length / chars.length;
      });
    },
  };
}

embedderSuite("cachedEmbedder", () => cachedEmbedder(fakeEmbedder()));
embedderSuite("cachedEmbedder (with unrepresented)", () => cachedEmbedder(withUnrepresented()), {
  unreadableTexts: ["ยินดีต้อนรับ", "🦜 parrot"],
});

describe("cachedEmbedder", () => {
  it("embeds each distinct text once", async () => {
    const inner = fakeEmbedder();
    const embedder = cachedEmbedder(inner);
    await embedder.embed(["a b", "c d", "a b"]);
    await embedder.embed(["c d"]);
    expect(inner.calls).toBe(1);
  });
});

describe("cachedEmbedder over an embedder that learns its size on its first call", () => {
  it("reports the size once it is known", async () => {
    const inner: Embedder = {
      id: "remote",
      dimensions: 0,
      async embed(texts) {
        (inner as { dimensions: number }).dimensions = 3;
        return texts.map(() => Float32Array.of(1, 0, 0));
      },
    };
    const cached = cachedEmbedder(inner);
    expect(cached.dimensions).toBe(0);
    await cached.embed(["a"]);
    expect(cached.dimensions).toBe(3);
  });
});

describe("cachedEmbedder passes through what the engine schedules by", () => {
  it("keeps concurrency, local, load and retain of the embedder it wraps", async () => {
    const calls: string[] = [];
    const wrapped = cachedEmbedder({
      ...fakeEmbedder(),
      concurrency: 3,
      local: true,
      async load() {
        calls.push("load");
      },
      retain() {
        calls.push("retain");
        return async () => {
          calls.push("release");
        };
      },
    });
    expect(wrapped.concurrency).toBe(3);
    expect(wrapped.local).toBe(true);
    await wrapped.load?.();
    await wrapped.retain?.()();
    expect(calls).toEqual(["load", "retain", "release"]);
    const plain = cachedEmbedder(fakeEmbedder());
    expect([plain.concurrency, plain.local, plain.load, plain.retain]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});
