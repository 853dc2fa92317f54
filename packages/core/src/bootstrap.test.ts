import { describe, expect, it } from "vitest";
import { bootstrapIntervals, mulberry32, percentile } from "./bootstrap.js";
import { type RankedLookup, rankingMetrics } from "./ranking-metrics.js";

describe("mulberry32", () => {
  it("gives the same numbers in [0, 1) for the same seed, others for another", () => {
    const draw = (seed: number) => Array.from({ length: 5 }, mulberry32(seed));
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    const many = Array.from({ length: 10_000 }, mulberry32(1));
    expect(Math.min(...many)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...many)).toBeLessThan(1);
    expect(many.reduce((s, x) => s + x, 0) / many.length).toBeCloseTo(0.5, 1);
  });
});

describe("percentile", () => {
  it("interpolates between the nearest ranks", () => {
    expect(percentile([1, 2, 3, 4, 5], 0.5)).toBe(3);
    expect(percentile([1, 2, 3, 4, 5], 0.025)).toBeCloseTo(1.1, 12);
    expect(percentile([1, 2, 3, 4, 5], 1)).toBe(5);
    expect(percentile([7], 0.975)).toBe(7);
    expect(percentile([], 0.5)).toBeNaN();
  });
});

describe("bootstrapIntervals", () => {
  // A small ranking, and the same ranking four and sixteen times over.
  const base: RankedLookup[] = (
    [
      [0.95, 1],
      [0.9, 0],
      [0.85, 1],
      [0.8, 1],
      [0.7, 0],
      [0.6, 1],
      [0.55, 0],
      [0.5, 1],
    ] as const
  ).map(([similarity, label]) => ({ label, match: { similarity, verdict: label ? "right" : "wrong" } }));
  const times = (n: number) => Array.from({ length: n }, () => base).flat();
  const options = { precisionFloor: 0.9, threshold: 0.8 };
  const intervals = (lookups: RankedLookup[], seed = 1) =>
    bootstrapIntervals(lookups.length, rankingMetrics(lookups, options), { seed, resamples: 500 });

  it("draws n items per resample", () => {
    const sizes = new Set<number>();
    bootstrapIntervals(10, (w) => {
      sizes.add(w.reduce((s, x) => s + x, 0));
      return {};
    });
    expect([...sizes]).toEqual([10]);
  });

  it("contains the point estimate, and narrows with more pairs", () => {
    const width = (i: { low: number; high: number }) => i.high - i.low;
    let previous: Record<string, number> | undefined;
    for (const n of [1, 4, 16]) {
      const lookups = times(n);
      const point = rankingMetrics(lookups, options)();
      const found = intervals(lookups);
      for (const name of ["averagePrecision", "recallAtPrecision", "precision", "recall"] as const) {
        expect(found[name].low, `${name} x${n}`).toBeLessThanOrEqual(point[name]);
        expect(found[name].high, `${name} x${n}`).toBeGreaterThanOrEqual(point[name]);
      }
      const widths = { ap: width(found.averagePrecision), recall: width(found.recall) };
      if (previous) {
        expect(widths.ap).toBeLessThan(previous.ap!);
        expect(widths.recall).toBeLessThan(previous.recall!);
      }
      previous = widths;
    }
  });

  it("gives the same intervals for the same seed, and others for another", () => {
    expect(intervals(times(4), 7)).toEqual(intervals(times(4), 7));
    expect(intervals(times(4), 7)).not.toEqual(intervals(times(4), 8));
  });

  it("leaves out resamples where a figure is NaN", () => {
    let r = 0;
    const found = bootstrapIntervals(5, () => ({ odd: r++ % 2 === 0 ? Number.NaN : 1, never: Number.NaN }));
    expect(found.odd).toEqual({ low: 1, high: 1 });
    expect(found.never.low).toBeNaN();
  });
});
