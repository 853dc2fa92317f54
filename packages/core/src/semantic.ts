import { EmbedQueue, isShed, type Reading, type Shed } from "./embed-queue.js";
import type { Embedder } from "./embedder.js";
import { type CacheEntry, decodeVector, encodeVector } from "./entry.js";
import { errorCodes, type RecallError, toRecallError } from "./errors.js";
import type { Emitter } from "./events.js";
import { defaultGuard, type SemanticGuard } from "./guard.js";
import { sha256 } from "./keys.js";
import { sameVectorReason, uncomparableReason, unrepresentedReason } from "./unreadable.js";
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
  /**
   * How long a lookup waits for its question's vector, queue included; past it (or when the texts
   * already waiting would take longer) the lookup goes on exact-only at once, with a
   * `semantic-shed` event, and the embedding finishes in the background for the answer's write.
   * Default 50 ms for a local embedder (`embedder.local`), else `embedTimeoutMs` (a network round
   * trip). `Infinity` waits as long as it takes (up to `embedTimeoutMs`).
   */
  budgetMs?: number;
  /** Texts waiting to be embedded past which lookups are shed and answers stored exact-only. Default 256. */
  maxQueue?: number;
  /** Texts per embedding call at most: concurrent questions are embedded together. Default 32. */
  batchSize?: number;
  /**
   * How long a question waits for others to embed with while the embedder is idle. Default 0: a
   * batch forms only from what arrives together or while the embedder is busy, so an idle cache
   * adds no latency.
   */
  batchWindowMs?: number;
  /** Bound on one embedding call (lookups and writes); past it its questions go on exact-only. Default 2000 ms. */
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

/**
 * Default `budgetMs` of a local embedder: a few times one embedding on an idle core (2.5 ms for
 * all-MiniLM-L6-v2 here, 25 ms with the other core busy), far below an LLM call. Past it, the
 * question is answered by exact lookup alone rather than queued behind others.
 */
export const DEFAULT_LOCAL_BUDGET_MS = 50;

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
  /** How long a lookup waits for its vector (see `SemanticOptions.budgetMs`). */
  readonly budgetMs: number;
  private readonly queue: EmbedQueue;
  private readonly guard: SemanticGuard | undefined;
  private readonly k: number;

  constructor(
    options: SemanticOptions,
    readonly index: VectorIndex,
    private readonly events: Emitter,
    private readonly onError: (error: RecallError, key?: string) => void,
  ) {
    this.embedder = options.embedder;
    this.threshold = options.threshold ?? DEFAULT_THRESHOLD;
    this.guard = options.guard === false ? undefined : (options.guard ?? defaultGuard);
    this.k = options.candidates ?? 4;
    const timeoutMs = options.embedTimeoutMs ?? 2_000;
    this.budgetMs = options.budgetMs ?? (options.embedder.local ? DEFAULT_LOCAL_BUDGET_MS : timeoutMs);
    this.queue = new EmbedQueue(options.embedder, {
      batchSize: options.batchSize ?? 32,
      maxQueue: options.maxQueue ?? 256,
      batchWindowMs: options.batchWindowMs ?? 0,
      timeoutMs,
    });
  }

  /** The partition id as stored: the request's partition, scoped to this embedder's vectors. */
  partitionOf(requestPartition: string): string {
    return sha256(`${this.embedder.id}\n${requestPartition}`);
  }

  /**
   * Reads the question for matching: its vector, or why it is matched exactly only. `budgetMs`
   * bounds a lookup's wait (omitted for a write, which waits for the queue up to `embedTimeoutMs`).
   * - `{ vector }`: match by meaning;
   * - `{ unreadable }`: the guard or the embedder cannot read it (see `unreadable.ts`);
   * - `{ shed }`: the embedder is too busy for the budget (see `EmbedQueue`);
   * - undefined: embedding (or the embedder's check of what it can read) failed, reported. When in
   *   doubt, match exactly.
   */
  async read(
    question: string,
    key: string,
    budgetMs?: number,
  ): Promise<{ vector: Float32Array } | { unreadable: string } | Shed | undefined> {
    const uncomparable = uncomparableReason(question);
    if (uncomparable) return { unreadable: uncomparable };
    let reading: Reading | Shed;
    try {
      reading = await (budgetMs === undefined
        ? this.queue.read(question)
        : this.queue.readWithin(question, budgetMs));
    } catch (error) {
      this.onError(toRecallError(errorCodes.SEMANTIC_ERROR, "embedding failed", error), key);
      return undefined;
    }
    if (isShed(reading)) return reading;
    const unreadable = unrepresentedReason(reading.unrepresented);
    return unreadable ? { unreadable } : { vector: reading.vector };
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
