import { vectorIndexSuite } from "@recall/test-suite";
import { describe, expect, it } from "vitest";
import { RecallError } from "../errors.js";
import { atCosine, unit } from "../testing/vectors.js";
import { FlatIndex, FlatPartition, topK } from "./flat-index.js";

vectorIndexSuite("FlatIndex", async () => new FlatIndex(), { scoreTolerance: 1e-5 });

describe("FlatIndex", () => {
  it("normalizes vectors, so scores are cosines whatever their length", async () => {
    const index = new FlatIndex();
    const query = unit(64, 1);
    await index.add([
      { id: "a", namespace: "n", partition: "p", vector: atCosine(query, 0.9, 2).map((x) => x * 7) },
    ]);
    const [match] = await index.search({
      partition: "p",
      vector: query.map((x) => x * 0.1),
      k: 1,
      minScore: 0,
    });
    expect(match?.id).toBe("a");
    expect(match!.score).toBeCloseTo(0.9, 5);
  });

  it("rejects a vector of the wrong size without changing anything", async () => {
    const index = new FlatIndex();
    await index.add([{ id: "a", namespace: "n", partition: "p", vector: unit(8, 1) }]);
    const bad = index.add([
      { id: "b", namespace: "n", partition: "p", vector: unit(8, 2) },
      { id: "c", namespace: "n", partition: "p", vector: unit(9, 3) },
    ]);
    await expect(bad).rejects.toSatisfy(
      (e) => RecallError.isInstance(e) && e.code === "RECALL_INVALID_REQUEST",
    );
    expect(await index.size()).toBe(1);
    await expect(index.search({ partition: "p", vector: unit(9, 1), k: 1, minScore: 0 })).rejects.toThrow(
      /9 dimensions/,
    );
  });

  it("keeps the later vector when one batch names an id twice", async () => {
    const index = new FlatIndex();
    const query = unit(16, 1);
    await index.add([
      { id: "a", namespace: "n", partition: "p", vector: atCosine(query, 0.1, 2) },
      { id: "a", namespace: "n", partition: "p", vector: atCosine(query, 0.7, 3) },
    ]);
    const found = await index.search({ partition: "p", vector: query, k: 5, minScore: -1 });
    expect(found).toHaveLength(1);
    expect(found[0]!.score).toBeCloseTo(0.7, 5);
  });
});

describe("FlatPartition", () => {
  it("stays dense and correct through grows, swap-removes and shrinks", () => {
    const d = 8;
    const partition = new FlatPartition(d);
    const vectors = new Map<string, Float32Array>();
    for (let i = 0; i < 300; i++) vectors.set(`v${i}`, unit(d, i));
    for (const [id, v] of vectors) partition.set([id], v);
    for (let i = 0; i < 300; i += 3) {
      partition.delete(`v${i}`);
      vectors.delete(`v${i}`);
    }
    for (let i = 0; i < 280; i += 2) {
      partition.delete(`v${i}`);
      vectors.delete(`v${i}`);
    }
    expect(partition.size).toBe(vectors.size);
    expect(new Set(partition.ids())).toEqual(new Set(vectors.keys()));
    // Every remaining row still holds its own vector: each is its own nearest neighbour at score 1.
    for (const [id, v] of vectors) {
      const [top] = partition.search(v, 1, -1);
      expect(top?.id).toBe(id);
      expect(top!.score).toBeCloseTo(1, 5);
    }
  });

  it("topK handles dimensions that are not a multiple of four", () => {
    const data = Float32Array.from([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.6, 0.8]);
    const { slots, scores } = topK(data, 3, 5, Float32Array.from([0, 0, 0, 0.6, 0.8]), 2, -1);
    expect(slots).toEqual([2, 0]);
    expect(scores[0]).toBeCloseTo(1, 5);
    expect(scores[1]).toBe(0);
  });
});
