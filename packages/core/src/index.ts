/**
 * `@recall/core`: what an app calls. Adapter building blocks are in `@recall/core/adapter`, the
 * guard rules in `/guard`, the vector indexes in `/index`, calibration in `/calibrate`, fakes for
 * tests in `/testing`.
 */
export type { RecallSummary, SavedSummary } from "./adapter/summary.js";
export type { BreakerOptions } from "./breaker.js";
export type { BusMessage, CacheBus } from "./bus.js";
export type {
  CacheOptions,
  CacheOutcome,
  CacheStatus,
  CallOptions,
  Invalidate,
  Lookup,
  LookupMiss,
  RefreshResult,
} from "./cache.js";
export { createCache, RecallCache } from "./cache.js";
export { cachedEmbedder } from "./cached-embedder.js";
export type { Embedder } from "./embedder.js";
export type { Alias, CacheEntry } from "./entry.js";
export type { RecallErrorCode } from "./errors.js";
export { errorCodes, RecallError } from "./errors.js";
export type { CacheEventName, CacheEvents, CacheListener, Savings } from "./events.js";
export type { SemanticGuard } from "./guard.js";
export type { DistributedLock, LockHandle } from "./lock.js";
export type { MemoryBus, MemoryBusOptions } from "./memory-bus.js";
export { createMemoryBus } from "./memory-bus.js";
export type { MemoryLockOptions } from "./memory-lock.js";
export { createMemoryLock } from "./memory-lock.js";
export { createMemoryStore } from "./memory-store.js";
export type { Clock } from "./pipeline/clock.js";
export type { Feedback, FeedbackResult } from "./pipeline/feedback.js";
export type { DecidedBy } from "./pipeline/outcome.js";
export type { ModelPrice } from "./pricing.js";
export { defaultPricing, PriceTable } from "./pricing.js";
export type {
  CacheRequest,
  ContentPart,
  FilePart,
  GenerationParams,
  Message,
  ModelRef,
  ReasoningPart,
  ResponseFormat,
  TextPart,
  ToolCallPart,
  ToolChoice,
  ToolDefinition,
  ToolResultPart,
} from "./request.js";
export type { CacheResponse, FinishReason, ResponseToolCall, Usage } from "./response.js";
export type { SemanticMatch, SemanticMatcher, SemanticOptions } from "./semantic.js";
export { DEFAULT_THRESHOLD } from "./semantic.js";
export type { NamespaceStats, StatsCollector, StatsSnapshot } from "./stats.js";
export { emptyStats } from "./stats.js";
export type {
  StandardSchemaLike,
  StoreVerdict,
  UserValidator,
  ValidatorFn,
  ValidatorResult,
} from "./validate.js";
export type { VectorIndex, VectorItem, VectorMatch, VectorSearch } from "./vector-index.js";
export type { VerifyOptions } from "./verify/options.js";
export type {
  Verdict,
  VerdictDecision,
  Verifier,
  VerifierFunction,
  VerifyRequest,
} from "./verify/verifier.js";
