/**
 * Turns texts into vectors. `id` names the model (and anything that changes its vectors); it enters
 * every semantic key and partition, so vectors of two models never meet.
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
}
