/** A seeded source of unit vectors shaped like sentence embeddings. */
export interface ClusteredVectors {
  /** A new vector near one of the cluster centres (like a new, unrelated question). */
  sample(): Float32Array;
  /** A vector close to `vector` (like a paraphrase): cosine ≈ 1 / √(1 + noise²), 0.94 by default. */
  paraphrase(vector: Float32Array, noise?: number): Float32Array;
  /** The generator's random numbers in [0, 1), for picking among vectors reproducibly. */
  random(): number;
}

/**
 * Synthetic embeddings with the structure of real ones (not uniform noise, which no embedding
 * model produces and which is needlessly hard for graph indexes): a shared direction, topics
 * around it, sub-topics around those (`topics × subtopics` cluster centres, 320 by default), and
 * noise. With the defaults, unrelated vectors score ~0.0–0.15 and nearest neighbours ~0.65–0.95,
 * close to all-MiniLM-L6-v2 on the Quora question pairs.
 */
export function clusteredVectors(
  options: { dimensions?: number; topics?: number; subtopics?: number; seed?: number } = {},
): ClusteredVectors {
  const { dimensions = 384, topics = 40, subtopics = 8, seed = 1 } = options;
  const random = mulberry32(seed);
  const noise = () =>
    Float32Array.from({ length: dimensions }, () => gaussian(random) / Math.sqrt(dimensions));
  const mix = (a: Float32Array, b: Float32Array, weight: number) =>
    normalize(a.map((x, i) => x + weight * b[i]!));
  const shared = normalize(noise());
  const centres = Array.from({ length: topics }, () => mix(noise(), shared, 0.5)).flatMap((topic) =>
    Array.from({ length: subtopics }, () => mix(topic, noise(), 0.8)),
  );
  return {
    sample: () => mix(centres[Math.floor(random() * centres.length)]!, noise(), 0.5 + 0.5 * random()),
    paraphrase: (vector, amount = 0.35) => mix(vector, noise(), amount),
    random,
  };
}

function normalize(v: Float32Array): Float32Array {
  let sum = 0;
  for (const x of v) sum += x * x;
  const scale = 1 / Math.sqrt(sum);
  return v.map((x) => x * scale);
}

/**
 * A small seeded PRNG (mulberry32). The engine's own copy is in `bootstrap.ts`: `testing` takes
 * only the public API from the engine (see tsup.config.ts).
 */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal sample (Box–Muller). */
export function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}
