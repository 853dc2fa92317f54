import type { Embedder, VerifierFunction, VerifyRequest } from "@recall/core";
import { atCosine, unit } from "@recall/core/testing";

/**
 * Wordings of one FAQ question at chosen cosines to it, so a test says where a candidate falls:
 * at or above the default threshold (0.97), in the verifier's band [0.8, 0.97), or below it.
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
const table = new Map<string, Float32Array>([
  [ORIGINAL, base],
  [CLOSE, atCosine(base, 0.99, 2)],
  [NEAR, atCosine(base, 0.98, 3)],
  [IN_BAND, atCosine(base, 0.9, 4)],
  ...VARIANTS.map((v, i): [string, Float32Array] => [v, atCosine(base, 0.85, 10 + i)]),
]);

/** An embedder that gives the wordings above their vectors (anything else a random far one). */
export function paraphraseEmbedder(): Embedder {
  return {
    id: "paraphrases",
    dimensions: 32,
    async embed(texts) {
      return texts.map((t) => table.get(t) ?? unit(32, 1000 + t.length));
    },
  };
}

/** A verifier that always says `decision`, and the requests it was asked. */
export function judge(decision: "same" | "different" = "same") {
  const calls: VerifyRequest[] = [];
  const verifier: VerifierFunction = async (request) => {
    calls.push(request);
    return { decision, reason: "test" };
  };
  return { verifier, calls };
}
