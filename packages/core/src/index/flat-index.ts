import type { VectorMatch } from "../vector-index.js";
import { clampScore, PartitionedIndex, type PartitionStore } from "./partitioned-index.js";

/**
 * Exact search: every query is compared with every vector of its partition.
 *
 * Vectors are kept as float32 in one contiguous, growable buffer per partition (swap-remove on
 * delete), scored by a dot product unrolled by four. Measured on Node 20 over 20k–100k vectors
 * of 384 floats: float32 scans faster than int8 with a symmetric per-vector scale (~1.7× slower:
 * V8 widens every Int8Array load) and float16 (~1.25× slower: table decode), at recall@1 1.0
 * for all three, and it is exact, so a partition can move to HNSW without losing precision.
 * Cost: ~0.37 µs per vector, i.e. ~0.11 ms at 300 vectors (`AutoIndex`'s default threshold).
 */
export class FlatIndex extends PartitionedIndex {
  protected createPartition(dimensions: number, expectedSize: number): FlatPartition {
    return new FlatPartition(dimensions, expectedSize);
  }
}

/** One partition's vectors in a float32 matrix, one row per id. */
export class FlatPartition implements PartitionStore {
  #data: Float32Array;
  readonly #ids: string[] = [];
  readonly #slots = new Map<string, number>();

  constructor(
    readonly dimensions: number,
    capacity = 4,
  ) {
    this.#data = new Float32Array(Math.max(4, capacity) * dimensions);
  }

  get size(): number {
    return this.#ids.length;
  }

  set(ids: string[], vectors: Float32Array): void {
    const d = this.dimensions;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      let slot = this.#slots.get(id);
      if (slot === undefined) {
        slot = this.#ids.length;
        if ((slot + 1) * d > this.#data.length) this.#resize(Math.max(4, slot * 2));
        this.#ids.push(id);
        this.#slots.set(id, slot);
      }
      this.#data.set(vectors.subarray(i * d, (i + 1) * d), slot * d);
    }
  }

  delete(id: string): void {
    const slot = this.#slots.get(id);
    if (slot === undefined) return;
    const d = this.dimensions;
    const last = this.#ids.length - 1;
    if (slot !== last) {
      // Move the last row into the hole so the matrix stays dense.
      this.#data.copyWithin(slot * d, last * d, (last + 1) * d);
      const moved = this.#ids[last]!;
      this.#ids[slot] = moved;
      this.#slots.set(moved, slot);
    }
    this.#ids.pop();
    this.#slots.delete(id);
    const capacity = this.#data.length / d;
    if (capacity > 64 && last < capacity / 4) this.#resize(capacity / 2);
  }

  search(query: Float32Array, k: number, minScore: number): VectorMatch[] {
    const { scores, slots } = topK(this.#data, this.#ids.length, this.dimensions, query, k, minScore);
    return slots.map((slot, i) => ({ id: this.#ids[slot]!, score: clampScore(scores[i]!) }));
  }

  /** The vector stored for `id`: a view, valid until this partition changes. */
  get(id: string): Float32Array | undefined {
    const slot = this.#slots.get(id);
    return slot === undefined
      ? undefined
      : this.#data.subarray(slot * this.dimensions, (slot + 1) * this.dimensions);
  }

  ids(): string[] {
    return this.#ids.slice();
  }

  #resize(rows: number): void {
    const data = new Float32Array(rows * this.dimensions);
    data.set(this.#data.subarray(0, this.#ids.length * this.dimensions));
    this.#data = data;
  }
}

/** Dot product of two vectors of the same length. */
export function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

/**
 * The `k` rows of `data` with the highest dot product with `query`, best first, ignoring rows
 * below `minScore`. A brute-force scan; `k` is small, so the running best list is kept sorted by
 * insertion.
 */
export function topK(
  data: Float32Array,
  rows: number,
  dimensions: number,
  query: Float32Array,
  k: number,
  minScore: number,
): { scores: number[]; slots: number[] } {
  const scores: number[] = [];
  const slots: number[] = [];
  const d = dimensions;
  const d4 = d - (d % 4);
  let floor = minScore;
  for (let row = 0, base = 0; row < rows; row++, base += d) {
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    let j = 0;
    for (; j < d4; j += 4) {
      a0 += query[j]! * data[base + j]!;
      a1 += query[j + 1]! * data[base + j + 1]!;
      a2 += query[j + 2]! * data[base + j + 2]!;
      a3 += query[j + 3]! * data[base + j + 3]!;
    }
    for (; j < d; j++) a0 += query[j]! * data[base + j]!;
    const score = a0 + a1 + a2 + a3;
    if (score < floor) continue;
    let at = scores.length;
    while (at > 0 && scores[at - 1]! < score) at--;
    if (at >= k) continue;
    scores.splice(at, 0, score);
    slots.splice(at, 0, row);
    if (scores.length > k) {
      scores.pop();
      slots.pop();
    }
    if (scores.length === k) floor = Math.max(minScore, scores[k - 1]!);
  }
  return { scores, slots };
}
