/** Default size of {@link hashEmbedding} vectors. */
export const DEFAULT_EMBEDDING_DIMENSIONS = 256;

const STOPWORDS = new Set(
  "a an and are as at be by can do does for from how i in is it me my of on or the to was what when where which who why will with you your".split(
    " ",
  ),
);

/**
 * A deterministic, dependency-free text embedding: words and character trigrams hashed into
 * `dimensions` signed buckets, then L2-normalized. Texts sharing words get a high cosine
 * similarity, unrelated texts a low one, so semantic-cache code paths can be exercised
 * without a real model. It does not understand meaning (synonyms score low).
 */
export function hashEmbedding(text: string, dimensions = DEFAULT_EMBEDDING_DIMENSIONS): number[] {
  const dims = Math.max(1, Math.floor(dimensions));
  const vec = new Array<number>(dims).fill(0);
  const words =
    text
      .normalize("NFKC")
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? [];
  for (const word of words) {
    const stop = STOPWORDS.has(word);
    add(vec, `w:${word}`, stop ? 0.3 : 2);
    if (stop) continue;
    const padded = `^${word}$`;
    for (let i = 0; i + 3 <= padded.length; i++) add(vec, `t:${padded.slice(i, i + 3)}`, 0.5);
  }
  let norm = 0;
  for (const v of vec) norm += v * v;
  if (norm === 0) {
    vec[0] = 1; // empty text: a fixed unit vector rather than NaNs
    return vec;
  }
  norm = Math.sqrt(norm);
  return vec.map((v) => v / norm);
}

function add(vec: number[], feature: string, weight: number): void {
  const h = fnv1a(feature);
  const index = h % vec.length;
  const sign = (h >>> 31) & 1 ? -1 : 1;
  vec[index] = (vec[index] ?? 0) + sign * weight;
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Encodes a vector the way OpenAI does for `encoding_format: "base64"`: little-endian float32. */
export function toBase64Float32(vec: number[]): string {
  const f32 = new Float32Array(vec);
  return Buffer.from(f32.buffer, f32.byteOffset, f32.byteLength).toString("base64");
}
