import type { CacheResponse } from "../response.js";

/** What a verifier says about a candidate: the same question (serve it), another one, or cannot tell. */
export type VerdictDecision = "same" | "different" | "unsure";

/** What a verifier is asked: does `candidate`'s answer answer `question`? */
export interface VerifyRequest {
  /** The new question (the last user turn, normalized). */
  question: string;
  /** The cached entry matched by meaning: its key, the question it answered and its answer. */
  candidate: { key: string; question: string; answer: CacheResponse };
  /** Cosine similarity of the two questions. */
  similarity: number;
  namespace: string;
  /** `provider:id` of the model the new question is for. */
  model: string;
  /**
   * After the call (`async` mode, shadow mode): the answer the new question just got upstream. A
   * verifier that can compare answers (same label, same facts) is more accurate than one that
   * compares questions.
   */
  freshAnswer?: CacheResponse;
  /** Aborted when the verification's budget is spent: stop and return. */
  signal: AbortSignal;
}

export interface Verdict {
  decision: VerdictDecision;
  /** Why, in a few words (shown in events, the dashboard and shadow reports). */
  reason?: string;
  /** Tokens the verification used, counted (and priced) beside what hits saved. */
  usage?: { inputTokens: number; outputTokens: number };
  /** The model that judged, to price `usage` (an id of the `pricing` table, e.g. `gpt-4.1-nano`). */
  modelId?: string;
}

/**
 * Decides whether a cached answer found by meaning answers a new question. Built in: an LLM judge
 * over any AI SDK language model (`llmJudge` in `@recall/ai-sdk`); or pass a function. A verifier
 * is only ever asked about candidates the guard accepted: it never overrides a guard refusal.
 */
export interface Verifier {
  /** Names the verifier (its model, its prompt version): verdicts are cached per verifier. */
  readonly id: string;
  verify(request: VerifyRequest): Promise<Verdict>;
}

/** A verifier as a plain function; it may answer with just the decision. */
export type VerifierFunction = (
  request: VerifyRequest,
) => Promise<Verdict | VerdictDecision> | Verdict | VerdictDecision;

const decisions: ReadonlySet<string> = new Set(["same", "different", "unsure"]);

/** The verifier behind an option: an object as given, a function wrapped. */
export function toVerifier(given: Verifier | VerifierFunction): Verifier {
  if (typeof given !== "function") return given;
  return {
    id: `function:${given.name || "anonymous"}`,
    verify: async (request) => {
      const verdict = await given(request);
      return typeof verdict === "string" ? { decision: verdict } : verdict;
    },
  };
}

/** A verifier's answer as the engine reads it: anything but a known decision is `unsure`. */
export function readVerdict(value: unknown): Verdict {
  if (typeof value !== "object" || value === null) return { decision: "unsure", reason: "no verdict" };
  const v = value as Partial<Verdict>;
  if (typeof v.decision !== "string" || !decisions.has(v.decision))
    return { decision: "unsure", reason: `unknown decision ${JSON.stringify(v.decision)}` };
  return v as Verdict;
}
