import { errorCodes, RecallError } from "../errors.js";
import type { VectorItem, VectorMatch } from "../vector-index.js";
import { dot, FlatPartition } from "./flat-index.js";
import { clampScore, PartitionedIndex, type PartitionStore } from "./partitioned-index.js";

/**
 * Scalar type of the vectors inside the HNSW graph. Scores never depend on it (candidates are
 * re-scored from float32 copies); it trades graph memory and speed against candidate quality.
 */
export type Quantization = "f32" | "f16" | "i8";

export interface HnswIndexOptions {
  /** Scalar type of the graph's vectors. Default `"f16"`: half the memory of f32, same recall. */
  quantization?: Quantization;
  /** Graph edges per node (HNSW `M`). Default 32. */
  connectivity?: number;
  /** Candidates kept while inserting (`efConstruction`). Default 128. */
  expansionAdd?: number;
  /** Candidates kept while searching (`ef`). Default 128. */
  expansionSearch?: number;
}

/**
 * Chosen by measurement (100k vectors, 384 dimensions; figures: `bench/vector-index.ts`).
 * `connectivity` 16 kept recall@1 at 0.93–0.97 on clustered vectors whatever the `ef`; 32
 * brings it to ~1.0. `expansionSearch` (recall@1 / p50):
 *
 * | data                                   | ef 64           | ef 128          | ef 256          |
 * | -------------------------------------- | --------------- | --------------- | --------------- |
 * | 7.7k real MiniLM + 92k noisy variants  | 0.997 / 0.36 ms | 1.000 / 0.68 ms | 1.000 / 0.86 ms |
 * | 7k real MiniLM among 93k synthetic     | 0.977 / 0.19 ms | 0.993 / 0.32 ms | 1.000 / 0.39 ms |
 *
 * 128 keeps recall@1 ≥ 0.99 on both with p50 well under 2 ms even on a busy machine.
 */
export const HNSW_DEFAULTS: Required<HnswIndexOptions> = {
  quantization: "f16",
  connectivity: 32,
  expansionAdd: 128,
  expansionSearch: 128,
};

/** The part of `usearch` used here. */
interface Usearch {
  Index: typeof import("usearch").Index;
}
type NativeIndex = InstanceType<Usearch["Index"]>;

let loading: Promise<Usearch> | undefined;

/**
 * Loads the optional `usearch` peer dependency once. Rejects with `RECALL_MISSING_DEPENDENCY`
 * when it is not installed or its native binary does not load on this platform.
 */
export function loadUsearch(): Promise<Usearch> {
  loading ??= import("usearch").then(
    (mod: Partial<Usearch> & { default?: Usearch }) => ({ Index: mod.Index ?? mod.default!.Index }),
    (cause: unknown) => {
      loading = undefined;
      const detail = cause instanceof Error ? ` (${cause.message.split("\n")[0]})` : "";
      throw new RecallError(
        errorCodes.MISSING_DEPENDENCY,
        `HnswIndex needs the optional peer dependency "usearch": npm install usearch${detail}`,
        { cause },
      );
    },
  );
  return loading;
}

/**
 * Approximate search with HNSW graphs from `usearch` (cosine metric), one graph per partition:
 * a search walks only its own partition's graph, so it never sees, and is never crowded out
 * by, the items of another partition however large that one is.
 *
 * `usearch` is an optional peer dependency, loaded on the first `add`; if it is missing, `add`
 * rejects with `RECALL_MISSING_DEPENDENCY`. Use `AutoIndex` to fall back to exact search instead.
 */
export class HnswIndex extends PartitionedIndex {
  readonly #options: Required<HnswIndexOptions>;
  #usearch: Usearch | undefined;

  constructor(options: HnswIndexOptions = {}) {
    super();
    this.#options = resolveHnswOptions(options);
  }

  override async add(items: VectorItem[]): Promise<void> {
    this.#usearch ??= await loadUsearch();
    return super.add(items);
  }

