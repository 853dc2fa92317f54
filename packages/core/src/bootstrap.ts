/**
 * Percentile bootstrap intervals, reproducible: how much a figure measured on a sample of items
 * would move on another sample like it. The items are resampled with replacement, as a count per
 * item (how many times it was drawn), so a figure computed once per item (a similarity, a verdict)
 * is only re-weighted per resample, never recomputed.
 */

/** Resamples drawn by default. */
export const DEFAULT_RESAMPLES = 1000;
/** The seed of the resampling by default: the same figures and seed give the same intervals. */
export const DEFAULT_SEED = 1;

/**
 * mulberry32: a tiny seeded generator of uniform numbers in [0, 1), 32 bits of state. Plenty for
 * resampling; not for anything secret.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The 2.5th and 97.5th percentiles of a figure over the resamples: a 95% interval. */
export interface Interval {
  low: number;
  high: number;
}

export interface BootstrapOptions {
  /** Resamples to draw. Default `DEFAULT_RESAMPLES` (1000). */
  resamples?: number;
  /** Seed of the generator. Default `DEFAULT_SEED`. */
  seed?: number;
}

/**
 * Draws `resamples` resamples of `n` items with replacement and measures each with `measure`, given
 * how many times each item was drawn. Returns, per figure, its 2.5th and 97.5th percentiles over the
 * resamples (linear interpolation between the nearest ranks). A resample whose figure is NaN (nothing
 * to measure, such as a precision without hits) is left out of that figure's percentiles; NaN when
 * every resample's is.
 *
 * @example
 * const scores = [0.9, 0.4, 0.7];
 * const mean = (w: Uint32Array) => ({ mean: scores.reduce((s, x, i) => s + x * w[i]!, 0) / scores.length });
 * bootstrapIntervals(scores.length, mean, { seed: 7 }); // { mean: { low, high } }
 */
export function bootstrapIntervals<K extends string>(
  n: number,
  measure: (weights: Uint32Array) => Record<K, number>,
  options: BootstrapOptions = {},
): Record<K, Interval> {
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  const random = mulberry32(options.seed ?? DEFAULT_SEED);
  const weights = new Uint32Array(n);
  const figures = new Map<K, number[]>();
  for (let r = 0; r < resamples; r++) {
    weights.fill(0);
    for (let k = 0; k < n; k++) weights[Math.floor(random() * n)]!++;
    for (const [name, value] of Object.entries(measure(weights)) as Array<[K, number]>) {
      if (!figures.has(name)) figures.set(name, []);
      if (!Number.isNaN(value)) figures.get(name)!.push(value);
    }
  }
  const out = {} as Record<K, Interval>;
  for (const [name, values] of figures) {
    values.sort((x, y) => x - y);
    out[name] = { low: percentile(values, 0.025), high: percentile(values, 0.975) };
  }
  return out;
}

/** The `p` quantile of ascending `sorted`, interpolated between the nearest ranks; NaN when empty. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const at = p * (sorted.length - 1);
  const below = Math.floor(at);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (at - below);
}
