/**
 * The simulated judge of the learning-curve run. No local LLM exists here, so the verifier knows the
 * stream's groups: the question's group from the stream, the candidate's from its cached answer
 * (which names its group). It answers "same" or "different" correctly with probability `accuracy`
 * and flips the verdict otherwise. The flip is drawn per pair (seed, question, candidate question),
 * so a pair always gets the same verdict, in every configuration of the run: the configurations
 * face the same judge, mistakes included, as they would a real model whose verdicts are cached.
 * Each call reports the usage of a small judge model, so its cost is priced.
 */
import type { Verdict, Verifier, VerifyRequest } from "@recall/core";
import { hashedUniform } from "./random.js";
import { groupOfAnswer } from "./upstream.js";

export const JUDGE_MODEL_ID = "gpt-4.1-nano";
/** Tokens of one judge call: the fixed prompt, both questions and the cached answer in; a verdict out. */
export const JUDGE_USAGE = { inputTokens: 200, outputTokens: 10 } as const;
export const DEFAULT_JUDGE_ACCURACY = 0.95;

export interface SimulatedJudgeOptions {
  /** The group of a question (normalized as the cache hands it over). */
  groupOf: (question: string) => number | undefined;
  /** Share of verdicts that are right. Default 0.95. */
  accuracy?: number;
  seed: number;
  /** Called on each verdict (the run attributes judge calls to the question that caused them). */
  onVerdict?: (request: VerifyRequest, verdict: Verdict, right: boolean) => void;
}

export interface SimulatedJudge extends Verifier {
  readonly accuracy: number;
  /** Verdicts given, and how many were wrong. */
  readonly counts: { calls: number; same: number; different: number; wrong: number };
  /** Verdicts per cached entry (candidate key): the evidence an entry can learn its threshold from. */
  readonly perEntry: Map<string, number>;
}

export function simulatedJudge(options: SimulatedJudgeOptions): SimulatedJudge {
  const accuracy = options.accuracy ?? DEFAULT_JUDGE_ACCURACY;
  if (!(accuracy >= 0 && accuracy <= 1)) throw new Error(`judge accuracy must be in [0, 1], got ${accuracy}`);
  const counts = { calls: 0, same: 0, different: 0, wrong: 0 };
  const perEntry = new Map<string, number>();
  return {
    id: `simulated-judge:${accuracy}`,
    accuracy,
    counts,
    perEntry,
    async verify(request) {
      const asked = options.groupOf(request.question);
      const cached = groupOfAnswer(request.candidate.answer.text);
      const truth = asked !== undefined && asked === cached;
      const right = hashedUniform(options.seed, request.question, request.candidate.question) < accuracy;
      const same = right ? truth : !truth;
      const verdict: Verdict = {
        decision: same ? "same" : "different",
        reason: `simulated judge (accuracy ${accuracy})${right ? "" : ", flipped"}`,
        usage: { ...JUDGE_USAGE },
        modelId: JUDGE_MODEL_ID,
      };
      counts.calls++;
      counts[verdict.decision as "same" | "different"]++;
      if (!right) counts.wrong++;
      perEntry.set(request.candidate.key, (perEntry.get(request.candidate.key) ?? 0) + 1);
      options.onVerdict?.(request, verdict, right);
      return verdict;
    },
  };
}
