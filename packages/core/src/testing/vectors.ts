import { gaussian, mulberry32 } from "./clustered-vectors.js";

/** A deterministic random unit vector. */
export function unit(dimensions: number, seed: number): Float32Array {
  const next = mulberry32(seed);
  const v = new Float32Array(dimensions);
  for (let i = 0; i < dimensions; i++) v[i] = gaussian(next);
  return scale(v, 1 / norm(v));
}

/** A unit vector whose cosine with the unit vector `to` is exactly `cos`. */
export function atCosine(to: Float32Array, cos: number, seed: number): Float32Array {
  const r = unit(to.length, seed);
  const along = dot(r, to);
  const orthogonal = r.map((x, i) => x - along * to[i]!);
  const o = scale(orthogonal, 1 / norm(orthogonal));
  const sin = Math.sqrt(1 - cos * cos);
  return to.map((x, i) => cos * x + sin * o[i]!);
}

/** Cosine similarity of two vectors of the same length. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return dot(a, b) / (norm(a) * norm(b));
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function norm(v: ArrayLike<number>): number {
  return Math.sqrt(dot(v, v));
}

function scale(v: Float32Array, by: number): Float32Array {
  return v.map((x) => x * by);
}
