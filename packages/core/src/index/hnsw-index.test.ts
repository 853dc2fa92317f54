import { vectorIndexSuite } from "@recall/test-suite";
import { describe, expect, it } from "vitest";
import { RecallError } from "../errors.js";
import { clusteredVectors } from "../testing/clustered-vectors.js";
import { atCosine, unit } from "../testing/vectors.js";
import type { VectorIndex, VectorItem } from "../vector-index.js";
import { HnswIndex, type HnswIndexOptions } from "./hnsw-index.js";

/** An HnswIndex whose adds wait for the graphs, so every search below goes through HNSW. */
function graphOnly(options: HnswIndexOptions = {}): VectorIndex {
  const index = new HnswIndex(options);
  return Object.assign(index, {
    add: async (items: VectorItem[]) => {
      await HnswIndex.prototype.add.call(index, items);
      await index.ready();
    },
  });
}

// Scores are re-computed exactly from float32 copies, whatever the graph's quantization.
vectorIndexSuite("HnswIndex", async () => new HnswIndex(), { scoreTolerance: 1e-5 });
vectorIndexSuite("HnswIndex (graph built, f16)", async () => graphOnly(), { scoreTolerance: 1e-5 });
vectorIndexSuite("HnswIndex (graph built, i8)", async () => graphOnly({ quantization: "i8" }), {
  scoreTolerance: 1e-5,
});

describe("HnswIndex", () => {
  it("rejects bad options at creation with RECALL_INVALID_OPTION", () => {
    const invalid = (e: unknown) => RecallError.isInstance(e) && e.code === "RECALL_INVALID_OPTION";
    expect(() => new HnswIndex({ quantization: "f8" as never })).toThrow(expect.toSatisfy(invalid));
    expect(() => new HnswIndex({ connectivity: 0 })).toThrow(/connectivity must be a positive integer/);
    expect(() => new HnswIndex({ expansionSearch: 1.5 })).toThrow(/expansionSearch/);
  });

  it("searches without loading usearch while nothing was added", async () => {
    const index = new HnswIndex();
    expect(await index.search({ partition: "p", vector: unit(8, 1), k: 3, minScore: 0 })).toEqual([]);
  });

  it("keeps finding the right items through many replaces and removes", async () => {
    const index = new HnswIndex();
    const query = unit(384, 1);
    const vectors = new Map<string, Float32Array>();
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 200; i++)
        vectors.set(`i${i}`, atCosine(query, i === round ? 0.97 : 0.5, round * 1000 + i));
      await index.add([...vectors].map(([id, vector]) => ({ id, namespace: "n", partition: "p", vector })));
      const [top] = await index.search({ partition: "p", vector: query, k: 1, minScore: 0.9 });
      expect(top?.id).toBe(`i${round}`);
    }
    const removed = Array.from({ length: 150 }, (_, i) => `i${i}`);
    await index.remove(removed);
    for (const id of removed) vectors.delete(id);
    expect(await index.size()).toBe(50);
    // Every live item is still reachable through the graph, by its current vector...
    for (const [id, vector] of vectors) {
      const [top] = await index.search({ partition: "p", vector, k: 1, minScore: -1 });
      expect(top?.id).toBe(id);
      expect(top!.score).toBeCloseTo(1, 3);
    }
    // ...and no removed one comes back.
    const found = await index.search({ partition: "p", vector: query, k: 10, minScore: -1 });
    expect(found).toHaveLength(10);
    for (const m of found) expect(vectors.has(m.id)).toBe(true);
  });

  it("answers a bulk add at once (exactly), then through the graph built in the background", async () => {
    const index = new HnswIndex();
    const stored = Array.from({ length: 2_000 }, (_, i) => unit(384, 10_000 + i));
    await index.add(stored.map((vector, i) => ({ id: `b${i}`, namespace: "n", partition: "p", vector })));
    const probe = (i: number) =>
      index.search({ partition: "p", vector: atCosine(stored[i]!, 0.9, i), k: 1, minScore: 0 });
    expect((await probe(1_999))[0]?.id).toBe("b1999");
    await index.ready();
    for (let i = 0; i < 2_000; i += 97) expect((await probe(i))[0]?.id).toBe(`b${i}`);
  });

  it("stays accurate through cache-like churn and background rebuilds", async () => {
    const index = new HnswIndex();
    const gen = clusteredVectors({ seed: 7 });
    const current = new Map<string, Float32Array>();
    const put = async (ids: string[]) => {
      const items = ids.map((id) => ({ id, namespace: "n", partition: "p", vector: gen.sample() }));
      for (const item of items) current.set(item.id, item.vector);
      await index.add(items);
    };
    const all = Array.from({ length: 3_000 }, (_, i) => `c${i}`);
    await put(all);
    for (let round = 1; round <= 4; round++) {
      // Replace a third one by one, remove a sixth and add it back: thousands of dead graph nodes.
      for (const id of all.filter((_, i) => i % 3 === round % 3)) await put([id]);
      const gone = all.filter((_, i) => (i + round) % 6 === 0);
      await index.remove(gone);
      for (const id of gone) current.delete(id);
      await put(gone.slice(0, 250));
    }
    await index.ready();
    expect(await index.size()).toBe(current.size);
    let found = 0;
    const queries = [...current].filter((_, i) => i % 5 === 0);
    for (const [id, vector] of queries) {
      const [top] = await index.search({
        partition: "p",
        vector: gen.paraphrase(vector, 0.2),
        k: 1,
        minScore: 0.9,
      });
      if (top?.id === id) found++;
      if (top) expect(current.has(top.id)).toBe(true);
    }
    expect(found / queries.length).toBeGreaterThanOrEqual(0.99);
  });
});
