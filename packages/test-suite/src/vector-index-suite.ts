import type { VectorIndex, VectorItem, VectorMatch } from "@recall/core";
import { atCosine, cosine, unit } from "@recall/core/testing";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";

export interface VectorIndexSuiteOptions {
  /** How far a returned score may be from the exact cosine. Default 1e-3 (float16/quantized storage). */
  scoreTolerance?: number;
  /** Items in the "huge other partition" test. Default 3,000 (past `AutoIndex`'s default threshold). */
  hugePartitionSize?: number;
  /** fast-check runs of the property tests. Default 25. */
  numRuns?: number;
}

/**
 * The behaviour every `VectorIndex` must give Recall, as vitest tests: nearest first with correct
 * scores, `minScore` and `k`, partition isolation (property-based), remove, replace, namespaces,
 * size, and 384-dimension vectors. `makeIndex` must return an empty index; each test uses
 * partitions and namespaces of its own, and `close()` is called on every index at the end.
 *
 * @example
 * vectorIndexSuite("my index", async () => new MyIndex());
 */
export function vectorIndexSuite(
  name: string,
  makeIndex: () => Promise<VectorIndex>,
  options: VectorIndexSuiteOptions = {},
): void {
  const tolerance = options.scoreTolerance ?? 1e-3;
  const hugeSize = options.hugePartitionSize ?? 3_000;
  const numRuns = options.numRuns ?? 25;

  describe(`vector index suite: ${name}`, () => {
    const opened: VectorIndex[] = [];
    const open = async () => {
      const index = await makeIndex();
      opened.push(index);
      return index;
    };
    afterAll(async () => {
      for (const index of opened) await index.close?.();
    });

    let counter = 0;
    /** A partition/namespace/id name no other test uses. */
    const fresh = (what: string) => `${what}-${Date.now().toString(36)}-${counter++}`;
    const item = (id: string, partition: string, vector: Float32Array, namespace = "ns"): VectorItem => ({
      id,
      namespace,
      partition,
      vector,
    });
    const ids = (matches: VectorMatch[]) => matches.map((m) => m.id);

    it("an empty index has size 0 and finds nothing", async () => {
      const index = await open();
      expect(await index.size()).toBe(0);
      const found = await index.search({ partition: fresh("p"), vector: unit(384, 1), k: 5, minScore: -1 });
      expect(found).toEqual([]);
    });

    it("returns the nearest first, with their cosine scores", async () => {
      const index = await open();
      const p = fresh("p");
      const query = unit(384, 2);
      const cosines = { a: 0.95, b: 0.8, c: 0.5, d: -0.3 };
      await index.add(
        Object.entries(cosines).map(([id, cos]) => item(id, p, atCosine(query, cos, 100 + id.charCodeAt(0)))),
      );
      const found = await index.search({ partition: p, vector: query, k: 10, minScore: -1 });
      expect(ids(found)).toEqual(["a", "b", "c", "d"]);
      for (const match of found) {
        expect(Math.abs(match.score - cosines[match.id as keyof typeof cosines])).toBeLessThanOrEqual(
          tolerance,
        );
      }
    });

    it("leaves out matches below minScore", async () => {
      const index = await open();
      const p = fresh("p");
      const query = unit(384, 5);
      await index.add([
        item("high", p, atCosine(query, 0.93, 6)),
        item("mid", p, atCosine(query, 0.85, 7)),
        item("low", p, atCosine(query, 0.4, 8)),
      ]);
      expect(ids(await index.search({ partition: p, vector: query, k: 10, minScore: 0.9 }))).toEqual([
        "high",
      ]);
      expect(ids(await index.search({ partition: p, vector: query, k: 10, minScore: 0.8 }))).toEqual([
        "high",
        "mid",
      ]);
      expect(await index.search({ partition: p, vector: query, k: 10, minScore: 0.99 })).toEqual([]);
    });

    it("returns at most k matches, the k best", async () => {
      const index = await open();
      const p = fresh("p");
      const query = unit(384, 9);
      await index.add(
        Array.from({ length: 20 }, (_, i) => item(`i${i}`, p, atCosine(query, 0.9 - i * 0.02, 10 + i))),
      );
      expect(ids(await index.search({ partition: p, vector: query, k: 3, minScore: -1 }))).toEqual([
        "i0",
        "i1",
        "i2",
      ]);
      expect(await index.search({ partition: p, vector: query, k: 1, minScore: -1 })).toHaveLength(1);
      expect(await index.search({ partition: p, vector: query, k: 50, minScore: -1 })).toHaveLength(20);
    });

    it("never returns items of another partition (property)", async () => {
      const index = await open();
      const dims = 16;
      const vector = fc
        .array(fc.float({ min: -1, max: 1, noNaN: true }), { minLength: dims, maxLength: dims })
        .filter((xs) => xs.some((x) => Math.abs(x) > 0.01))
        .map((xs) => Float32Array.from(xs));
      const scenario = fc.record({
        items: fc.array(fc.record({ partition: fc.integer({ min: 0, max: 3 }), vector }), {
          minLength: 1,
          maxLength: 40,
        }),
        query: vector,
        partition: fc.integer({ min: 0, max: 4 }),
        k: fc.integer({ min: 1, max: 8 }),
      });
      await fc.assert(
        fc.asyncProperty(scenario, async (s) => {
          const run = fresh("run");
          const items = s.items.map((it, i) => item(`${run}-${i}`, `${run}-p${it.partition}`, it.vector));
          await index.add(items);
          const partition = `${run}-p${s.partition}`;
          const found = await index.search({ partition, vector: s.query, k: s.k, minScore: -1 });
          await index.remove(items.map((it) => it.id));
          const own = items.filter((it) => it.partition === partition);
          const expected = own
            .map((it) => ({ id: it.id, score: cosine(s.query, it.vector) }))
            .sort((a, b) => b.score - a.score)
            .slice(0, s.k);
          for (const match of found) expect(own.map((it) => it.id)).toContain(match.id);
          expect(found).toHaveLength(expected.length);
          for (let i = 0; i < found.length; i++) {
            expect(Math.abs(found[i]!.score - expected[i]!.score)).toBeLessThanOrEqual(tolerance);
            if (i > 0) expect(found[i]!.score).toBeLessThanOrEqual(found[i - 1]!.score + 1e-6);
          }
        }),
        { numRuns },
      );
      expect(await index.size()).toBe(0);
    });

    it("finds a small partition's item even when another partition is huge and closer", async () => {
      const index = await open();
      const [small, huge] = [fresh("small"), fresh("huge")];
      const query = unit(384, 11);
      const batch: VectorItem[] = [];
      for (let i = 0; i < hugeSize; i++)
        batch.push(item(`${huge}-${i}`, huge, atCosine(query, 0.99, 1000 + i)));
      await index.add(batch);
      await index.add([item("lonely", small, atCosine(query, 0.3, 12))]);
      const found = await index.search({ partition: small, vector: query, k: 5, minScore: -1 });
      expect(ids(found)).toEqual(["lonely"]);
      expect(await index.search({ partition: small, vector: query, k: 5, minScore: 0.5 })).toEqual([]);
      const inHuge = await index.search({ partition: huge, vector: query, k: 5, minScore: 0.9 });
      expect(inHuge).toHaveLength(5);
      for (const match of inHuge) expect(match.id.startsWith(huge)).toBe(true);
      expect(await index.size()).toBe(hugeSize + 1);
    });

    it("forgets removed ids and ignores unknown ones", async () => {
      const index = await open();
      const p = fresh("p");
      const query = unit(384, 13);
      await index.add([item("a", p, atCosine(query, 0.9, 14)), item("b", p, atCosine(query, 0.8, 15))]);
      await index.remove(["a", "never-added"]);
      expect(ids(await index.search({ partition: p, vector: query, k: 5, minScore: -1 }))).toEqual(["b"]);
      expect(await index.size()).toBe(1);
      await index.remove(["b"]);
      expect(await index.search({ partition: p, vector: query, k: 5, minScore: -1 })).toEqual([]);
      expect(await index.size()).toBe(0);
    });

    it("replaces an item added again under the same id", async () => {
      const index = await open();
      const p = fresh("p");
      const query = unit(384, 16);
      await index.add([item("x", p, atCosine(query, 0.2, 17)), item("y", p, atCosine(query, 0.6, 18))]);
      await index.add([item("x", p, atCosine(query, 0.95, 19))]);
      const found = await index.search({ partition: p, vector: query, k: 5, minScore: -1 });
      expect(ids(found)).toEqual(["x", "y"]);
      expect(Math.abs(found[0]!.score - 0.95)).toBeLessThanOrEqual(tolerance);
      expect(await index.size()).toBe(2);
      // The same id in another partition moves it there.
      const q = fresh("q");
      await index.add([item("x", q, atCosine(query, 0.9, 20))]);
      expect(ids(await index.search({ partition: p, vector: query, k: 5, minScore: -1 }))).toEqual(["y"]);
      expect(ids(await index.search({ partition: q, vector: query, k: 5, minScore: -1 }))).toEqual(["x"]);
      expect(await index.size()).toBe(2);
    });

    it("removes a whole namespace, and nothing else", async () => {
      const index = await open();
      if (!index.removeNamespace) return;
      const p = fresh("p");
      const [gone, kept] = [fresh("ns"), fresh("ns")];
      const query = unit(384, 21);
      await index.add([
        item("g1", p, atCosine(query, 0.9, 22), gone),
        item("g2", fresh("p"), atCosine(query, 0.9, 23), gone),
        item("k1", p, atCosine(query, 0.8, 24), kept),
      ]);
      await index.removeNamespace(gone);
      expect(ids(await index.search({ partition: p, vector: query, k: 5, minScore: -1 }))).toEqual(["k1"]);
      expect(await index.size()).toBe(1);
      await index.removeNamespace(fresh("ns-never-used"));
      expect(await index.size()).toBe(1);
    });

    it("counts items with size()", async () => {
      const index = await open();
      const p = fresh("p");
      await index.add(Array.from({ length: 7 }, (_, i) => item(`s${i}`, p, unit(32, 30 + i))));
      await index.add([item("s0", p, unit(32, 99))]);
      expect(await index.size()).toBe(7);
    });

    it("finds the exact nearest among 384-dimension vectors", async () => {
      const index = await open();
      const p = fresh("p");
      const stored = Array.from({ length: 500 }, (_, i) => unit(384, 200 + i));
      await index.add(stored.map((v, i) => item(`v${i}`, p, v)));
      let agree = 0;
      const queries = 50;
      for (let q = 0; q < queries; q++) {
        // A paraphrase-like query: a stored vector plus noise.
        const target = stored[(q * 7) % stored.length]!;
        const query = atCosine(target, 0.9, 5000 + q);
        const exact = stored
          .map((v, i) => ({ id: `v${i}`, score: cosine(query, v) }))
          .sort((a, b) => b.score - a.score)[0]!;
        const [top] = await index.search({ partition: p, vector: query, k: 1, minScore: -1 });
        if (top?.id === exact.id) agree++;
        expect(Math.abs(top!.score - exact.score)).toBeLessThanOrEqual(tolerance);
      }
      expect(agree).toBe(queries);
    });

    it("keeps every item of concurrent adds", async () => {
      const index = await open();
      const p = fresh("p");
      await Promise.all(
        Array.from({ length: 20 }, (_, b) =>
          index.add(Array.from({ length: 10 }, (_, i) => item(`c${b}-${i}`, p, unit(64, 400 + b * 10 + i)))),
        ),
      );
      expect(await index.size()).toBe(200);
      const probe = unit(64, 400 + 57);
      const [top] = await index.search({ partition: p, vector: probe, k: 1, minScore: 0.99 });
      expect(top?.id).toBe("c5-7");
    });
  });
}