  protected createPartition(dimensions: number, expectedSize: number): PartitionStore {
    return new HnswPartition(this.#usearch!, this.#options, new FlatPartition(dimensions, expectedSize));
  }

  /** Resolves once every vector added so far is in its partition's graph (searches are exact meanwhile). */
  async ready(): Promise<void> {
    await settled(() => this.partitions.values());
  }
}

/** Waits, one event-loop turn at a time, until no HNSW partition has background work left. */
export async function settled(stores: () => Iterable<PartitionStore>): Promise<void> {
  while ([...stores()].some((s) => s instanceof HnswPartition && s.busy)) {
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Validates options and fills in defaults. */
export function resolveHnswOptions(options: HnswIndexOptions): Required<HnswIndexOptions> {
  const resolved = { ...HNSW_DEFAULTS };
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (name === "quantization") {
      if (value !== "f32" && value !== "f16" && value !== "i8") {
        throw new RecallError(
          errorCodes.INVALID_OPTION,
          `quantization must be "f32", "f16" or "i8", got ${JSON.stringify(value)}`,
        );
      }
    } else if (!Number.isInteger(value) || (value as number) < 1) {
      throw new RecallError(errorCodes.INVALID_OPTION, `${name} must be a positive integer, got ${value}`);
    }
    (resolved as Record<string, unknown>)[name] = value;
  }
  return resolved;
}

/** Vectors inserted into a graph per event-loop turn: ~10 ms of work, so searches keep flowing. */
const CHUNK = 64;

/**
 * One partition: its vectors in a `FlatPartition` (the source of truth, float32) and an HNSW
 * graph over them that only proposes candidates. Every candidate is re-scored exactly, so the
 * graph's quantization never changes a score.
 *
 * Measured on usearch 2.26: removing nodes from a graph degrades it (on 20k clustered vectors,
 * recall@1 fell from 1.0 to ~0.9 after a few rounds of cache-like churn, and its size() drifted
 * from the true count), while leaving dead nodes in place kept 1.0. So the graph is append-only:
 * a removed or replaced id is just forgotten, searches over-fetch past such dead nodes, and once
 * dead nodes outnumber live ones a fresh graph is built in the background and swapped in.
 * Insertions of more than a few vectors also happen in the background, `CHUNK` per turn;
 * until they land, those vectors are searched exactly.
 */
export class HnswPartition implements PartitionStore {
  readonly vectors: FlatPartition;
  #serving: Graph;
  #next: Graph | undefined;
  #scheduled = false;

  /** Takes over `vectors` (e.g. a partition outgrowing exact search) and indexes them in the background. */
  constructor(
    private readonly usearch: Usearch,
    private readonly options: Required<HnswIndexOptions>,
    vectors: FlatPartition,
  ) {
    this.vectors = vectors;
    this.#serving = this.#graph(vectors.ids());
    this.#schedule();
  }

  get dimensions(): number {
    return this.vectors.dimensions;
  }

  get size(): number {
    return this.vectors.size;
  }

  /** True while vectors wait to enter a graph. */
  get busy(): boolean {
    return this.#scheduled;
  }

  set(ids: string[], vectors: Float32Array): void {
    const d = this.dimensions;
    const changed: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const old = this.vectors.get(ids[i]!);
      // Re-adding an entry with the same vector (a refresh) leaves the graph alone.
      if (!old || !sameVector(old, vectors, i * d)) changed.push(ids[i]!);
    }
    this.vectors.set(ids, vectors);
    for (const graph of this.#graphs()) for (const id of changed) graph.enqueue(id);
    // Each add does one chunk of graph work itself, so the graphs progress even when the event
    // loop gets no turn (e.g. a tight loop of awaited adds); the rest happens in the background.
    this.#step();
    this.#rebuildIfStale();
    this.#schedule();
  }

  delete(id: string): void {
    this.vectors.delete(id);
    for (const graph of this.#graphs()) graph.forget(id);
    this.#rebuildIfStale();
    this.#schedule();
  }

  search(query: Float32Array, k: number, minScore: number): VectorMatch[] {
    const graph = this.#serving;
    // Mostly not in the graph yet (a bulk add or a migration in progress): scan everything exactly.
    if (graph.pending.size * 4 > this.size) return this.vectors.search(query, k, minScore);
    const candidates = new Set(graph.pending);
    // Over-fetch: some proposals may be dead nodes; ask again for more if too few were live.
    for (let want = Math.max(2 * k, 16); ; want *= 4) {
      const found = graph.search(query, want);
      for (const id of found.live) candidates.add(id);
      if (found.live.length >= k || found.returned < want || want >= graph.total) break;
    }
    const matches: VectorMatch[] = [];
    for (const id of candidates) {
      const score = clampScore(dot(query, this.vectors.get(id)!));
      if (score >= minScore) matches.push({ id, score });
    }
    return matches.sort((a, b) => b.score - a.score).slice(0, k);
  }

  /** Drops the graphs and any background work. */
  close(): void {
    this.#serving.pending.clear();
    this.#next = undefined;
  }

  #graph(pending: string[]): Graph {
    return new Graph(this.usearch, this.dimensions, this.options, pending);
  }

  /** Starts a fresh graph in the background once dead nodes (removed or replaced) outnumber live ones. */
  #rebuildIfStale(): void {
    if (!this.#next && this.#serving.dead > Math.max(1_024, this.#serving.live)) {
      this.#next = this.#graph(this.vectors.ids());
    }
  }

  #graphs(): Graph[] {
    return this.#next ? [this.#serving, this.#next] : [this.#serving];
  }

