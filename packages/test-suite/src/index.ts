export type { BusNetwork, BusSuiteOptions } from "./bus-suite.js";
export { busSuite } from "./bus-suite.js";
export type { EmbedderSuiteOptions } from "./embedder-suite.js";
export { EMBEDDER_SUITE_TEXTS, embedderSuite } from "./embedder-suite.js";
export type { LockSuiteOptions } from "./lock-suite.js";
export { LOCK_SUITE_TTL_MS, lockSuite } from "./lock-suite.js";
export type { StoreSuiteOptions } from "./store-suite.js";
// `cacheStoreSuite` is the store suite's name from when it lived in `@recall/core/testing`.
export { storeSuite as cacheStoreSuite, storeSuite } from "./store-suite.js";
export type { VectorIndexSuiteOptions } from "./vector-index-suite.js";
export { vectorIndexSuite } from "./vector-index-suite.js";
