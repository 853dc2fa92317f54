import { defineConfig, type Options } from "tsup";

/**
 * The one build config every package shares: ESM + CJS with type declarations.
 * A package's `tsup.config.ts` calls this with its entry points.
 */
export function recallBuild(entry: Record<string, string> | string[], extra: Options = {}) {
  return defineConfig({
    entry,
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: true,
    target: "node20",
    splitting: false,
    treeshake: true,
    ...extra,
  });
}
