import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    // Builds dist/embed-worker.js (what the worker threads run) when it is missing or stale.
    globalSetup: ["test/global-setup.ts"],
  },
});
