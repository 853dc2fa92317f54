export type { RecallProviderOptions, ReplayPace } from "./call-options.js";
export type { AiSdkEmbedder, AiSdkEmbedderOptions } from "./embedder.js";
export { aiSdkEmbedder } from "./embedder.js";
export type {
  EmbeddingBody,
  RecallEmbeddingMetadata,
  RecallEmbeddingMiddlewareOptions,
} from "./embedding-middleware.js";
export { recallEmbeddingMiddleware } from "./embedding-middleware.js";
export { toEmbeddingRequest } from "./embedding-request.js";
export type { GenerateBody } from "./generate.js";
export type { LlmJudgeOptions } from "./judge.js";
export {
  LLM_JUDGE_INSTRUCTIONS,
  LLM_JUDGE_MAX_ANSWER_CHARS,
  LLM_JUDGE_PROMPT_VERSION,
  llmJudge,
} from "./judge.js";
export type { RecallMiddlewareOptions } from "./middleware.js";
export { recallMiddleware } from "./middleware.js";
export type { RecallMetadata, RecallSavings } from "./provider-metadata.js";
export type { StreamBody } from "./stream.js";
export type { ModelIdentity } from "./to-request.js";
export { toCacheRequest } from "./to-request.js";
