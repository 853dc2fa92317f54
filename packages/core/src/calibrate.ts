/**
 * Calibration: how precise and how complete semantic matching is on labelled question pairs, per
 * similarity threshold, with and without the guard. It goes through the real lookup path: every
 * `a` is stored in one fresh cache (as in production, all together), then every `b` is looked up.
 *
 * The labels judge each hit (`calibration-labels.ts`): right when it found `b`'s own `a` of a pair
 * labelled the same (or a question the labels put in one group with `b`), wrong when it found a
 * question labelled different. A hit on another pair's question that no label ties to `b` is
 * unlabelled: `precision` leaves it out, `strictPrecision` counts it as wrong.
 *
 * Besides the figures per threshold, `ranking` measures the whole ranking (average precision, recall
 * at a precision floor: `ranking-metrics.ts`) with bootstrap intervals (`bootstrap.ts`), so two
 * matchers can be compared with the noise of the labels in view.
 */
import {
  type BootstrapOptions,
  bootstrapIntervals,
  DEFAULT_RESAMPLES,
  DEFAULT_SEED,
  type Interval,
} from "./bootstrap.js";
import { createCache } from "./cache.js";
import { cachedEmbedder } from "./cached-embedder.js";
import { type LabelledPair, type LabelVerdict, labelJudge } from "./calibration-labels.js";
import type { Embedder } from "./embedder.js";
import { assertOption, errorCodes, RecallError } from "./errors.js";
import { defaultGuard, type SemanticGuard } from "./guard.js";
import { FlatIndex } from "./index/flat-index.js";
import { normalizeText } from "./normalize.js";
import { type RankingMetrics, rankingMetrics } from "./ranking-metrics.js";
import type { CacheRequest } from "./request.js";
import { DEFAULT_THRESHOLD } from "./semantic.js";
import type { VectorIndex } from "./vector-index.js";

/** `{ a, b, label }`; label 1: same question (an answer to `a` answers `b`); 0: different. */
export type CalibrationPair = LabelledPair;

export interface CalibrationProgress {
  phase: "embed" | "store" | "lookup";
  done: number;
  total: number;
}

export interface CalibrationOptions {
  embedder: Embedder;
  /** The guard to measure. Default: `defaultGuard`. */
  guard?: SemanticGuard;
  /** Thresholds to report. Default 0.70 to 0.99 by 0.01. */
  thresholds?: number[];
  /** Neighbours examined per lookup, as in `semantic.candidates`. Default 4 (the cache's default). */
  candidates?: number;
  /** The threshold reported as `default`. Default `DEFAULT_THRESHOLD`. */
  defaultThreshold?: number;
  /** Precision the `suggested` threshold must reach. Default 0.95. */
  targetPrecision?: number;
  /** The precision floor of `ranking.recallAtPrecision`. Default 0.90. */
  precisionFloor?: number;
  /** Bootstrap resamples behind each interval of `ranking`. Default 1000. */
  bootstrap?: number;
  /** Seed of the bootstrap resampling: the same pairs and seed give the same intervals. Default 1. */
  seed?: number;
  /** Texts per embedding call while warming up. Default 64. */
  batchSize?: number;
  /**
   * The vector index. Default: an exact `FlatIndex`, so the figures measure the threshold and the
   * guard, not the recall of an approximate (HNSW) search.
   */
  index?: VectorIndex;
  onProgress?: (progress: CalibrationProgress) => void;
}

export interface CalibrationMetrics {
  threshold: number;
  /** Correct hits / hits the labels judge (correct + false; NaN when none). */
  precision: number;
  /** Correct hits / all hits: unlabelled hits counted as false (NaN when nothing hit). */
  strictPrecision: number;
  /** Pairs labelled the same that got a correct hit / pairs labelled the same. */
  recall: number;
  /** False hits / lookups: how often a lookup returns an answer to a question labelled different. */
  falseHitRate: number;
  hits: number;
  correctHits: number;
  falseHits: number;
  /** Hits on another pair's question that no label ties to the looked-up one. */
  unlabelledHits: number;
}

export interface CalibrationRow extends CalibrationMetrics {
  /** The same threshold with the guard off. */
  noGuard: CalibrationMetrics;
}

