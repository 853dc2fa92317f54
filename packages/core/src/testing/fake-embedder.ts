import type { Embedder } from "../embedder.js";

/**
 * A deterministic embedder for tests: texts listed in the same `synonyms` group get nearly the same
 * vector (cosine above 0.999, as a real model gives paraphrases, never exactly 1: equal vectors for
 * different words mean the model cannot tell them apart, and the matcher refuses those), others a
 * vector of their own (bag of words). No model, no network.
 */
export function fakeEmbedder(
  options: { synonyms?: string[][]; dimensions?: number; id?: string } = {},
): Embedder & { calls: number } {
  const dimensions = options.dimensions ?? 64;
  const groups = new Map<string, string>();
  for (const group of options.synonyms ?? []) for (const text of group) groups.set(text, group[0]!);
  const embedder = {
    id: options.id ?? `fake-${dimensions}`,
    dimensions,
    calls: 0,
    async embed(texts: string[]) {
      embedder.calls++;
      return texts.map((text) => {
        const group = groups.get(text);
        return group === undefined
          ? bagOfWords(text, dimensions)
          : blend(bagOfWords(group, dimensions), bagOfWords(text, dimensions));
      });
    },
  };
  return embedder;
}

/** `main` nudged towards `own`: cosine of two nudged copies of one vector stays above 0.999. */
function blend(main: Float32Array, own: Float32Array): Float32Array {
  return normalize(main.map((x, i) => x + 0.02 * own[i]!));
}

function bagOfWords(text: string, dimensions: number): Float32Array {
  const v = new Float32Array(dimensions);
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    let h = 2166136261;
    for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 16777619);
    v[(h >>> 0) % dimensions]! += 1;
  }
  return normalize(v);
}

function normalize(v: Float32Array): Float32Array {
  const dimensions = v.length;
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < dimensions; i++) v[i]! /= norm;
  return v;
}
