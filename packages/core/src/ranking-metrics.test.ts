import { describe, expect, it } from "vitest";
import { mulberry32 } from "./bootstrap.js";
import { metricsAt, type PairLookup } from "./calibrate.js";
import type { LabelVerdict } from "./calibration-labels.js";
import { type RankedLookup, rankingMetrics } from "./ranking-metrics.js";

/** [similarity, label]: the match is right for label 1 and wrong for label 0; no similarity: no match. */
const scored = (...rows: Array<[number | undefined, 0 | 1]>): RankedLookup[] =>
  rows.map(([similarity, label]) => ({
    label,
    match: similarity === undefined ? undefined : { similarity, verdict: label === 1 ? "right" : "wrong" },
  }));

const options = { precisionFloor: 0.9, threshold: 0.8 };

describe("rankingMetrics", () => {
  // Ranked: + - + + - +, and one positive never matched: 5 positives.
  const lookups = scored([0.95, 1], [0.9, 0], [0.85, 1], [0.8, 1], [0.7, 0], [0.6, 1], [undefined, 1]);

  it("computes step-wise average precision and recall at a precision floor", () => {
    const m = rankingMetrics(lookups, options)();
    // Precision where each positive is found: 1/1, 2/3, 3/4, 4/6; the unmatched one adds 0.
    expect(m.averagePrecision).toBeCloseTo((1 + 2 / 3 + 3 / 4 + 4 / 6) / 5, 12);
    // Only the top hit keeps precision >= 0.90: recall 1/5.
    expect(m.recallAtPrecision).toBe(1 / 5);
    // At 0.8: 3 right, 1 wrong; 3 of 5 positives found.
    expect(m.precision).toBe(3 / 4);
    expect(m.recall).toBe(3 / 5);
    // The floor is inclusive: precision exactly 0.75 at 0.8 qualifies.
    expect(rankingMetrics(lookups, { ...options, precisionFloor: 0.75 })().recallAtPrecision).toBe(3 / 5);
  });

  it("gives lookups tied on similarity the precision of that threshold", () => {
    // A threshold at 0.9 hits both tied lookups: precision 1/2 there, whatever their order.
    const m = rankingMetrics(scored([0.9, 1], [0.9, 0], [0.8, 1]), options)();
    expect(m.averagePrecision).toBeCloseTo((1 / 2 + 2 / 3) / 2, 12);
    expect(m.recallAtPrecision).toBe(0);
    const swapped = rankingMetrics(scored([0.9, 0], [0.9, 1], [0.8, 1]), options)();
    expect(swapped.averagePrecision).toBe(m.averagePrecision);
  });

  it("counts unlabelled hits in neither precision nor recall, and right hits of label-0 pairs in precision only", () => {
    const match = (similarity: number, verdict: LabelVerdict) => ({ similarity, verdict });
    const m = rankingMetrics(
      [
        { label: 0, match: match(0.95, "unlabelled") },
        { label: 0, match: match(0.9, "right") }, // another question in b's group: right, not a positive
        { label: 0, match: match(0.85, "wrong") },
        { label: 1, match: match(0.8, "right") },
        { label: 1, match: match(0.75, "wrong") }, // a positive whose match is wrong: never found
      ],
      options,
    )();
    // The one positive found is found at precision 2/3, out of 2 positives.
    expect(m.averagePrecision).toBeCloseTo(2 / 3 / 2, 12);
    expect(m.recallAtPrecision).toBe(0);
    expect(m.precision).toBe(2 / 3);
    expect(m.recall).toBe(1 / 2);
  });

  it("is NaN where nothing counts: no positive, or no judged hit at the threshold", () => {
    const none = rankingMetrics(scored([0.9, 0]), options)();
    expect(none.averagePrecision).toBeNaN();
    expect(none.recallAtPrecision).toBeNaN();
    expect(none.precision).toBe(0);
    const below = rankingMetrics(scored([0.5, 1]), options)();
    expect(below).toMatchObject({ precision: Number.NaN, recall: 0, averagePrecision: 1 });
  });

  it("counts each lookup as many times as its weight", () => {
    const weights = [2, 0, 1, 3, 1, 0, 1];
    const repeated = lookups.flatMap((lookup, i) => Array<RankedLookup>(weights[i]!).fill(lookup));
    expect(rankingMetrics(lookups, options)(weights)).toEqual(rankingMetrics(repeated, options)());
  });

  it("agrees with metricsAt at every threshold, and recall at the floor is the best of them", () => {
    const random = mulberry32(3);
    const verdicts: LabelVerdict[] = ["right", "wrong", "unlabelled"];
    const lookups: PairLookup[] = Array.from({ length: 200 }, (_, index) => {
      const similarity = Math.round((0.7 + random() * 0.3) * 100) / 100; // ties on purpose
      const match = { question: "q", similarity, verdict: verdicts[Math.floor(random() * 3)]! };
      return {
        index,
        label: random() < 0.4 ? 1 : 0,
        refused: [],
        ...(random() < 0.8 ? { accepted: match } : {}),
      };
    });
    const positives = lookups.filter((l) => l.label === 1).length;
    const ranked = lookups.map((l) => ({ label: l.label, match: l.accepted }));
    let bestRecall = 0;
    for (let t = 0.7; t <= 1; t += 0.01) {
      const at = metricsAt(lookups, positives, t, true);
      const m = rankingMetrics(ranked, { precisionFloor: 0.5, threshold: t })();
      expect(m.precision).toBe(at.precision);
      expect(m.recall).toBe(at.recall);
      if (at.precision >= 0.5) bestRecall = Math.max(bestRecall, at.recall);
      expect(m.recallAtPrecision).toBeGreaterThanOrEqual(bestRecall);
    }
  });
});
