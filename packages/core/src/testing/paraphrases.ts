import type { Embedder } from "../embedder.js";
import type { VerifierFunction, VerifyRequest } from "../verify/verifier.js";
import { atCosine, unit } from "./vectors.js";

/**
 * Wordings of one FAQ question at chosen cosines to it, so a test of verified matching says where a
 * candidate falls: at or above the default threshold (0.97), in the verifier's band [0.8, 0.97), or
 * below it. `paraphraseEmbedder()` gives them these vectors.
 */
export const ORIGINAL = "How do I reset my password?";
/** 0.99: a hit by threshold. */
export const CLOSE = "How can I reset my password?";
/** 0.98: a hit by threshold, unless the entry's own threshold was raised past it. */
export const NEAR = "Could you help me reset my password?";
/** 0.9: in the band, a candidate for the verifier. */
export const IN_BAND = "What is the way to reset my password?";
/** 0.85 each: in the band, below `IN_BAND`; evidence gathered on these covers `IN_BAND`. */
export const VARIANTS = Array.from({ length: 8 }, (_, i) => `Reset my password please, variant ${i + 1}?`);

const base = unit(32, 1);

/** The vectors of the wordings above; a test may add its own (`paraphrases.set(text, atCosine(...))`). */
export const paraphrases = new Map<string, Float32Array>([
  [ORIGINAL, base],
  [CLOSE, atCosine(base, 0.99, 2)],
  [NEAR, atCosine(base, 0.98, 3)],
  [IN_BAND, atCosine(base, 0.9, 4)],
  ...VARIANTS.map((v, i): [string, Float32Array] => [v, atCosine(base, 0.85, 10 + i)]),
]);

/** A vector at cosine `cos` to `ORIGINAL`'s (seeded, so the same every run). */
export function paraphraseAt(cos: number, seed: number): Float32Array {
  return atCosine(base, cos, seed);
}

/** An embedder that gives the wordings in `paraphrases` their vectors (anything else a random far one). */
export function paraphraseEmbedder(): Embedder {
  return {
    id: "paraphrases",
    dimensions: 32,
    async embed(texts) {
      return texts.map((t) => paraphrases.get(t) ?? unit(32, 1000 + t.length));
    },
  };
}

/** A verifier that always says `decision`, and the requests it was asked. */
export function judge(decision: "same" | "different" | "unsure" = "same") {
  const calls: VerifyRequest[] = [];
  const verifier: VerifierFunction = async (request) => {
    calls.push(request);
    return {
      decision,
      reason: "test",
      usage: { inputTokens: 100, outputTokens: 5 },
      modelId: "gpt-4.1-nano",
    };
  };
  return { verifier, calls };
}
