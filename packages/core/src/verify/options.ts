import { assertOption } from "../errors.js";
import type { Verifier, VerifierFunction } from "./verifier.js";

/**
 * Verified matching (`semantic.verify`): candidates found by meaning just below the threshold are
 * checked by a verifier instead of being refused outright. See docs/semantic-matching.md.
 */
export interface VerifyOptions {
  /** Decides same / different / unsure: `llmJudge(...)` from `@recall/ai-sdk`, or your function. */
  verifier: Verifier | VerifierFunction;
  /**
   * `async` (default): a candidate in the band is a miss now; once the call's answer is back the
   * verifier runs in the background, and if it says same the question becomes an alias of the
   * candidate's entry, so the next ask of that wording hits with no verifier on the path. No latency
   * is added to any call. `sync`: the candidate is served if the verifier says same within
   * `budgetMs`; a timeout, an error or unsure is a miss. Per call: `CallOptions.verify`.
   */
  mode?: "sync" | "async";
  /** Lowest similarity sent to the verifier; candidates in `[band, threshold)` are verified. Default 0.8. */
  band?: number;
  /** `sync`: how long a lookup waits for the verdict. Default 3000 ms. */
  budgetMs?: number;
  /**
   * Learned thresholds, off unless set: the bound on the share of lookups an unverified answer may
   * get wrong (e.g. 0.02). A candidate in the band is then served without asking the verifier with
   * probability `bound / ε`, ε being an upper confidence bound on its entry's error at that
   * similarity from the evidence it gathered (vCache's rule, `verify/evidence.ts`). The verifier's
   * own mistakes are not covered by the bound: they depend on its accuracy.
   */
  bound?: number;
  /** Background verifications waiting at most; past it new ones are dropped (counted as failed). Default 256. */
  maxPending?: number;
  /** Background verifications run at once. Default 4. */
  concurrency?: number;
  /** Where the draws of the learned rule come from. Default `Math.random`; a seeded one for reproducible runs. */
  random?: () => number;
}

export const VERIFY_DEFAULTS = {
  band: 0.8,
  budgetMs: 3_000,
  maxPending: 256,
  concurrency: 4,
} as const;

/** Throws `RECALL_INVALID_OPTION` naming the option. `threshold` is the semantic threshold in force. */
export function validateVerifyOptions(v: VerifyOptions, threshold: number): void {
  assertOption(typeof v === "object" && v !== null, "semantic.verify must be an object { verifier, ... }");
  assertOption(
    typeof v.verifier === "function" ||
      (typeof v.verifier === "object" &&
        v.verifier !== null &&
        typeof v.verifier.verify === "function" &&
        typeof v.verifier.id === "string"),
    "semantic.verify.verifier must be a function or a Verifier { id, verify(request) }",
  );
  assertOption(
    v.mode === undefined || v.mode === "sync" || v.mode === "async",
    `semantic.verify.mode must be "sync" or "async", got ${JSON.stringify(v.mode)}`,
  );
  assertOption(
    v.band === undefined || (typeof v.band === "number" && v.band > 0 && v.band <= threshold),
    `semantic.verify.band must be a cosine similarity in (0, threshold = ${threshold}], got ${JSON.stringify(v.band)}`,
  );
  assertOption(
    v.bound === undefined || (typeof v.bound === "number" && v.bound > 0 && v.bound < 1),
    `semantic.verify.bound must be an error rate in (0, 1), e.g. 0.02, got ${JSON.stringify(v.bound)}`,
  );
  assertOption(
    v.budgetMs === undefined ||
      (typeof v.budgetMs === "number" && v.budgetMs > 0 && Number.isFinite(v.budgetMs)),
    `semantic.verify.budgetMs must be a positive number of milliseconds, got ${JSON.stringify(v.budgetMs)}`,
  );
  for (const name of ["maxPending", "concurrency"] as const)
    assertOption(
      v[name] === undefined || (Number.isInteger(v[name]) && v[name] > 0),
      `semantic.verify.${name} must be a positive integer, got ${JSON.stringify(v[name])}`,
    );
  assertOption(
    v.random === undefined || typeof v.random === "function",
    "semantic.verify.random must be a function",
  );
}
