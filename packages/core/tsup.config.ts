import { recallBuild } from "../../tsup.base";

// `testing` (fakeEmbedder, cacheStoreSuite) is for adapters' tests; it imports vitest, which stays external.
export default recallBuild(
  { index: "src/index.ts", testing: "src/testing/index.ts" },
  { external: ["vitest"] },
);
