import { errorCodes, RecallError } from "../errors.js";
import type { VectorIndex, VectorItem, VectorMatch, VectorSearch } from "../vector-index.js";

/**
 * The vectors of one partition. Synchronous and in memory; the index around it keeps track of
 * which partition and namespace each id belongs to.
 */
export interface PartitionStore {
  readonly dimensions: number;
  readonly size: number;
  /** Adds the vectors (unit length, `ids.length * dimensions` floats), replacing ids already here. */
  set(ids: string[], vectors: Float32Array): void;
  delete(id: string): void;
  /** Best first, at most `k`, none below `minScore`. `vector` is unit length. */
  search(vector: Float32Array, k: number, minScore: number): VectorMatch[];
  /** Stops background work and releases native memory. */
  close?(): void;
}

interface Placement {
  partition: string;
  namespace: string;
}

/**
 * What every in-process index shares: items grouped by partition (a search reads one partition
 * only), ids tracked by namespace, vectors normalized on the way in. Subclasses say how a
 * partition stores and searches its vectors.
 */
export abstract class PartitionedIndex implements VectorIndex {
  protected readonly partitions = new Map<string, PartitionStore>();
  readonly #placements = new Map<string, Placement>();
  readonly #namespaces = new Map<string, Set<string>>();

  /** A new, empty partition for vectors of `dimensions` floats. */
  protected abstract createPartition(dimensions: number, expectedSize: number): PartitionStore;

  async add(items: VectorItem[]): Promise<void> {
    const batches = this.#validate(items);
    for (const [partition, batch] of batches) {
      for (const item of batch) {
        const placed = this.#placements.get(item.id);
        if (placed && placed.partition !== partition) this.#delete(item.id);
        else if (placed) this.#leaveNamespace(item.id, placed.namespace);
        this.#placements.set(item.id, { partition, namespace: item.namespace });
        const ids = this.#namespaces.get(item.namespace) ?? new Set();
        this.#namespaces.set(item.namespace, ids.add(item.id));
      }
      const dimensions = batch[0]!.vector.length;
      const store = this.partitions.get(partition) ?? this.createPartition(dimensions, batch.length);
      this.partitions.set(partition, store);
      // The last vector given for an id wins, as if the items had been added one by one.
      const last = new Map(batch.map((item) => [item.id, item.vector]));
      const vectors = new Float32Array(last.size * dimensions);
      let offset = 0;
      for (const vector of last.values()) {
        normalizeInto(vector, vectors, offset);
        offset += dimensions;
      }
      store.set([...last.keys()], vectors);
    }
    await this.afterAdd([...batches.keys()]);
  }

  /** Called once an add has landed, with the partitions it touched. */
  protected async afterAdd(_partitions: string[]): Promise<void> {}

  /** Called after an item left a partition that still holds others. */
  protected afterRemove(_partition: string, _store: PartitionStore): void {}

  async remove(ids: string[]): Promise<void> {
    for (const id of ids) this.#delete(id);
  }

  async removeNamespace(namespace: string): Promise<void> {
    for (const id of [...(this.#namespaces.get(namespace) ?? [])]) this.#delete(id);
  }

  async search(query: VectorSearch): Promise<VectorMatch[]> {
    const store = this.partitions.get(query.partition);
    const k = Math.floor(query.k);
    if (!store || store.size === 0 || !(k > 0)) return [];
    checkDimensions(query.vector.length, store.dimensions);
    const unit = new Float32Array(store.dimensions);
    normalizeInto(query.vector, unit, 0);
    return store.search(unit, k, query.minScore);
  }

  async size(): Promise<number> {
    return this.#placements.size;
  }

  async close(): Promise<void> {
    for (const store of this.partitions.values()) store.close?.();
    this.partitions.clear();
    this.#placements.clear();
    this.#namespaces.clear();
  }

  #delete(id: string): void {
    const placed = this.#placements.get(id);
    if (!placed) return;
    this.#placements.delete(id);
    this.#leaveNamespace(id, placed.namespace);
    const store = this.partitions.get(placed.partition);
    if (!store) return;
    store.delete(id);
    if (store.size > 0) this.afterRemove(placed.partition, store);
    else {
      store.close?.();
      this.partitions.delete(placed.partition);
    }
  }

  #leaveNamespace(id: string, namespace: string): void {
    const ids = this.#namespaces.get(namespace);
    ids?.delete(id);
    if (ids?.size === 0) this.#namespaces.delete(namespace);
  }

  /** Groups items by partition; throws before any change if a vector does not fit its partition. */
  #validate(items: VectorItem[]): Map<string, VectorItem[]> {
    const batches = new Map<string, VectorItem[]>();
    for (const item of items) {
      const batch = batches.get(item.partition);
      const expected = batch?.[0]?.vector.length ?? this.partitions.get(item.partition)?.dimensions;
      if (item.vector.length === 0) {
        throw new RecallError(errorCodes.INVALID_REQUEST, `the vector of "${item.id}" is empty`);
      }
      if (expected !== undefined) checkDimensions(item.vector.length, expected);
      if (batch) batch.push(item);
      else batches.set(item.partition, [item]);
    }
    return batches;
  }
}

function checkDimensions(actual: number, expected: number): void {
  if (actual !== expected) {
    throw new RecallError(
      errorCodes.INVALID_REQUEST,
      `vector has ${actual} dimensions but its partition holds ${expected}-dimension vectors`,
    );
  }
}

/** Writes `vector / |vector|` into `out` at `offset` (a zero vector stays zero). */
export function normalizeInto(vector: Float32Array, out: Float32Array, offset: number): void {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += vector[i]! * vector[i]!;
  const scale = sum > 0 ? 1 / Math.sqrt(sum) : 0;
  for (let i = 0; i < vector.length; i++) out[offset + i] = vector[i]! * scale;
}

/** Clamps float noise (1.0000001) back into the cosine range. */
export function clampScore(score: number): number {
  return Math.min(1, Math.max(-1, score));
}
