/**
 * What one entry has learned about questions matched to it by meaning: observations of
 * `[similarity, 1 | 0]` (1 when the question asked was judged the same as the entry's, by the
 * verifier or by feedback), the newest last, and from them how likely a new question at a given
 * similarity is to get a wrong answer.
 *
 * The rule is vCache's (Schroeder et al., "vCache: Verified Semantic Prompt Caching", ICLR 2026,
 * arXiv 2502.03771): serve a candidate without verifying it with probability `bound / ε̂(s)`, where
 * ε̂(s) is an upper confidence bound on the chance that the entry's answer is wrong at similarity
 * s. The expected share of wrong answers served that way is then at most `bound`. Until an entry has
 * `MIN_OBSERVATIONS` observations it is always verified (vCache explores until it has six).
 *
 * Where Recall differs: vCache fits a logistic curve of correctness against similarity per entry
 * and bounds its threshold's variance (delta method, or a table when the labels separate). Recall
 * assumes only that correctness does not fall as similarity rises, and bounds the wrong share among
 * the entry's observations at or below s (at least as hard as s) with a one-sided 95% Clopper-Pearson
 * bound. It needs no model fit and cannot be misled by a curve that does not fit, at the price of
 * learning more slowly.
 *
 * And most entries are asked about once or twice, never six times, so an entry with no evidence of
 * its own falls back on its partition's pool (every verdict on every entry of the same model, system
 * prompt and namespace; vCache has such a global variant too): there the bound is over the pooled
 * observations in `[s - POOL_WINDOW, s]`, at least `POOL_MIN` of them. An entry with any wrong
 * observation at or below s never uses the pool: what is known against it comes first.
 */
export type Observation = [similarity: number, same: 0 | 1];

/** Observations kept per entry (the newest). */
export const MAX_OBSERVATIONS = 64;
/** Below this many observations at or below a similarity, a candidate there is always verified. */
export const MIN_OBSERVATIONS = 6;
/** The pool's observations that bound the error at s lie in `[s - POOL_WINDOW, s]`. */
export const POOL_WINDOW = 0.03;
/** Below this many pooled observations in the window, the pool says nothing. */
export const POOL_MIN = 30;
/** One minus the confidence of the bound on the error. */
const ALPHA = 0.05;

/** Adds one observation (rounded to 3 decimals, as vCache does), keeping the newest `keep`. */
export function observe(
  evidence: Observation[] | undefined,
  similarity: number,
  same: boolean,
  keep = MAX_OBSERVATIONS,
): Observation[] {
  const next: Observation[] = [...(evidence ?? []), [Math.round(similarity * 1000) / 1000, same ? 1 : 0]];
  return next.length > keep ? next.slice(next.length - keep) : next;
}

/**
 * Upper confidence bound on the wrong share at `similarity`, from the observations in
 * `[similarity - window, similarity]` (1 when there are fewer than `min`).
 */
export function errorBound(
  evidence: Observation[] | undefined,
  similarity: number,
  window = Number.POSITIVE_INFINITY,
  min = MIN_OBSERVATIONS,
): number {
  let n = 0;
  let wrong = 0;
  for (const [s, same] of evidence ?? []) {
    if (s > similarity || s < similarity - window) continue;
    n++;
    if (same === 0) wrong++;
  }
  if (n < min) return 1;
  return clopperPearsonUpper(wrong, n, ALPHA);
}

/**
 * vCache's rule: the probability of serving a candidate at `similarity` without asking the
 * verifier, from its entry's evidence or, when the entry has too little and nothing against it,
 * from its partition's `pool`.
 */
export function exploitProbability(
  entry: Observation[] | undefined,
  similarity: number,
  bound: number,
  pool?: Observation[],
): number {
  let epsilon = errorBound(entry, similarity);
  const against = entry?.some(([s, same]) => same === 0 && s <= similarity) ?? false;
  if (epsilon >= 1 && pool && !against) epsilon = errorBound(pool, similarity, POOL_WINDOW, POOL_MIN);
  if (epsilon >= 1) return 0;
  return Math.min(1, bound / epsilon);
}

/**
 * The one-sided upper bound p of a binomial proportion with `k` failures in `n` trials: the p at
 * which seeing `k` or fewer failures has probability `alpha`. Found by bisection (n is at most
 * `MAX_OBSERVATIONS`, so the sum is exact and cheap).
 */
export function clopperPearsonUpper(k: number, n: number, alpha: number): number {
  if (k >= n) return 1;
  let low = k / n;
  let high = 1;
  for (let i = 0; i < 50; i++) {
    const mid = (low + high) / 2;
    if (binomialCdf(k, n, mid) > alpha) low = mid;
    else high = mid;
  }
  return high;
}

function binomialCdf(k: number, n: number, p: number): number {
  let term = (1 - p) ** n;
  let sum = term;
  for (let i = 1; i <= k; i++) {
    term *= ((n - i + 1) / i) * (p / (1 - p));
    sum += term;
  }
  return sum;
}
