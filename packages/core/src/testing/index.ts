export type { ClusteredVectors } from "./clustered-vectors.js";
export { clusteredVectors, mulberry32 } from "./clustered-vectors.js";
export type { FakeClock } from "./fake-clock.js";
export { fakeClock } from "./fake-clock.js";
export { fakeEmbedder } from "./fake-embedder.js";
export {
  CLOSE,
  IN_BAND,
  judge,
  NEAR,
  ORIGINAL,
  paraphraseAt,
  paraphraseEmbedder,
  paraphrases,
  VARIANTS,
} from "./paraphrases.js";
export { refusingStore } from "./refusing-store.js";
export { atCosine, cosine, unit } from "./vectors.js";