/** A figure and its 95% bootstrap interval. */
export interface Estimate extends Interval {
  value: number;
}

/** `RankingMetrics` (`ranking-metrics.ts`), each with its interval. */
export type RankingEstimates = { [K in keyof RankingMetrics]: Estimate };

/**
 * Figures over the whole ranking of hits (guard on, and `noGuard`): average precision, recall at
 * `precisionFloor`, and precision and recall at the default threshold, each with the 2.5th and 97.5th
 * percentiles over `resamples` resamples of the pairs (the same resamples for both). The ranking
 * holds the hits at or above the lowest threshold measured: a paraphrase found only below it counts
 * as never found.
 */
export interface RankingReport extends RankingEstimates {
  precisionFloor: number;
  /** The threshold of `precision` and `recall` (the default one). */
  threshold: number;
  resamples: number;
  seed: number;
  noGuard: RankingEstimates;
}

/** A stored question a lookup matched or considered. */
export interface Candidate {
  question: string;
  similarity: number;
  /** What the labels say of answering with it. */
  verdict: LabelVerdict;
}

/** What happened to one pair's lookup at the lowest threshold. */
export interface PairLookup {
  index: number;
  label: 0 | 1;
  /** The nearest stored question at or above the lowest threshold (what a guard-less cache returns). */
  nearest?: Candidate;
  /** The first candidate the guard accepted (what the guarded cache returned). */
  accepted?: Candidate;
  /** Candidates the guard refused before that, best first. */
  refused: Array<Candidate & { reason: string; rule?: string }>;
}

export interface CalibrationReport {
  pairs: number;
  positives: number;
  negatives: number;
  /** Metrics at the default threshold, guard on. */
  default: CalibrationMetrics & { noGuard: CalibrationMetrics };
  /** The lowest threshold from which precision (guard on) stays at or above the target; undefined if none. */
  suggested?: CalibrationMetrics;
  targetPrecision: number;
  rows: CalibrationRow[];
  ranking: RankingReport;
  /** Candidates refused per guard rule at the default threshold, by verdict: wrong (false hits avoided), right (paraphrases lost), unlabelled. */
  refusals: Record<string, Record<LabelVerdict, number>>;
  lookups: PairLookup[];
}

/** 0.70, 0.71, …, 0.99. */
export function thresholdRange(from = 0.7, to = 0.99, step = 0.01): number[] {
  const out: number[] = [];
  for (let i = 0; from + i * step <= to + 1e-9; i++) out.push(Math.round((from + i * step) * 1e4) / 1e4);
  return out;
}

/** The request a calibration question travels in: one model, one system prompt, one namespace. */
function requestFor(question: string): CacheRequest {
  return {
    model: { provider: "calibration", id: "model" },
    messages: [{ role: "user", content: question }],
  };
}

