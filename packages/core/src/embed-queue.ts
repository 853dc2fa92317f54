import { onDeadline } from "./deadline.js";
import type { Embedder } from "./embedder.js";
import { LruMap } from "./memory-store.js";
import { checkedShare } from "./unreadable.js";

/** What the embedder says about one text: its vector and the share of it the model cannot see. */
export interface Reading {
  vector: Float32Array;
  /** See `Embedder.unrepresented`; undefined when the embedder does not say. */
  unrepresented: number | undefined;
}

export interface EmbedQueueOptions {
  /** Texts per `embed` call at most. */
  batchSize: number;
  /** Texts waiting for a batch past which new ones are refused. */
  maxQueue: number;
  /** How long the first text of a batch waits for company while the embedder is idle. */
  batchWindowMs: number;
  /** Bound on one batch; past it its texts fail. */
  timeoutMs: number;
}

/** Why a text was not read: too many waiting, or it could not be read within the budget. */
export type Shed = { shed: "queue-full" | "budget"; reason: string };

interface Waiting {
  text: string;
  resolve: (reading: Reading) => void;
  reject: (error: unknown) => void;
}

/**
 * Schedules an embedder under load. Texts asked for while the embedder is busy (or within
 * `batchWindowMs` of an idle one) go out together as one batch, up to `batchSize`, and at most
 * `embedder.concurrency` batches run at once: a pool of threads or a remote API gets as many as it
 * can use, and a single thread is never asked twice at the same time. Each batch asks for vectors
 * and for `unrepresented` shares together, so a question is read in one pass.
 *
 * Lookups carry a budget (`readWithin`): when the queue is full, or the texts ahead of this one
 * would take longer than the budget, the lookup is refused at once rather than made to wait (load
 * shedding); when a reading runs past the budget anyway, the lookup stops waiting and the reading
 * finishes in the background, so the answer's write that follows finds it done. Readings are
 * remembered (LRU), so a question is embedded once for its lookup and its write.
 */
export class EmbedQueue {
  private readonly waiting: Waiting[] = [];
  private readonly readings: LruMap<string, Promise<Reading>>;
  private readonly concurrency: number;
  private running = 0;
  private runningTexts = 0;
  private flushPending = false;
  private batches = 0;
  /** Moving average of the milliseconds one text costs in a batch; undefined until measured. */
  private msPerText: number | undefined;

  constructor(
    private readonly embedder: Embedder,
    private readonly options: EmbedQueueOptions,
    remembered = 2_000,
  ) {
    this.readings = new LruMap(remembered);
    const c = embedder.concurrency;
    this.concurrency = typeof c === "number" && Number.isInteger(c) && c > 0 ? c : 1;
  }

  /** Texts waiting for a batch. */
  get length(): number {
    return this.waiting.length;
  }

  /**
   * The reading of `text` within `budgetMs`, or why not: a lookup's path. A reading that is
   * already known or under way is awaited (within the budget) whatever the queue's state.
   */
  async readWithin(text: string, budgetMs: number): Promise<Reading | Shed> {
    let pending = this.readings.get(text);
    if (!pending) {
      const refused = this.refusal(budgetMs);
      if (refused) return refused;
      pending = this.enqueue(text);
    }
    if (!Number.isFinite(budgetMs)) return pending;
    let cancel = () => {};
    const late = new Promise<Shed>((resolve) => {
      cancel = onDeadline(budgetMs, () =>
        resolve({ shed: "budget", reason: `the embedding took longer than the ${budgetMs} ms budget` }),
      );
    });
    try {
      return await Promise.race([pending, late]);
    } finally {
      cancel();
    }
  }

  /** The reading of `text`, however long the queue: a write's path (bounded by `timeoutMs`). */
  read(text: string): Promise<Reading | Shed> {
    const pending = this.readings.get(text);
    if (pending) return pending;
    if (this.waiting.length >= this.options.maxQueue) return Promise.resolve(this.full());
    return this.enqueue(text);
  }

  /** Forgets every remembered reading (the embedder changed what it returns). */
  clear(): void {
    this.readings.clear();
  }

