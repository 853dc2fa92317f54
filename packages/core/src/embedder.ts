/**
 * Turns texts into vectors. `id` names the model (and anything that changes its vectors); it enters
 * every semantic key and partition, so vectors of two models never meet.
 *
 * Only `id`, `dimensions` and `embed` are required. The optional members let the engine schedule an
 * embedder well under load (`embed-queue.ts`): how many batches it runs at once, whether it runs on
 * this machine's CPU (which picks the default latency budget), how to warm it and when to free it.
 */
export interface Embedder {
  readonly id: string;
  readonly dimensions: number;
  /** Returns one L2-normalized vector per text, in order. */
  embed(texts: string[], options?: { signal?: AbortSignal }): Promise<Float32Array[]>;
  /**
   * Optional, and strongly advised: for each text, the share of its tokens (0 to 1) the model could
   * not represent: unknown tokens (`[UNK]`: scripts and emoji missing from its vocabulary) and tokens
   * past its input window. A text with any such share is cached exactly only, never matched by
   * meaning: two questions the model cannot read would get the same vector. An embedder without this
   * method is trusted to represent every text.
   */
  unrepresented?(texts: string[]): Promise<number[]>;
  /**
   * Optional: how many `embed` calls it runs in parallel to good effect (a thread pool's size, a
   * remote API's useful concurrency). The engine sends at most this many batches at once and
   * gathers the questions that arrive meanwhile into the next batch. Default 1.
   */
  readonly concurrency?: number;
  /**
   * Optional: `true` when it computes on this machine (no network round trip). A local embedder's
   * lookups get a tight default budget (`semantic.budgetMs`); a remote one's, a network-sized one.
   */
  readonly local?: boolean;
  /** Optional: loads the model now rather than on the first `embed`. `cache.ready()` awaits it. */
  load?(): Promise<void>;
  /**
   * Optional: a cache calls it when created and the returned function when closed, so an embedder
   * that holds resources (worker threads, sessions) frees them once no cache uses it any more.
   */
  retain?(): () => Promise<void>;
}
