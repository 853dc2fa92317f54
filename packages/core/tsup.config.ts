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

// Subpaths share one copy of the engine: `splitting` puts common modules in shared chunks (ESM and
// CJS), and `testing` imports the engine from the package itself. `testing` (fakeEmbedder, fakeClock,
// vectors) is for tests; the conformance suites are in @recall/test-suite.
export default recallBuild(
  {
    index: "src/index.ts",
    adapter: "src/entries/adapter.ts",
    guard: "src/entries/guard.ts",
    "vector-index": "src/entries/vector-index.ts",
    calibrate: "src/entries/calibrate.ts",
    testing: "src/testing/index.ts",
  },
  { esbuildPlugins: [engineFromPackage], splitting: true },
);
