import { errorCodes, RecallError } from "../errors.js";
import { FlatPartition } from "./flat-index.js";
import {
  type HnswIndexOptions,
  HnswPartition,
  loadUsearch,
  resolveHnswOptions,
  settled,
} from "./hnsw-index.js";
import { PartitionedIndex, type PartitionStore } from "./partitioned-index.js";

export interface AutoIndexOptions extends HnswIndexOptions {
  /**
   * A partition holding more vectors than this moves from exact search to HNSW (and back once it
   * shrinks below half of it). Default `DEFAULT_HNSW_THRESHOLD`. `Infinity` keeps every partition exact.
   */
  hnswThreshold?: number;
}

/**
 * Partition size past which `AutoIndex` switches to HNSW, measured with `bench/vector-index.ts`
 * (real all-MiniLM-L6-v2 vectors, 384 dimensions, Node 20, 2 cores, best of 3 p50s, default
 * HNSW options):
 *
 * | vectors | exact scan | HNSW     |
 * | ------- | ---------- | -------- |
 * | 100     | 0.039 ms   | 0.035 ms |
 * | 200     | 0.076 ms   | 0.048 ms |
 * | 300     | 0.112 ms   | 0.057 ms |
 * | 500     | 0.186 ms   | 0.072 ms |
 * | 1,000   | 0.370 ms   | 0.101 ms |
 * | 1,500   | 0.555 ms   | 0.121 ms |
 *
 * HNSW (recall@1 1.0 at these sizes) draws level at ~100 vectors and is twice as fast from
 * ~300. Below that the gain is a few hundredths of a millisecond, not worth a native graph per
 * partition (~90 KiB even when nearly empty) nor approximate answers, so small partitions (most
 * of them, in a cache) stay exact.
 */
export const DEFAULT_HNSW_THRESHOLD = 300;

/**
 * The default in-process index: exact search (`FlatIndex` storage) for small partitions, and an
 * HNSW graph (`usearch`) for each partition that grows past `hnswThreshold`. The switch is
 * transparent: the graph is built in the background while the partition keeps being searched
 * exactly. Without `usearch` installed (or when its binary does not load) every partition simply
 * stays exact.
 */
export class AutoIndex extends PartitionedIndex {
  readonly #threshold: number;
  readonly #hnsw: ReturnType<typeof resolveHnswOptions>;
  /** `null` once loading failed: stay exact from then on. */
  #usearch: Awaited<ReturnType<typeof loadUsearch>> | null | undefined;

  constructor(options: AutoIndexOptions = {}) {
    super();
    const { hnswThreshold = DEFAULT_HNSW_THRESHOLD, ...hnsw } = options;
    if (
      !(hnswThreshold === Number.POSITIVE_INFINITY || (Number.isInteger(hnswThreshold) && hnswThreshold >= 0))
    ) {
      throw new RecallError(
        errorCodes.INVALID_OPTION,
        `hnswThreshold must be a non-negative integer or Infinity, got ${hnswThreshold}`,
      );
    }
    this.#threshold = hnswThreshold;
    this.#hnsw = resolveHnswOptions(hnsw);
  }

  /** How many partitions use each kind of search (for stats and tests). */
  partitionKinds(): { flat: number; hnsw: number } {
    let flat = 0;
    for (const store of this.partitions.values()) if (store instanceof FlatPartition) flat++;
    return { flat, hnsw: this.partitions.size - flat };
  }

  /** Resolves once every graph being built in the background is complete. */
  async ready(): Promise<void> {
    await settled(() => this.partitions.values());
  }

  protected createPartition(dimensions: number, expectedSize: number): PartitionStore {
    return new FlatPartition(dimensions, expectedSize);
  }

  protected override async afterAdd(partitions: string[]): Promise<void> {
    if (!partitions.some((p) => this.#tooBig(p)) || this.#usearch === null) return;
    this.#usearch ??= await loadUsearch().catch(() => null);
    const usearch = this.#usearch;
    if (!usearch) return;
    // Re-checked after the await: another call may have changed these partitions meanwhile.
    for (const partition of partitions) {
      const flat = this.partitions.get(partition);
      if (flat instanceof FlatPartition && this.#tooBig(partition)) {
        this.partitions.set(partition, new HnswPartition(usearch, this.#hnsw, flat));
      }
    }
  }

  protected override afterRemove(partition: string, store: PartitionStore): void {
    if (store instanceof HnswPartition && store.size < this.#threshold / 2) {
      store.close();
      this.partitions.set(partition, store.vectors);
    }
  }

  #tooBig(partition: string): boolean {
    const store = this.partitions.get(partition);
    return store instanceof FlatPartition && store.size > this.#threshold;
  }
}

/**
 * The default vector index: an `AutoIndex` (exact for small partitions, HNSW past
 * `hnswThreshold` when `usearch` is installed).
 */
export function createVectorIndex(options: AutoIndexOptions = {}): AutoIndex {
  return new AutoIndex(options);
}