  /** Feeds pending vectors into the graphs, one chunk per turn of the event loop. */
  #schedule(): void {
    if (this.#scheduled || this.#graphs().every((g) => g.pending.size === 0)) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#step();
      this.#schedule();
    }).unref();
  }

  /** One chunk of work for each graph (the serving one, and the one being rebuilt if any). */
  #step(): void {
    this.#serving.drain(this.vectors, CHUNK);
    this.#next?.drain(this.vectors, CHUNK);
    if (this.#next?.pending.size === 0) {
      this.#serving = this.#next;
      this.#next = undefined;
    }
  }
}

/** One usearch graph, append-only. String ids map to fresh bigint keys, never reused. */
class Graph {
  readonly #index: NativeIndex;
  readonly #keys = new Map<string, bigint>();
  readonly #ids = new Map<bigint, string>();
  /** Ids whose current vector is not in the graph yet. */
  readonly pending: Set<string>;
  /** Nodes in the graph, live or dead. */
  total = 0;

  constructor(usearch: Usearch, dimensions: number, options: Required<HnswIndexOptions>, pending: string[]) {
    this.#index = new usearch.Index({
      dimensions,
      metric: "cos" as never,
      quantization: options.quantization as never,
      connectivity: options.connectivity,
      expansion_add: options.expansionAdd,
      expansion_search: options.expansionSearch,
      multi: false,
    });
    this.pending = new Set(pending);
  }

  get live(): number {
    return this.#keys.size;
  }

  get dead(): number {
    return this.total - this.#keys.size;
  }

  enqueue(id: string): void {
    this.forget(id);
    this.pending.add(id);
  }

  forget(id: string): void {
    this.pending.delete(id);
    const key = this.#keys.get(id);
    if (key === undefined) return;
    this.#keys.delete(id);
    this.#ids.delete(key);
  }

  /** Inserts up to `max` pending vectors, read from `vectors`. */
  drain(vectors: FlatPartition, max: number): void {
    const ids: string[] = [];
    for (const id of this.pending) {
      if (ids.length === max) break;
      ids.push(id);
    }
    if (ids.length === 0) return;
    const d = vectors.dimensions;
    const keys = new BigUint64Array(ids.length);
    const matrix = new Float32Array(ids.length * d);
    ids.forEach((id, i) => {
      const key = BigInt(this.total++);
      keys[i] = key;
      this.#keys.set(id, key);
      this.#ids.set(key, id);
      this.pending.delete(id);
      matrix.set(vectors.get(id)!, i * d);
    });
    // One thread: graph building is background work and should leave the other cores to the app.
    this.#index.add(keys, matrix, 1);
  }

  search(query: Float32Array, want: number): { live: string[]; returned: number } {
    if (this.total === 0) return { live: [], returned: 0 };
    const { keys } = this.#index.search(query, Math.min(want, this.total), 1);
    const live: string[] = [];
    for (const key of keys) {
      const id = this.#ids.get(key);
      if (id !== undefined) live.push(id);
    }
    return { live, returned: keys.length };
  }
}

function sameVector(a: Float32Array, b: Float32Array, offset: number): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[offset + i]) return false;
  return true;
}
