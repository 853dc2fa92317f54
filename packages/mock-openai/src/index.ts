export {
  answerIdFor,
  answerTextFor,
  defaultAnswer,
  extractAnswerId,
  normalizeQuestion,
} from "./answer";
export { DEFAULT_EMBEDDING_DIMENSIONS, hashEmbedding } from "./embedding";
export { startMockOpenAI } from "./server";
export { estimateTokens } from "./tokens";

export type {
  AnswerRequest,
  AnswerResult,
  MockEndpoint,
  MockMessage,
  MockOpenAIOptions,
  MockOpenAIServer,
  MockToolCall,
  MockUsage,
  RecordedRequest,
} from "./types";
