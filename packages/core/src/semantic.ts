import { cachedEmbedder } from "./cached-embedder.js";
import type { Embedder } from "./embedder.js";
import { type CacheEntry, decodeVector, encodeVector } from "./entry.js";
import { errorCodes, type RecallError, toRecallError } from "./errors.js";
import type { Emitter } from "./events.js";
import { defaultGuard, type SemanticGuard } from "./guard.js";
import { sha256 } from "./keys.js";
import { sameVectorReason, unreadableReason } from "./unreadable.js";
import type { VectorIndex } from "./vector-index.js";

export interface SemanticOptions {
  /** Turns questions into vectors (e.g. `createLocalEmbedder()` from `@recall/transformers`). */
  embedder: Embedder;
  /** Where vectors are searched. Default: the in-process index (exact, then HNSW past a size). */
  index?: VectorIndex;
  /** Minimum cosine similarity for a semantic hit. Default: `DEFAULT_THRESHOLD`, calibrated on QQP. */
  threshold?: number;
  /** Refuses candidates whose details differ (numbers, negation, entities…). `false` turns it off. */
  guard?: SemanticGuard | false;
  /** Neighbours examined per lookup. Default 4. */
  candidates?: number;
  /** Bound on one embedding call; past it the lookup goes on exact-only. Default 2000 ms. */
  embedTimeoutMs?: number;
}

/**
 * Default similarity threshold (cosine, all-MiniLM-L6-v2): the lowest from which precision stays at
 * or above 0.95 on the QQP dev pairs with the default guard (`recall calibrate`;
 * docs/semantic-matching.md). At 0.97: precision 0.956 (0.916 counting hits the labels cannot judge
 * as false), recall 0.11, false hits on 0.2% of lookups. 0.95 catches twice the paraphrases
 * (recall 0.20) at precision 0.91: a wrong answer in every eleven semantic hits was too many.
 * Another embedder needs its own threshold: calibrate on your pairs.
 */
export const DEFAULT_THRESHOLD = 0.97;

export interface SemanticMatch {
  key: string;
  entry: CacheEntry;
  similarity: number;
}

/** The part of a cache entry the matcher reads; the engine supplies it so the matcher owns no store. */
export type EntryReader = (key: string) => Promise<CacheEntry | undefined>;

/**
 * Matching by meaning inside a hard partition: embed the question, search the partition's nearest
 * neighbours above the threshold, and take the best one the guard accepts.
 */
export class SemanticMatcher {
  readonly embedder: Embedder;
  readonly threshold: number;
  private readonly guard: SemanticGuard | undefined;
  private readonly k: number;
  private readonly embedTimeoutMs: number;

  constructor(
    options: SemanticOptions,
    readonly index: VectorIndex,
    private readonly events: Emitter,
    private readonly onError: (error: RecallError, key?: string) => void,
  ) {
    this.embedder = cachedEmbedder(options.embedder);
    this.threshold = options.threshold ?? DEFAULT_THRESHOLD;
    this.guard = options.guard === false ? undefined : (options.guard ?? defaultGuard);
    this.k = options.candidates ?? 4;
    this.embedTimeoutMs = options.embedTimeoutMs ?? 2_000;
  }

  /** The partition id as stored: the request's partition, scoped to this embedder's vectors. */
  partitionOf(requestPartition: string): string {
    return sha256(`${this.embedder.id}\n${requestPartition}`);
  }

  /**
   * Why the question must be matched exactly only (see `unreadableReason`), or undefined. A failing
   * check is reported and read as unreadable: when in doubt, match exactly.
   */
  async unreadable(question: string, key: string): Promise<string | undefined> {
    try {
      return await unreadableReason(question, this.embedder);
    } catch (error) {
      this.onError(
        toRecallError(errorCodes.SEMANTIC_ERROR, "checking what the embedder can read failed", error),
        key,
      );
      return "the embedder could not say what it can read";
    }
  }

  /** The question's vector, or undefined when embedding failed or took too long (reported). */
  async vectorOf(question: string, key: string): Promise<Float32Array | undefined> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`embedding took longer than ${this.embedTimeoutMs} ms`)),
          this.embedTimeoutMs,
        );
      });
      const [vector] = await Promise.race([this.embedder.embed([question]), timeout]);
      return vector;
    } catch (error) {
      this.onError(toRecallError(errorCodes.SEMANTIC_ERROR, "embedding failed", error), key);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  async find(
    question: string,
    partition: string,
    vector: Float32Array,
    threshold: number,
    read: EntryReader,
    base: { namespace: string; key: string; model: string },
  ): Promise<SemanticMatch | undefined> {
    let matches: Awaited<ReturnType<VectorIndex["search"]>>;
    try {
      matches = await this.index.search({ partition, vector, k: this.k, minScore: threshold });
    } catch (error) {
      this.onError(toRecallError(errorCodes.SEMANTIC_ERROR, "vector search failed", error), base.key);
      return undefined;
    }
    for (const match of matches) {
      const entry = await read(match.id);
      if (!entry || entry.partition !== partition || entry.question === undefined) {
        // Expired or evicted under us: forget the vector too.
        if (!entry) this.remove([match.id]);
        continue;
      }
      const blind = sameVectorReason(question, entry.question, match.score);
      const verdict = blind
        ? { ok: false as const, reason: blind }
        : (this.guard?.(question, entry.question) ?? { ok: true as const });
      if (!verdict.ok) {
        this.events.emit("semantic-reject", {
          ...base,
          similarity: match.score,
          candidate: entry.question,
          reason: verdict.reason,
        });
        continue;
      }
      return { key: match.id, entry, similarity: match.score };
    }
    return undefined;
  }

  async add(id: string, namespace: string, partition: string, vector: Float32Array): Promise<void> {
    try {
      await this.index.add([{ id, namespace, partition, vector }]);
    } catch (error) {
      this.onError(toRecallError(errorCodes.SEMANTIC_ERROR, "adding to the vector index failed", error), id);
    }
  }

  remove(ids: string[]): void {
    this.index.remove(ids).catch((error: unknown) => {
      this.onError(toRecallError(errorCodes.SEMANTIC_ERROR, "removing from the vector index failed", error));
    });
  }

  /** Re-adds a stored entry's vector (index rebuilds); skips entries of another embedder. */
  async restore(key: string, entry: CacheEntry): Promise<boolean> {
    if (!entry.vector || !entry.partition || entry.embedder !== this.embedder.id) return false;
    await this.add(key, entry.namespace, entry.partition, decodeVector(entry.vector));
    return true;
  }

  encode(vector: Float32Array): string {
    return encodeVector(vector);
  }
}
