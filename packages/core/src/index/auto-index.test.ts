import { vectorIndexSuite } from "@recall/test-suite";
import { describe, expect, it } from "vitest";
import { atCosine, unit } from "../testing/vectors.js";
import { AutoIndex, createVectorIndex, DEFAULT_HNSW_THRESHOLD } from "./auto-index.js";

vectorIndexSuite("AutoIndex (default threshold)", async () => createVectorIndex());
vectorIndexSuite(
  "AutoIndex (threshold 5: HNSW almost everywhere)",
  async () => new AutoIndex({ hnswThreshold: 5 }),
);

describe("AutoIndex", () => {
  it("moves a partition to HNSW on the add that takes it past the threshold", async () => {
    const index = new AutoIndex({ hnswThreshold: 100 });
    const query = unit(384, 1);
    const add = (from: number, to: number, partition = "big") =>
      index.add(
        Array.from({ length: to - from }, (_, j) => ({
          id: `${partition}-${from + j}`,
          namespace: "n",
          partition,
          vector: atCosine(query, 0.3 + ((from + j) % 50) / 100, from + j),
        })),
      );
    await add(0, 100);
    await add(0, 3, "small");
    expect(index.partitionKinds()).toEqual({ flat: 2, hnsw: 0 });
    const best = (r: { id: string }[]) => new Set(r.map((m) => m.id));
    const before = await index.search({ partition: "big", vector: query, k: 4, minScore: -1 });
    expect(best(before)).toEqual(new Set(["big-49", "big-99", "big-48", "big-98"]));
    await add(100, 101);
    expect(index.partitionKinds()).toEqual({ flat: 1, hnsw: 1 });
    const after = await index.search({ partition: "big", vector: query, k: 4, minScore: -1 });
    // The same four best (cosines 0.79, 0.79, 0.78, 0.78), same scores within float16 precision.
    expect(best(after)).toEqual(best(before));
    for (const [i, m] of after.entries()) expect(Math.abs(m.score - before[i]!.score)).toBeLessThan(1e-6);
    expect(await index.size()).toBe(104);
    await index.remove(["big-0"]);
    expect(await index.size()).toBe(103);
  });

  it("never switches with hnswThreshold Infinity", async () => {
    const index = new AutoIndex({ hnswThreshold: Number.POSITIVE_INFINITY });
    await index.add(
      Array.from({ length: 300 }, (_, i) => ({
        id: `${i}`,
        namespace: "n",
        partition: "p",
        vector: unit(8, i),
      })),
    );
    expect(index.partitionKinds()).toEqual({ flat: 1, hnsw: 0 });
  });

  it("rejects a bad threshold", () => {
    expect(() => new AutoIndex({ hnswThreshold: -1 })).toThrow(/hnswThreshold/);
    expect(() => createVectorIndex({ quantization: "bf16" as never })).toThrow(/quantization/);
  });

  it("has a measured default threshold", () => {
    expect(DEFAULT_HNSW_THRESHOLD).toBeGreaterThan(0);
  });
});
