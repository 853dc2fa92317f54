/**
 * Core's `Embedder` contract (packages/core/src/embedder.ts), restated structurally so this package
 * type-checks before core is built. Any object satisfying it satisfies core's.
 *
 * TODO(core): replace with `export type { Embedder } from "@recall/core"` once core builds.
 */
export interface Embedder {
  readonly id: string;
  readonly dimensions: number;
  /** Returns one L2-normalized vector per text, in order. */
  embed(texts: string[], options?: { signal?: AbortSignal }): Promise<Float32Array[]>;
}