  private refusal(budgetMs: number): Shed | undefined {
    if (this.waiting.length >= this.options.maxQueue) return this.full();
    const estimate = this.estimateMs();
    if (estimate > budgetMs)
      return {
        shed: "budget",
        reason: `${this.waiting.length} texts wait to be embedded: about ${Math.round(estimate)} ms, past the ${budgetMs} ms budget`,
      };
    return undefined;
  }

  private full(): Shed {
    return {
      shed: "queue-full",
      reason: `the embedding queue is full (${this.waiting.length} texts waiting, maxQueue ${this.options.maxQueue})`,
    };
  }

  /**
   * How long a text asked for now would take: the texts ahead of it (those waiting, and half of
   * those being embedded) and itself, spread over the batches that run at once. Zero while the
   * embedder is idle or not yet measured, so an idle queue always tries (and so keeps measuring).
   */
  private estimateMs(): number {
    if (this.msPerText === undefined || (this.running === 0 && this.waiting.length === 0)) return 0;
    const ahead = this.waiting.length + this.runningTexts / 2;
    return ((ahead + 1) * this.msPerText) / this.concurrency;
  }

  private enqueue(text: string): Promise<Reading> {
    const reading = new Promise<Reading>((resolve, reject) => {
      this.waiting.push({ text, resolve, reject });
    });
    this.readings.set(text, reading);
    // A failed reading is not remembered: the next ask tries again.
    reading.catch(() => {
      if (this.readings.get(text) === reading) this.readings.delete(text);
    });
    this.schedule();
    return reading;
  }

  private schedule(): void {
    if (this.flushPending || this.running >= this.concurrency || this.waiting.length === 0) return;
    this.flushPending = true;
    // Busy: the next free slot takes whatever gathered meanwhile. Idle: wait the window for company.
    const window = this.running > 0 ? 0 : this.options.batchWindowMs;
    if (window === 0) setImmediate(() => this.flush());
    else setTimeout(() => this.flush(), window);
  }

  /**
   * Sends what waits to the free slots, shared evenly: 32 questions and two idle worker threads
   * make two batches of 16, not one of 32 and an idle thread.
   */
  private flush(): void {
    this.flushPending = false;
    while (this.running < this.concurrency && this.waiting.length > 0) {
      const free = this.concurrency - this.running;
      const size = Math.min(this.options.batchSize, Math.ceil(this.waiting.length / free));
      this.runBatch(this.waiting.splice(0, size));
    }
  }

  /**
   * Embeds one batch. Its texts fail at `timeoutMs`, but its slot stays taken until the embedder
   * answers: a hung embedder fills the queue (and lookups are shed) instead of piling up calls.
   */
  private runBatch(batch: Waiting[]): void {
    this.running++;
    this.runningTexts += batch.length;
    const cold = this.batches++ === 0;
    const texts = batch.map((w) => w.text);
    const started = performance.now();
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      cancel();
      outcome();
    };
    const cancel = onDeadline(this.options.timeoutMs, () =>
      settle(() => {
        const error = new Error(`embedding took longer than ${this.options.timeoutMs} ms`);
        for (const w of batch) w.reject(error);
      }),
    );
    // Called inside a promise, so an embedder that throws at once fails its batch, not the process.
    Promise.resolve()
      .then(() => Promise.all([this.embedder.embed(texts), this.embedder.unrepresented?.(texts)]))
      .then(([vectors, shares]) => {
        if (vectors.length !== texts.length)
          throw new Error(`embedder returned ${vectors.length} vectors for ${texts.length} texts`);
        // The first batch pays for loading the model: it says nothing about the next ones.
        if (!cold && !settled) this.measure(performance.now() - started, texts.length);
        settle(() =>
          batch.forEach((w, i) => {
            try {
              w.resolve({ vector: vectors[i]!, unrepresented: shares && checkedShare(shares[i]) });
            } catch (error) {
              w.reject(error);
            }
          }),
        );
      })
      .catch((error: unknown) =>
        settle(() => {
          for (const w of batch) w.reject(error);
        }),
      )
      .finally(() => {
        this.running--;
        this.runningTexts -= batch.length;
        this.schedule();
      });
  }

  private measure(ms: number, texts: number): void {
    const perText = ms / texts;
    this.msPerText = this.msPerText === undefined ? perText : this.msPerText * 0.8 + perText * 0.2;
  }
}

export function isShed(value: Reading | Shed): value is Shed {
  return "shed" in value;
}
