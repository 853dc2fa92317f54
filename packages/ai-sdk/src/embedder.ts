import type { SharedV4ProviderOptions } from "@ai-sdk/provider";
import { type Embedder, errorCodes, RecallError } from "@recall/core";
import { type EmbeddingModel, embedMany } from "ai";

export interface AiSdkEmbedderOptions {
  /**
   * Size of the vectors. When given it is also asked of the model (AI SDK `dimensions`, which
   * e.g. OpenAI's text-embedding-3 models honour) and checked on every answer. When not given it
   * is learnt from the first answer.
   */
  dimensions?: number;
  /** Provider options for every embedding call (they change the vectors, so they enter the id). */
  providerOptions?: SharedV4ProviderOptions;
  /** Retries of a failed embedding call. Default 0: the cache goes on exact-only rather than wait. */
  maxRetries?: number;
  /** Overrides the id (default `ai-sdk:<provider>:<modelId>`, plus the dimensions and options when given). */
  id?: string;
  /**
   * Embedding calls the cache may have in flight at once. Questions asked meanwhile wait and go out
   * together in the next call (core's embedding queue). Default 4.
   */
  concurrency?: number;
}

export type AiSdkEmbedder = Embedder & {
  /** 0 until the first answer when `dimensions` was not given. */
  readonly dimensions: number;
};

/**
 * Core's `Embedder` over any AI SDK embedding model, e.g. `openai.embedding("text-embedding-3-small")`,
 * for semantic matching. Vectors are L2-normalized.
 *
 * @example
 * import { openai } from "@ai-sdk/openai";
 * import { aiSdkEmbedder } from "@recall/ai-sdk";
 * import { createCache } from "@recall/core";
 *
 * const embedder = aiSdkEmbedder(openai.embedding("text-embedding-3-small"), { dimensions: 512 });
 * const cache = createCache({ semantic: { embedder, threshold: 0.92 } });
 */
export function aiSdkEmbedder(
  model: Exclude<EmbeddingModel, string>,
  options: AiSdkEmbedderOptions = {},
): AiSdkEmbedder {
  const invalid = (message: string) =>
    new RecallError(errorCodes.INVALID_OPTION, `aiSdkEmbedder: ${message}`);
  if (typeof model !== "object" || model === null || typeof model.doEmbed !== "function") {
    throw invalid("model must be an AI SDK embedding model, e.g. openai.embedding('text-embedding-3-small')");
  }
  const requested = options.dimensions;
  if (requested !== undefined && !(Number.isInteger(requested) && requested > 0)) {
    throw invalid(`dimensions must be a positive integer, got ${JSON.stringify(requested)}`);
  }
  if (
    options.maxRetries !== undefined &&
    !(Number.isInteger(options.maxRetries) && options.maxRetries >= 0)
  ) {
    throw invalid(`maxRetries must be a non-negative integer, got ${JSON.stringify(options.maxRetries)}`);
  }
  const concurrency = options.concurrency ?? 4;
  if (!(Number.isInteger(concurrency) && concurrency > 0)) {
    throw invalid(`concurrency must be a positive integer, got ${JSON.stringify(options.concurrency)}`);
  }
  let id = options.id ?? `ai-sdk:${model.provider}:${model.modelId}`;
  if (options.id === undefined && requested !== undefined) id += `:${requested}d`;
  if (options.id === undefined && options.providerOptions)
    id += `:${JSON.stringify(options.providerOptions)}`;
  let dimensions = requested ?? 0;

  return {
    id,
    concurrency,
    get dimensions() {
      return dimensions;
    },
    async embed(texts, callOptions) {
      if (texts.length === 0) return [];
      const { embeddings } = await embedMany({
        model,
        values: texts,
        dimensions: requested,
        providerOptions: options.providerOptions,
        maxRetries: options.maxRetries ?? 0,
        abortSignal: callOptions?.signal,
      });
      if (embeddings.length !== texts.length) {
        throw new Error(
          `the embedding model returned ${embeddings.length} vectors for ${texts.length} texts`,
        );
      }
      return embeddings.map((values) => {
        if (dimensions === 0) dimensions = values.length;
        if (values.length !== dimensions) {
          throw new Error(
            `the embedding model returned a vector of ${values.length} dimensions, expected ${dimensions}`,
          );
        }
        return normalized(values);
      });
    },
  };
}

function normalized(values: readonly number[]): Float32Array {
  const vector = Float32Array.from(values);
  let norm = 0;
  for (const x of vector) norm += x * x;
  norm = Math.sqrt(norm);
  if (norm === 0 || !Number.isFinite(norm))
    throw new Error("the embedding model returned a zero or non-finite vector");
  for (let i = 0; i < vector.length; i++) vector[i]! /= norm;
  return vector;
}
