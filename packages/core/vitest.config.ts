import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const path = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));

export default defineConfig({
  // Core's implementations run the conformance suites of @recall/test-suite, which depends on core:
  // a workspace dependency back on it would be a cycle turbo refuses. The tests read the suites
  // from their source instead, and the suites read core from its source too (one copy, no build).
  // tsconfig.json maps the same names for the type check.
  resolve: {
    alias: [
      { find: /^@recall\/test-suite$/, replacement: path("../test-suite/src/index.ts") },
      { find: /^@recall\/core$/, replacement: path("./src/index.ts") },
      { find: /^@recall\/core\/testing$/, replacement: path("./src/testing/index.ts") },
      { find: /^@recall\/core\/index$/, replacement: path("./src/entries/vector-index.ts") },
      { find: /^@recall\/core\/(adapter|guard|calibrate)$/, replacement: path("./src/entries/$1.ts") },
    ],
  },
  test: { include: ["src/**/*.test.ts", "test/**/*.test.ts"], testTimeout: 30_000 },
});
