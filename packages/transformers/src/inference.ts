import { errorCodes, RecallError } from "@recall/core";
import {
  type Backend,
  type FeatureExtractor,
  loadLibrary,
  pipelineOptions,
  unrepresentedShare,
} from "./backend.js";

/** What a thread needs to load the model and embed with it; plain data, so it can go to a worker. */
export interface InferenceConfig {
  backend: Backend;
  model: string;
  modelDir: string;
  allowRemoteModels: boolean;
  dtype: "fp32" | "q8";
  dimensions: number;
  /** Texts per model call. */
  batchSize: number;
  /** ONNX intra-op threads of the session; the library's default when undefined. */
  intraOpThreads?: number;
  /** How much a worker thread lowers its priority (see `LocalEmbedderOptions.workerNice`). */
  workerNice?: number;
}

/** A loaded model on the calling thread: the whole embedding path, run where it is called. */
export interface Inference {
  embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]>;
  unrepresented(texts: string[]): number[];
  dispose(): Promise<void>;
}

/**
 * Loads the pipeline (tokenizer and ONNX session) on this thread from `config.modelDir`. The model
 * must be there already (or reachable with `allowRemoteModels`): building it is `ensureModel`'s job.
 */
export async function loadInference(config: InferenceConfig): Promise<Inference> {
  const library = await loadLibrary(config.backend);
  library.env.allowLocalModels = true;
  library.env.localModelPath = config.modelDir;
  library.env.allowRemoteModels = config.allowRemoteModels;
  const extractor = await library.pipeline(
    "feature-extraction",
    config.model,
    pipelineOptions(config.backend, config.dtype, config.intraOpThreads),
  );
  return {
    embed: (texts, signal) => embedTexts(extractor, config, texts, signal),
    unrepresented: (texts) =>
      texts.map((text) => unrepresentedShare(config.backend, extractor.tokenizer, text)),
    async dispose() {
      await extractor.dispose?.();
    },
  };
}

/** Mean-pooled, L2-normalized vectors in input order, in model calls of `batchSize` texts. */
async function embedTexts(
  run: FeatureExtractor,
  { model, dimensions, batchSize }: InferenceConfig,
  texts: string[],
  signal?: AbortSignal,
): Promise<Float32Array[]> {
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
    // `slice` gives each vector a buffer of its own (a worker transfers them without copying).
    indices.forEach((textIndex, row) => {
      vectors[textIndex] = data.slice(row * dimensions, (row + 1) * dimensions);
    });
  }
  return vectors;
}
