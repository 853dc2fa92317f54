import { describe, expect, it } from "vitest";
import { createCache } from "./cache.js";
import { type CalibrationPair, calibrate, thresholdRange } from "./calibrate.js";
import { RecallError } from "./errors.js";
import { fakeEmbedder } from "./testing/fake-embedder.js";

const pairs: CalibrationPair[] = [
  // 0: a paraphrase the embedder sees as the same (similarity 1): a correct hit.
  { a: "How do I reset my password?", b: "How can I change my password?", label: 1 },
  // 1: looks the same to the embedder, but the numbers differ: the guard refuses it.
  { a: "Refund order 123", b: "Refund order 456", label: 0 },
  // 2: unrelated: no hit.
  { a: "What is the capital of France?", b: "Tell me a joke about cats", label: 0 },
  // 3: a paraphrase the embedder places far away: a miss (lost recall).
  { a: "How do I bake bread?", b: "Bread baking tips for beginners", label: 1 },
  // 4: matches pair 0's question, not its own, and no label ties the two: an unlabelled hit.
  { a: "Where is the station?", b: "I forgot my login secret", label: 0 },
];
const synonyms = [
  ["How do I reset my password?", "How can I change my password?", "I forgot my login secret"],
  ["Refund order 123", "Refund order 456"],
];

