/**
 * The guard: after a semantic candidate passes the similarity threshold, it must also carry the same
 * meaning-bearing details as the question. (A first version; the full rule set lives here.)
 */
export type GuardVerdict = { ok: true } | { ok: false; reason: string };

export type SemanticGuard = (question: string, candidate: string) => GuardVerdict;

const NUMBER = /\d+(?:[.,]\d+)*/g;

/** Rejects a candidate whose numbers differ from the question's. */
export const defaultGuard: SemanticGuard = (question, candidate) => {
  const a = (question.match(NUMBER) ?? []).sort().join(" ");
  const b = (candidate.match(NUMBER) ?? []).sort().join(" ");
  return a === b ? { ok: true } : { ok: false, reason: `numbers differ (${a || "none"} vs ${b || "none"})` };
};
