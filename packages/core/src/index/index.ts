export type { AutoIndexOptions } from "./auto-index.js";
export { AutoIndex, createVectorIndex, DEFAULT_HNSW_THRESHOLD } from "./auto-index.js";
export { FlatIndex } from "./flat-index.js";
export type { HnswIndexOptions, Quantization } from "./hnsw-index.js";
export { HNSW_DEFAULTS, HnswIndex } from "./hnsw-index.js";
