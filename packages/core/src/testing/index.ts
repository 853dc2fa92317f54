export { cacheStoreSuite } from "./cache-store-suite.js";
export { fakeEmbedder } from "./fake-embedder.js";