export async function calibrate(
  pairs: CalibrationPair[],
  options: CalibrationOptions,
): Promise<CalibrationReport> {
  const thresholds = [...(options.thresholds ?? thresholdRange())].sort((x, y) => x - y);
  const defaultThreshold = options.defaultThreshold ?? DEFAULT_THRESHOLD;
  const targetPrecision = options.targetPrecision ?? 0.95;
  const precisionFloor = options.precisionFloor ?? 0.9;
  const bootstrap = { resamples: options.bootstrap ?? DEFAULT_RESAMPLES, seed: options.seed ?? DEFAULT_SEED };
  const lowest = Math.min(thresholds[0] ?? defaultThreshold, defaultThreshold);
  const guard = options.guard ?? defaultGuard;
  const progress = options.onProgress ?? (() => {});
  assertOption(pairs.length > 0, "calibration needs at least one pair");
  for (const t of [...thresholds, defaultThreshold]) {
    assertOption(t > 0 && t <= 1, `a threshold must be in (0, 1], got ${t}`);
  }
  assertOption(
    precisionFloor > 0 && precisionFloor <= 1,
    `precisionFloor must be in (0, 1], got ${precisionFloor}`,
  );
  assertOption(
    Number.isInteger(bootstrap.resamples) && bootstrap.resamples > 0,
    `bootstrap must be a positive integer, got ${bootstrap.resamples}`,
  );
  assertOption(
    Number.isInteger(bootstrap.seed) && bootstrap.seed >= 0 && bootstrap.seed < 2 ** 32,
    `seed must be an integer from 0 to 2^32 - 1, got ${bootstrap.seed}`,
  );

  // Compare questions the way the cache stores them.
  const as = pairs.map((p) => normalizeText(p.a));
  const bs = pairs.map((p) => normalizeText(p.b));
  const verdict = labelJudge(pairs.map((p, i) => ({ a: as[i]!, b: bs[i]!, label: p.label })));
  // Every text embedded once, in large batches up front: the lookups then make no model calls.
  const texts = [...new Set([...as, ...bs])];
  const embedder = cachedEmbedder(options.embedder, texts.length);
  const batchSize = options.batchSize ?? 64;
  progress({ phase: "embed", done: 0, total: texts.length });
  for (let i = 0; i < texts.length; i += batchSize) {
    await embedder.embed(texts.slice(i, i + batchSize));
    progress({ phase: "embed", done: Math.min(i + batchSize, texts.length), total: texts.length });
  }

  // Records the rule of each refusal; the `semantic-reject` events carry similarity and candidate.
  let refusedRules: Array<string | undefined> = [];
  const recordingGuard: SemanticGuard = (question, candidate) => {
    const verdict = guard(question, candidate);
    if (!verdict.ok) refusedRules.push(verdict.rule);
    return verdict;
  };
  const cache = createCache({
    maxEntries: pairs.length + 16,
    ttl: 0,
    semantic: {
      embedder,
      threshold: lowest,
      guard: recordingGuard,
      candidates: options.candidates ?? 4,
      embedTimeoutMs: 60_000,
      // Every lookup is measured: none may be skipped for load (a shed lookup would read as a miss).
      budgetMs: Number.POSITIVE_INFINITY,
      index: options.index ?? new FlatIndex(),
    },
  });
  const errors: Error[] = [];
  cache.on("error", (e) => errors.push(e.error));
  cache.on("semantic-shed", (e) => errors.push(new Error(`a lookup was skipped for load: ${e.reason}`)));
  let refused: Array<{ question: string; similarity: number; reason: string }> = [];
  cache.on("semantic-reject", (e) =>
    refused.push({ question: e.candidate, similarity: e.similarity, reason: e.reason }),
  );
  await cache.ready();

  for (let i = 0; i < pairs.length; i++) {
    const answer = `answer to pair ${i}`;
    await cache.run(
      requestFor(as[i]!),
      async () => ({ body: { pair: i, question: as[i] }, text: answer, finishReason: "stop" as const }),
      { noCache: true },
    );
    if ((i + 1) % 250 === 0 || i + 1 === pairs.length)
      progress({ phase: "store", done: i + 1, total: pairs.length });
    if (errors.length > 0) throw calibrationError(errors[0]!);
  }

  const lookups: PairLookup[] = [];
  for (let i = 0; i < pairs.length; i++) {
    const label = pairs[i]!.label;
    const judge = (question: string, similarity: number): Candidate => ({
      question,
      similarity,
      verdict: verdict(i, question),
    });
    refused = [];
    refusedRules = [];
    const result = await cache.lookup(requestFor(bs[i]!), { threshold: lowest });
    if (errors.length > 0) throw calibrationError(errors[0]!);
    const lookup: PairLookup = {
      index: i,
      label,
      refused: refused.map((r, k) => ({
        ...judge(r.question, r.similarity),
        reason: r.reason,
        rule: refusedRules[k],
      })),
    };
    if (result.hit) {
      const { outcome } = result;
      // An exact hit is the very same question (similarity 1).
      lookup.accepted =
        outcome.status === "semantic-hit"
          ? judge(outcome.matchedQuestion!, outcome.similarity!)
          : judge(bs[i]!, 1);
    } else {
      result.fail();
    }
    const first = lookup.refused[0] ?? lookup.accepted;
    if (first)
      lookup.nearest = { question: first.question, similarity: first.similarity, verdict: first.verdict };
    lookups.push(lookup);
    if ((i + 1) % 250 === 0 || i + 1 === pairs.length)
      progress({ phase: "lookup", done: i + 1, total: pairs.length });
  }
  await cache.close();

  const positives = pairs.filter((p) => p.label === 1).length;
  const at = (threshold: number, withGuard: boolean) => metricsAt(lookups, positives, threshold, withGuard);
  const rows: CalibrationRow[] = thresholds.map((t) => ({ ...at(t, true), noGuard: at(t, false) }));
  const suggestedRow = suggestThreshold(rows, targetPrecision);
  return {
    pairs: pairs.length,
    positives,
    negatives: pairs.length - positives,
    default: { ...at(defaultThreshold, true), noGuard: at(defaultThreshold, false) },
    ...(suggestedRow ? { suggested: withoutNoGuard(suggestedRow) } : {}),
    targetPrecision,
    rows,
    ranking: rankingReport(lookups, { precisionFloor, threshold: defaultThreshold }, bootstrap),
    refusals: refusalsAt(lookups, defaultThreshold),
    lookups,
  };
}

