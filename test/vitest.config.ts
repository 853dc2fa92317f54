import { defineConfig } from "vitest/config";

// Integration tests start real processes (redis-server, PGlite, workers): one file at a time, so
// timing bounds hold on a 2-core machine.
export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
