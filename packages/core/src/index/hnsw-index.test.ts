import { describe, expect, it } from "vitest";
import { RecallError } from "../errors.js";
import { atCosine, unit, vectorIndexSuite } from "../testing/vector-index-suite.js";
import { HnswIndex } from "./hnsw-index.js";

vectorIndexSuite("HnswIndex (f16, default)", async () => new HnswIndex());
vectorIndexSuite("HnswIndex (f32)", async () => new HnswIndex({ quantization: "f32" }), {
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
});