/** The lowest row from which precision stays at or above `target` (rows without hits do not count), if any. */
export function suggestThreshold<R extends CalibrationMetrics>(rows: R[], target: number): R | undefined {
  return rows.find((_, k) => rows.slice(k).every((r) => Number.isNaN(r.precision) || r.precision >= target));
}

function withoutNoGuard({ noGuard: _, ...metrics }: CalibrationRow): CalibrationMetrics {
  return metrics;
}

function calibrationError(cause: Error): RecallError {
  return new RecallError(errorCodes.SEMANTIC_ERROR, `calibration stopped: ${cause.message}`, { cause });
}

/**
 * The metrics at `threshold`. Exact: a lookup at a higher threshold sees a prefix of the same
 * best-first candidates, so its answer is the first accepted candidate if that one is still above it.
 */
export function metricsAt(
  lookups: PairLookup[],
  positives: number,
  threshold: number,
  withGuard: boolean,
): CalibrationMetrics {
  const count: Record<LabelVerdict, number> = { right: 0, wrong: 0, unlabelled: 0 };
  let truePositives = 0;
  for (const lookup of lookups) {
    const match = withGuard ? lookup.accepted : lookup.nearest;
    if (!match || match.similarity < threshold) continue;
    count[match.verdict]++;
    if (match.verdict === "right" && lookup.label === 1) truePositives++;
  }
  const hits = count.right + count.wrong + count.unlabelled;
  const ratio = (n: number, d: number) => (d === 0 ? Number.NaN : n / d);
  return {
    threshold,
    precision: ratio(count.right, count.right + count.wrong),
    strictPrecision: ratio(count.right, hits),
    recall: ratio(truePositives, positives),
    falseHitRate: ratio(count.wrong, lookups.length),
    hits,
    correctHits: count.right,
    falseHits: count.wrong,
    unlabelledHits: count.unlabelled,
  };
}

/** The ranking figures of the guarded and the guard-less lookups, over the same resamples. */
function rankingReport(
  lookups: PairLookup[],
  options: { precisionFloor: number; threshold: number },
  bootstrap: Required<BootstrapOptions>,
): RankingReport {
  const estimates = (withGuard: boolean): RankingEstimates => {
    const measure = rankingMetrics(
      lookups.map((l) => ({ label: l.label, match: withGuard ? l.accepted : l.nearest })),
      options,
    );
    const value = measure();
    const intervals = bootstrapIntervals(lookups.length, measure, bootstrap);
    const estimate = (k: keyof RankingMetrics): Estimate => ({ value: value[k], ...intervals[k] });
    return {
      averagePrecision: estimate("averagePrecision"),
      recallAtPrecision: estimate("recallAtPrecision"),
      precision: estimate("precision"),
      recall: estimate("recall"),
    };
  };
  return { ...estimates(true), ...options, ...bootstrap, noGuard: estimates(false) };
}

function refusalsAt(lookups: PairLookup[], threshold: number): Record<string, Record<LabelVerdict, number>> {
  const out: Record<string, Record<LabelVerdict, number>> = {};
  for (const lookup of lookups) {
    for (const r of lookup.refused) {
      if (r.similarity < threshold) continue;
      const rule = r.rule ?? "guard";
      out[rule] ??= { wrong: 0, right: 0, unlabelled: 0 };
      out[rule][r.verdict]++;
    }
  }
  return out;
}
