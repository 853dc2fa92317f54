import { errorCodes, RecallError } from "@recall/core";
import { isMissingModule } from "@recall/core/adapter";

/** Which transformers.js runs the model. */
export type Backend = "huggingface" | "xenova";

export const BACKENDS: Record<Backend, { packageName: string; range: string }> = {
  huggingface: { packageName: "@huggingface/transformers", range: "^3 || ^4" },
  xenova: { packageName: "@xenova/transformers", range: "^2.17" },
};

/** The part of the transformers.js API used here; both libraries share it. */
export interface TransformersLibrary {
  env: {
    allowRemoteModels: boolean;
    allowLocalModels: boolean;
    localModelPath: string;
  };
  pipeline(
    task: "feature-extraction",
    model: string,
    options?: Record<string, unknown>,
  ): Promise<FeatureExtractor>;
}

export interface FeatureExtractor {
  (
    texts: string[],
    options: { pooling: "mean"; normalize: boolean },
  ): Promise<{ data: ArrayLike<number>; dims: number[] }>;
  tokenizer: Tokenizer;
  dispose?(): Promise<unknown>;
}

/** The tokenizer of a pipeline: `encode` differs between the libraries (see `tokenIds`). */
export interface Tokenizer {
  unk_token_id?: number;
  /** The input window in tokens, special tokens included; the pipeline truncates past it. */
  model_max_length?: number;
  encode(text: string, ...options: unknown[]): number[];
}

/** The token ids of a text, without special tokens. */
export function tokenIds(backend: Backend, tokenizer: Tokenizer, text: string): number[] {
  return backend === "xenova"
    ? tokenizer.encode(text, null, { add_special_tokens: false })
    : tokenizer.encode(text, { add_special_tokens: false });
}

/** Special tokens a BERT-style pipeline adds around the text ([CLS] … [SEP]). */
const SPECIAL_TOKENS = 2;

/**
 * The share of a text's tokens the model does not see: unknown tokens (words of scripts and emoji
 * missing from its vocabulary), and tokens past its input window (the pipeline truncates them).
 */
export function unrepresentedShare(backend: Backend, tokenizer: Tokenizer, text: string): number {
  const ids = tokenIds(backend, tokenizer, text);
  if (ids.length === 0) return 0;
  const window = (tokenizer.model_max_length ?? Number.POSITIVE_INFINITY) - SPECIAL_TOKENS;
  const unknown =
    tokenizer.unk_token_id === undefined ? 0 : ids.filter((id) => id === tokenizer.unk_token_id).length;
  const cut = Math.max(0, ids.length - window);
  return Math.min(1, (unknown + cut) / ids.length);
}

/** Imports the chosen library (an optional peer dependency), with an install hint if it is missing. */
export async function loadLibrary(
  backend: Backend,
  importer: (specifier: string) => Promise<unknown> = (specifier) => import(specifier),
): Promise<TransformersLibrary> {
  const { packageName, range } = BACKENDS[backend];
  try {
    return (await importer(packageName)) as TransformersLibrary;
  } catch (cause) {
    if (!isMissingModule(cause, packageName)) throw cause;
    throw new RecallError(
      errorCodes.MISSING_DEPENDENCY,
      `the local embedder with backend "${backend}" needs ${packageName}; install it with \`npm install ${packageName}@"${range}"\`` +
        ` (or pick the other backend: ${Object.entries(BACKENDS)
          .filter(([name]) => name !== backend)
          .map(([name, b]) => `backend: "${name}" with ${b.packageName}`)
          .join(", ")})`,
      { cause },
    );
  }
}

/**
 * Pipeline options that select the same ONNX file in both libraries, and with `intraOpThreads` the
 * session's thread count. @xenova/transformers 2.x creates its session with its execution providers
 * only (`constructSession` in its models.js) and has no way to pass session options, so there the
 * session keeps ONNX Runtime's default thread count whatever `intraOpThreads` says.
 */
export function pipelineOptions(
  backend: Backend,
  dtype: "fp32" | "q8",
  intraOpThreads?: number,
): Record<string, unknown> {
  if (backend === "xenova") return { quantized: dtype === "q8" };
  return {
    dtype,
    device: "cpu",
    ...(intraOpThreads === undefined
      ? {}
      : { session_options: { intraOpNumThreads: intraOpThreads, interOpNumThreads: 1 } }),
  };
}
