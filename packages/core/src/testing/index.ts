export { cacheStoreSuite } from "./cache-store-suite.js";
export type { ClusteredVectors } from "./clustered-vectors.js";
export { clusteredVectors } from "./clustered-vectors.js";
export type { FakeClock } from "./fake-clock.js";
export { fakeClock } from "./fake-clock.js";
export { fakeEmbedder } from "./fake-embedder.js";
export type { VectorIndexSuiteOptions } from "./vector-index-suite.js";
export { atCosine, unit, vectorIndexSuite } from "./vector-index-suite.js";
