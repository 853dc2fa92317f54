import type { Emitter } from "../events.js";
import type { PriceTable } from "../pricing.js";
import type { CacheResponse } from "../response.js";
import { matchedQuestionOf, type SemanticFinding } from "../semantic.js";
import type { VerdictDecision } from "../verify/verifier.js";
import type { CallInfo } from "./outcome.js";
import type { Verification } from "./verification.js";

/**
 * Shadow mode (`semantic.mode: "shadow"`): exact hits are served, nothing by meaning. After a miss,
 * once its answer is back, it reports what semantic mode would have done with the candidate it found
 * (a `shadow` event): served it (at its threshold, through an alias, or, with a verifier, if the
 * verifier says same), whether the verifier agrees, whether the cached answer's text equals the
 * fresh one, and what serving it would have saved.
 */
export class Shadow {
  constructor(
    private readonly verification: Verification | undefined,
    private readonly prices: PriceTable,
    private readonly events: Emitter,
  ) {}

  /** The report to run with the miss's answer, or undefined when there is nothing to report. */
  watch(
    question: string,
    vector: Float32Array,
    finding: SemanticFinding,
    call: CallInfo,
    modelId: string,
  ): ((fresh: CacheResponse) => void) | undefined {
    const { match, nearest } = finding;
    const candidate = match ?? nearest;
    if (!candidate || (!match && !this.verification)) return undefined;
    return (fresh) => {
      const report = (decision?: VerdictDecision) => {
        const wouldHit = match !== undefined || decision === "same";
        const decidedBy = match?.decidedBy ?? (decision === "same" ? ("verifier" as const) : undefined);
        this.events.emit("shadow", {
          ...call,
          similarity: candidate.similarity,
          candidate: matchedQuestionOf(candidate),
          wouldHit,
          ...(decidedBy ? { decidedBy } : {}),
          ...(decision ? { decision } : {}),
          answersAgree: sameText(candidate.entry.response, fresh),
          saved: this.prices.savings(fresh.modelId ?? modelId, fresh.usage),
        });
      };
      if (!this.verification) return report();
      this.verification.later({ question, vector, candidate, call }, fresh, "shadow", report);
    };
  }
}

function sameText(a: CacheResponse, b: CacheResponse): boolean {
  return a.text !== undefined && b.text !== undefined && a.text.trim() === b.text.trim();
}
