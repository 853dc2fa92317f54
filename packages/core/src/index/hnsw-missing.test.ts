import { describe, expect, it, vi } from "vitest";
import { RecallError } from "../errors.js";
import { unit } from "../testing/vectors.js";
import { AutoIndex } from "./auto-index.js";
import { HnswIndex } from "./hnsw-index.js";

// As if the optional peer dependency were not installed.
vi.mock("usearch", () => {
  throw new Error("Cannot find package 'usearch'");
});

const items = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: `i${i}`, namespace: "n", partition: "p", vector: unit(16, i) }));

describe("without usearch", () => {
  it("HnswIndex rejects the first add with RECALL_MISSING_DEPENDENCY", async () => {
    const index = new HnswIndex();
    const error = await index.add(items(1)).catch((e: unknown) => e);
    expect(RecallError.isInstance(error)).toBe(true);
    expect((error as RecallError).code).toBe("RECALL_MISSING_DEPENDENCY");
    expect((error as RecallError).message).toMatch(/^\[recall\] HnswIndex needs .*npm install usearch/);
  });

  it("AutoIndex stays exact past the threshold and keeps working", async () => {
    const index = new AutoIndex({ hnswThreshold: 10 });
    await index.add(items(50));
    expect(index.partitionKinds()).toEqual({ flat: 1, hnsw: 0 });
    const [top] = await index.search({ partition: "p", vector: unit(16, 33), k: 1, minScore: 0.9 });
    expect(top?.id).toBe("i33");
    await index.add(items(60));
    expect(await index.size()).toBe(60);
  });
});
