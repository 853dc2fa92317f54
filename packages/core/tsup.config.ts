import { sep } from "node:path";
import type { Options } from "tsup";
import { recallBuild } from "../../tsup.base";

type Plugin = NonNullable<Options["esbuildPlugins"]>[number];

/**
 * `testing` imports the engine (`createCache`) from the package itself, so `@recall/core/testing`
 * and `@recall/core` share one copy of it instead of `dist/testing.js` bundling a second one.
 */
const engineFromPackage: Plugin = {
  name: "testing-uses-the-package",
  setup(build) {
    build.onResolve({ filter: /^\.\.\// }, (args) =>
      args.importer.includes(`${sep}src${sep}testing${sep}`)
        ? { path: "@recall/core", external: true }
        : undefined,
    );
  },
};

// `testing` (fakeEmbedder, fakeClock, vectors) is for tests; the conformance suites are in @recall/test-suite.
export default recallBuild(
  { index: "src/index.ts", testing: "src/testing/index.ts" },
  { esbuildPlugins: [engineFromPackage] },
);
