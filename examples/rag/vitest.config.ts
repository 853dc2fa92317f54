import { defineConfig } from "vitest/config";

// The real local embedding model loads in a second or two (longer the very first time, when it is built).
export default defineConfig({
  test: { testTimeout: 120_000, hookTimeout: 120_000 },
});
