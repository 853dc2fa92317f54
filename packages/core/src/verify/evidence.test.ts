import { describe, expect, it } from "vitest";
import {
  clopperPearsonUpper,
  errorBound,
  exploitProbability,
  MAX_OBSERVATIONS,
  MIN_OBSERVATIONS,
  type Observation,
  observe,
  POOL_MIN,
  POOL_WINDOW,
} from "./evidence.js";

const same = (s: number, n: number): Observation[] => Array.from({ length: n }, () => [s, 1]);

describe("Clopper-Pearson upper bound", () => {
  it("matches closed forms and known values", () => {
    // No failure in n trials: 1 - alpha^(1/n).
    for (const n of [1, 6, 20, 64])
      expect(clopperPearsonUpper(0, n, 0.05)).toBeCloseTo(1 - 0.05 ** (1 / n), 6);
    // 1 failure in 10 (exact one-sided 95%): 0.3942.
    expect(clopperPearsonUpper(1, 10, 0.05)).toBeCloseTo(0.3942, 3);
    expect(clopperPearsonUpper(5, 5, 0.05)).toBe(1);
  });
});

describe("an entry's evidence", () => {
  it("keeps the newest observations, rounded", () => {
    let e: Observation[] | undefined;
    for (let i = 0; i < MAX_OBSERVATIONS + 5; i++) e = observe(e, 0.81234, i % 2 === 0);
    expect(e).toHaveLength(MAX_OBSERVATIONS);
    expect(e![0]![0]).toBe(0.812);
  });

  it("bounds the error from observations at or below the similarity, and needs enough of them", () => {
    const evidence = [...same(0.85, MIN_OBSERVATIONS - 1), [0.95, 1] as Observation];
    expect(errorBound(evidence, 0.9)).toBe(1);
    expect(errorBound(evidence, 0.96)).toBeCloseTo(1 - 0.05 ** (1 / MIN_OBSERVATIONS), 6);
  });

  it("serves unverified with probability bound / error, never without evidence", () => {
    expect(exploitProbability(undefined, 0.9, 0.02)).toBe(0);
    expect(exploitProbability(same(0.85, 5), 0.9, 0.02)).toBe(0);
    const p = exploitProbability(same(0.85, 64), 0.9, 0.02);
    expect(p).toBeCloseTo(0.02 / (1 - 0.05 ** (1 / 64)), 6);
    expect(exploitProbability(same(0.85, 64), 0.8, 0.02)).toBe(0);
  });
});

describe("the partition's pool", () => {
  const pool = same(0.9, POOL_MIN);

  it("stands in for an entry without evidence, within its window", () => {
    expect(exploitProbability(undefined, 0.9, 0.02, pool)).toBeCloseTo(
      0.02 / (1 - 0.05 ** (1 / POOL_MIN)),
      6,
    );
    expect(exploitProbability(undefined, 0.9 + POOL_WINDOW + 0.01, 0.02, pool)).toBe(0);
    expect(exploitProbability(undefined, 0.89, 0.02, pool)).toBe(0);
    expect(exploitProbability(undefined, 0.9, 0.02, same(0.9, POOL_MIN - 1))).toBe(0);
  });

  it("is not used for an entry with evidence against it", () => {
    expect(exploitProbability([[0.88, 0]], 0.9, 0.02, pool)).toBe(0);
    expect(exploitProbability([[0.95, 0]], 0.9, 0.02, pool)).toBeGreaterThan(0);
  });

  it("counts wrong verdicts against the candidates they bound", () => {
    const mixed: Observation[] = [
      ...same(0.9, POOL_MIN),
      ...Array.from({ length: 10 }, () => [0.9, 0] as Observation),
    ];
    expect(exploitProbability(undefined, 0.9, 0.02, mixed)).toBeLessThan(
      exploitProbability(undefined, 0.9, 0.02, pool),
    );
  });
});
