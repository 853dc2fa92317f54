import { EmbedQueue, isShed, type Reading, type Shed } from "./embed-queue.js";
import type { Embedder } from "./embedder.js";
import { type CacheEntry, decodeVector, encodeVector, entryKeyOf } from "./entry.js";
import { errorCodes, type RecallError, toRecallError } from "./errors.js";
import type { Emitter } from "./events.js";
import { defaultGuard, type SemanticGuard } from "./guard.js";
import { sha256 } from "./keys.js";
import { attr, callAttributes, traced } from "./telemetry.js";
import { sameVectorReason, uncomparableReason, unrepresentedReason } from "./unreadable.js";
import type { VectorIndex } from "./vector-index.js";
import type { VerifyOptions } from "./verify/options.js";

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
  /**
   * `serve` (default) answers from what matches. `shadow` serves exact hits only and runs matching
   * (and verification) on the side, reporting what semantic mode would have done in `shadow` events
   * and `stats.shadow`: read it before turning semantic answers on.
   */
  mode?: "serve" | "shadow";
  /** Verify candidates just below the threshold, and learn per entry. Off unless given. */
  verify?: VerifyOptions;
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
  /** The key of the entry whose answer is served. */
  key: string;
  /** The id of the vector that matched: `key`, or an alias id (`<key>#<question hash>`). */
  matched: string;
  entry: CacheEntry;
  similarity: number;
}

/**
 * What a search found: `match`, a candidate at or above its threshold (served); or `nearest`, the
 * best candidate below it yet within the search floor (for the verifier). Both passed the guard.
 */
export interface SemanticFinding {
  match?: SemanticMatch & { decidedBy: "threshold" | "alias" };
  nearest?: SemanticMatch;
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
  /** `serve`, or `shadow`: match on the side only (see `SemanticOptions.mode`). */
  readonly mode: "serve" | "shadow";
  private readonly queue: EmbedQueue;
  private readonly guard: SemanticGuard | undefined;
  private readonly k: number;
  /** Alias vector ids in the index per entry key, so deleting an entry drops its aliases here too. */
  private readonly aliases = new Map<string, Set<string>>();

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
    this.mode = options.mode ?? "serve";
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

  /**
   * Searches the partition for `vector` down to `floor` (the threshold, or the verifier's band) and
   * reads the candidates best first. A candidate is passed over when its entry is gone (its vector is
   * dropped), when it is an alias its entry no longer lists, when the question was reported wrong for
   * it, or when the guard refuses it (`semantic-reject`). The first one at or above its threshold
   * (the call's, or the entry's own if feedback raised it) is the match; else the best one left is
   * `nearest`.
   */
  find(
    question: string,
    partition: string,
    vector: Float32Array,
    threshold: number,
    floor: number,
    read: EntryReader,
    base: { namespace: string; key: string; model: string },
  ): Promise<SemanticFinding> {
    return traced("recall.search", callAttributes(base), async (span) => {
      const finding = await this.search(question, partition, vector, threshold, floor, read, base);
      const best = finding.match ?? finding.nearest;
      span.setAttribute(attr.outcome, finding.match ? "match" : finding.nearest ? "nearest" : "none");
      if (best) span.setAttribute(attr.similarity, best.similarity);
      return finding;
    });
  }

  private async search(
    question: string,
    partition: string,
    vector: Float32Array,
    threshold: number,
    floor: number,
    read: EntryReader,
    base: { namespace: string; key: string; model: string },
  ): Promise<SemanticFinding> {
    let matches: Awaited<ReturnType<VectorIndex["search"]>>;
    try {
      matches = await this.index.search({
        partition,
        vector,
        k: this.k,
        minScore: Math.min(threshold, floor),
      });
    } catch (error) {
      this.onError(toRecallError(errorCodes.SEMANTIC_ERROR, "vector search failed", error), base.key);
      return {};
    }
    const asked = questionHash(question);
    let nearest: SemanticMatch | undefined;
    for (const match of matches) {
      const key = entryKeyOf(match.id);
      const entry = await read(key);
      if (!entry || entry.partition !== partition || entry.question === undefined) {
        // Expired or evicted under us: forget the vector too.
        if (!entry) this.remove([match.id]);
        continue;
      }
      const alias = match.id === key ? undefined : entry.aliases?.find((a) => a.id === match.id);
      if (match.id !== key && !alias) {
        this.remove([match.id]);
        continue;
      }
      if (entry.refused?.includes(asked)) continue;
      const against = alias ? alias.question : entry.question;
      const blind = sameVectorReason(question, against, match.score);
      const verdict = blind
        ? { ok: false as const, reason: blind }
        : (this.guard?.(question, against) ?? { ok: true as const });
      if (!verdict.ok) {
        this.events.emit("semantic-reject", {
          ...base,
          similarity: match.score,
          candidate: against,
          reason: verdict.reason,
        });
        continue;
      }
      const found = { key, matched: match.id, entry, similarity: match.score };
      if (match.score >= Math.max(threshold, entry.threshold ?? 0))
        return {
          match: { ...found, decidedBy: alias ? "alias" : "threshold" },
          ...(nearest ? { nearest } : {}),
        };
      nearest ??= found;
    }
    return nearest ? { nearest } : {};
  }

  async add(id: string, namespace: string, partition: string, vector: Float32Array): Promise<void> {
    const key = entryKeyOf(id);
    if (key !== id) {
      const ids = this.aliases.get(key) ?? new Set<string>();
      ids.add(id);
      this.aliases.set(key, ids);
    }
    try {
      await this.index.add([{ id, namespace, partition, vector }]);
    } catch (error) {
      this.onError(toRecallError(errorCodes.SEMANTIC_ERROR, "adding to the vector index failed", error), id);
    }
  }

  /** Drops vectors by id; an entry key drops the entry's aliases known here too. */
  remove(ids: string[]): void {
    const all = [...ids];
    for (const id of ids) {
      const aliases = this.aliases.get(id);
      if (aliases) {
        all.push(...aliases);
        this.aliases.delete(id);
      } else if (entryKeyOf(id) !== id) {
        this.aliases.get(entryKeyOf(id))?.delete(id);
      }
    }
    this.index.remove(all).catch((error: unknown) => {
      this.onError(toRecallError(errorCodes.SEMANTIC_ERROR, "removing from the vector index failed", error));
    });
  }

  /** Re-adds a stored entry's vector and its aliases' (index rebuilds); skips entries of another embedder. */
  async restore(key: string, entry: CacheEntry, aliasVectors: Record<string, string> = {}): Promise<boolean> {
    if (!entry.vector || !entry.partition || entry.embedder !== this.embedder.id) return false;
    await this.add(key, entry.namespace, entry.partition, decodeVector(entry.vector));
    for (const alias of entry.aliases ?? []) {
      const vector = alias.vector ?? aliasVectors[alias.id];
      if (vector) await this.add(alias.id, entry.namespace, entry.partition, decodeVector(vector));
    }
    return true;
  }

  encode(vector: Float32Array): string {
    return encodeVector(vector);
  }
}

/** The hash a question is known by in hit ids, aliases and refusals (not the question itself). */
export function questionHash(question: string): string {
  return sha256(question).slice(0, 24);
}

/** The wording a match was found by: its entry's question, or the alias that matched. */
export function matchedQuestionOf(match: SemanticMatch): string {
  if (match.matched === match.key) return match.entry.question ?? "";
  return match.entry.aliases?.find((a) => a.id === match.matched)?.question ?? match.entry.question ?? "";
}