describe("calibrate", () => {
  it("counts correct, false and unlabelled hits, with and without the guard", async () => {
    const report = await calibrate(pairs, {
      embedder: fakeEmbedder({ synonyms }),
      thresholds: [0.9],
      defaultThreshold: 0.9,
    });
    expect(report).toMatchObject({ pairs: 5, positives: 2, negatives: 3 });
    const [row] = report.rows;
    expect(row).toMatchObject({ threshold: 0.9, hits: 2, correctHits: 1, falseHits: 0, unlabelledHits: 1 });
    expect(row!.precision).toBe(1); // the one hit the labels judge is right
    expect(row!.strictPrecision).toBe(0.5); // the unlabelled one counted as wrong
    expect(row!.recall).toBe(0.5);
    expect(row!.falseHitRate).toBe(0);
    // Without the guard, pair 1 hits its own question, labelled different: a false hit.
    expect(row!.noGuard).toMatchObject({ hits: 3, correctHits: 1, falseHits: 1, unlabelledHits: 1 });
    expect(row!.noGuard.precision).toBe(0.5);
    expect(row!.noGuard.falseHitRate).toBeCloseTo(1 / 5);
    expect(report.default).toMatchObject({ threshold: 0.9, precision: 1, strictPrecision: 0.5 });
    expect(report.refusals).toEqual({ numbers: { wrong: 1, right: 0, unlabelled: 0 } });

    const refused = report.lookups[1]!;
    expect(refused.accepted).toBeUndefined();
    expect(refused.nearest).toMatchObject({ question: "Refund order 123", verdict: "wrong" });
    expect(refused.refused[0]).toMatchObject({ rule: "numbers", reason: "numbers differ (456 vs 123)" });
    expect(report.lookups[4]!.accepted).toMatchObject({
      question: "How do I reset my password?",
      verdict: "unlabelled",
    });
  });

  it("suggests the lowest threshold from which precision stays at the target", async () => {
    const report = await calibrate(pairs, {
      embedder: fakeEmbedder({ synonyms }),
      thresholds: [0.1, 0.5, 0.9],
      targetPrecision: 0.5,
    });
    const precisions = report.rows.map((r) => r.precision);
    expect(precisions[2]).toBe(1);
    const expected = report.rows.find((_, k) => report.rows.slice(k).every((r) => r.precision >= 0.5));
    expect(report.suggested?.threshold).toBe(expected?.threshold);
    // A pair labelled different that the embedder and the guard take for the same: a false hit at any threshold.
    const cancel = ["Cancel my plan", "Stop my subscription"];
    const none = await calibrate([...pairs, { a: cancel[0]!, b: cancel[1]!, label: 0 }], {
      embedder: fakeEmbedder({ synonyms: [...synonyms, cancel] }),
      thresholds: [0.9],
      targetPrecision: 0.99,
    });
    expect(none.rows[0]).toMatchObject({ precision: 0.5, falseHits: 1 });
    expect(none.suggested).toBeUndefined();
  });

  it("measures the whole ranking with bootstrap intervals, reproducibly", async () => {
    const options = { embedder: fakeEmbedder({ synonyms }), thresholds: [0.9], defaultThreshold: 0.9 };
    const report = await calibrate(pairs, { ...options, bootstrap: 200, seed: 5 });
    const { ranking } = report;
    expect(ranking).toMatchObject({ precisionFloor: 0.9, threshold: 0.9, resamples: 200, seed: 5 });
    // Guard on: one positive found at precision 1 (the unlabelled hit does not count), one never: AP 1/2.
    expect(ranking.averagePrecision.value).toBe(0.5);
    expect(ranking.recallAtPrecision.value).toBe(0.5);
    // Without the guard, pair 1's false hit ranks just below pair 0's right one: the same AP.
    expect(ranking.noGuard.averagePrecision.value).toBe(0.5);
    expect(ranking.noGuard.recallAtPrecision.value).toBe(0.5);
    // Precision and recall at the default threshold are the table's.
    expect(ranking.precision.value).toBe(report.default.precision);
    expect(ranking.recall.value).toBe(report.default.recall);
    expect(ranking.noGuard.precision.value).toBe(report.default.noGuard.precision);
    for (const e of [ranking.averagePrecision, ranking.recall, ranking.noGuard.averagePrecision]) {
      expect(e.low).toBeLessThanOrEqual(e.value);
      expect(e.high).toBeGreaterThanOrEqual(e.value);
    }
    const again = await calibrate(pairs, { ...options, bootstrap: 200, seed: 5 });
    expect(again.ranking).toEqual(ranking);
    const byDefault = await calibrate(pairs, options);
    expect(byDefault.ranking).toMatchObject({ resamples: 1000, seed: 1 });
  });

  it("embeds each distinct text once, in batches", async () => {
    const embedder = fakeEmbedder({ synonyms });
    const progress: string[] = [];
    await calibrate(pairs, {
      embedder,
      batchSize: 4,
      onProgress: (p) => progress.push(`${p.phase} ${p.done}/${p.total}`),
    });
    expect(embedder.calls).toBe(3); // 10 texts in batches of 4
    expect(progress).toContain("embed 10/10");
    expect(progress).toContain("store 5/5");
    expect(progress.at(-1)).toBe("lookup 5/5");
  });

  it("gives the same hits as real lookups at each threshold (the sweep is exact)", async () => {
    // Many pairs from a small vocabulary, so similarities spread over the whole range.
    const words = "alpha beta gamma delta echo fox golf hotel india juliet kilo lima".split(" ");
    let seed = 7;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const sentence = () =>
      Array.from(
        { length: 3 + Math.floor(random() * 3) },
        () => words[Math.floor(random() * words.length)],
      ).join(" ");
    const many: CalibrationPair[] = Array.from({ length: 60 }, () => ({
      a: sentence(),
      b: sentence(),
      label: random() < 0.5 ? 1 : 0,
    }));
    const thresholds = [0.5, 0.7, 0.85];
    const report = await calibrate(many, { embedder: fakeEmbedder(), thresholds, candidates: 2 });
    const counts: number[] = [];

    for (const threshold of thresholds) {
      const cache = createCache({ semantic: { embedder: fakeEmbedder(), threshold, candidates: 2 } });
      for (const [i, p] of many.entries()) {
        await cache.run(
          { model: { provider: "x", id: "y" }, messages: [{ role: "user", content: p.a }] },
          async () => ({
            body: i,
            text: "answer",
          }),
          { noCache: true },
        );
      }
      let hits = 0;
      for (const p of many) {
        const found = await cache.lookup({
          model: { provider: "x", id: "y" },
          messages: [{ role: "user", content: p.b }],
        });
        if (found.hit) hits++;
        else found.fail();
      }
      expect(report.rows.find((r) => r.threshold === threshold)!.hits, `threshold ${threshold}`).toBe(hits);
      counts.push(hits);
    }
    // The thresholds really split the lookups.
    expect(new Set(counts).size).toBe(3);
    expect(counts[0]).toBeGreaterThan(counts[2]!);
  });

  it("stops with a clear error when the embedder fails", async () => {
    const broken = {
      id: "broken",
      dimensions: 4,
      embed: async () => Promise.reject(new Error("model crashed")),
    };
    await expect(calibrate(pairs, { embedder: broken })).rejects.toThrow(/model crashed/);
  });

  it("refuses empty input and thresholds out of range", async () => {
    await expect(calibrate([], { embedder: fakeEmbedder() })).rejects.toThrow(RecallError);
    await expect(calibrate(pairs, { embedder: fakeEmbedder(), thresholds: [1.5] })).rejects.toThrow(
      /threshold/,
    );
    await expect(calibrate(pairs, { embedder: fakeEmbedder(), bootstrap: 0 })).rejects.toThrow(/bootstrap/);
    await expect(calibrate(pairs, { embedder: fakeEmbedder(), seed: -1 })).rejects.toThrow(/seed/);
    await expect(calibrate(pairs, { embedder: fakeEmbedder(), precisionFloor: 0 })).rejects.toThrow(
      /precisionFloor/,
    );
  });
});

describe("thresholdRange", () => {
  it("spans both ends without float drift", () => {
    expect(thresholdRange(0.8, 0.85, 0.01)).toEqual([0.8, 0.81, 0.82, 0.83, 0.84, 0.85]);
    expect(thresholdRange()).toHaveLength(30);
  });
});
