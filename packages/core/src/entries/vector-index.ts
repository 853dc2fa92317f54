/** `@recall/core/index`: the in-process vector indexes (the default is `createVectorIndex()`). */
export type { AutoIndexOptions, HnswIndexOptions, Quantization } from "../index/index.js";
export {
  AutoIndex,
  createVectorIndex,
  DEFAULT_HNSW_THRESHOLD,
  FlatIndex,
  HNSW_DEFAULTS,
  HnswIndex,
} from "../index/index.js";
