/**
 * A nearest-neighbour index over normalized vectors, scored by cosine similarity (1 = same).
 *
 * Every item lives in one partition (a hash of everything but the last user turn) and one
 * namespace; a search only ever sees items of its own partition.
 */
export interface VectorItem {
  /** The exact-cache key of the entry this vector belongs to. */
  id: string;
  namespace: string;
  partition: string;
  vector: Float32Array;
}

export interface VectorMatch {
  id: string;
  /** Cosine similarity in [-1, 1]. */
  score: number;
}

export interface VectorSearch {
  partition: string;
  vector: Float32Array;
  /** How many neighbours at most. */
  k: number;
  /** Matches scoring below this are left out. */
  minScore: number;
}

export interface VectorIndex {
  /**
   * True when every instance uses this same index (e.g. pgvector): the engine then does not mirror
   * other instances' adds and removes into it from the bus.
   */
  readonly shared?: boolean;
  add(items: VectorItem[]): Promise<void>;
  remove(ids: string[]): Promise<void>;
  /** Best first. */
  search(query: VectorSearch): Promise<VectorMatch[]>;
  /** Removes every item of a namespace (optional: the engine falls back to `remove`). */
  removeNamespace?(namespace: string): Promise<void>;
  size(): Promise<number>;
  /** Releases resources (connections, native memory). */
  close?(): Promise<void>;
}
