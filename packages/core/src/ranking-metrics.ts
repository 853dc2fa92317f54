/**
 * Figures over a matcher's whole ranking rather than at one threshold, so two matchers (two
 * embedders, the guard on and off) can be compared without first picking a threshold for each:
 *
 * - **average precision** (AP), the area under the precision-recall curve, step-wise (as
 *   scikit-learn's `average_precision_score`): the sum, over the positives found, of the precision at
 *   the similarity that found them, divided by all positives. Lookups tied on similarity are hit
 *   together, so tied positives share the precision at that similarity. A positive never found
 *   (no match, a wrong one, or the guard refused every candidate) adds 0.
 * - **recall at a precision floor**: the highest recall at any similarity threshold whose precision
 *   is at or above the floor (0 when none is).
 *
 * Precision and recall are counted as in `metricsAt` (`calibrate.ts`): precision is right hits over
 * hits the labels judge (an unlabelled hit counts in neither), recall is positives (pairs labelled 1)
 * with a right hit over all positives, so a pair the matcher cannot score is a miss at every
 * threshold, not left out.
 */
import type { LabelVerdict } from "./calibration-labels.js";

/** One lookup as the ranking sees it. */
export interface RankedLookup {
  label: 0 | 1;
  /** What it returned at the lowest similarity measured; undefined when nothing (a miss at every threshold). */
  match: { similarity: number; verdict: LabelVerdict } | undefined;
}

export interface RankingMetrics {
  averagePrecision: number;
  /** The highest recall at any threshold whose precision is at or above the floor. */
  recallAtPrecision: number;
  /** Precision at `threshold` (NaN when the labels judge no hit there). */
  precision: number;
  /** Recall at `threshold`. */
  recall: number;
}

export interface RankingOptions {
  /** The precision floor of `recallAtPrecision`. */
  precisionFloor: number;
  /** The threshold of `precision` and `recall`. */
  threshold: number;
}

/**
 * Ranks `lookups` by similarity once and returns a function that measures the ranking with each
 * lookup counted `weights[i]` times (default once): a bootstrap resample is such a weighting. The
 * recall figures and AP are NaN when no positive counts.
 */
export function rankingMetrics(
  lookups: RankedLookup[],
  options: RankingOptions,
): (weights?: ArrayLike<number>) => RankingMetrics {
  const ranked = lookups
    .flatMap(({ label, match }, index) => (match ? [{ index, label, match }] : []))
    .sort((x, y) => y.match.similarity - x.match.similarity);

  return (weights) => {
    const weight = (i: number) => (weights ? weights[i]! : 1);
    let positives = 0;
    lookups.forEach((lookup, i) => {
      if (lookup.label === 1) positives += weight(i);
    });
    let right = 0;
    let wrong = 0;
    let found = 0;
    let foundHere = 0;
    let sumOfPrecisions = 0;
    let bestRecall = 0;
    let atThreshold = { precision: Number.NaN, found: 0 };
    for (let k = 0; k < ranked.length; k++) {
      const { index, label, match } = ranked[k]!;
      const w = weight(index);
      if (match.verdict === "right") {
        right += w;
        if (label === 1) foundHere += w;
      } else if (match.verdict === "wrong") {
        wrong += w;
      }
      // A threshold at this similarity hits every lookup tied with it: measure after the last of them.
      if (ranked[k + 1]?.match.similarity === match.similarity) continue;
      found += foundHere;
      const precision = right / (right + wrong); // NaN with nothing judged yet; then foundHere is 0
      if (foundHere > 0) sumOfPrecisions += precision * foundHere;
      if (precision >= options.precisionFloor) bestRecall = Math.max(bestRecall, found);
      if (match.similarity >= options.threshold) atThreshold = { precision, found };
      foundHere = 0;
    }
    // With no positive, the recall figures are 0 / 0: NaN, as in `metricsAt`.
    return {
      averagePrecision: sumOfPrecisions / positives,
      recallAtPrecision: bestRecall / positives,
      precision: atThreshold.precision,
      recall: atThreshold.found / positives,
    };
  };
}
