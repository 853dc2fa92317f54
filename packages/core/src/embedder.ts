/**
 * Turns texts into vectors. `id` names the model (and anything that changes its vectors); it enters
 * every semantic key and partition, so vectors of two models never meet.
 */
export interface Embedder {
  readonly id: string;
  readonly dimensions: number;
  /** Returns one L2-normalized vector per text, in order. */
  embed(texts: string[], options?: { signal?: AbortSignal }): Promise<Float32Array[]>;
}
