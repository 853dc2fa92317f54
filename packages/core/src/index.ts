export type { ParseCallOptionsSettings, ParsedCallOptions } from "./adapter/call-options.js";
export { parseCallOptions } from "./adapter/call-options.js";
export type { StreamSettler } from "./adapter/stream-settler.js";
export { settleStream } from "./adapter/stream-settler.js";
export type { RecallSummary, SavedSummary } from "./adapter/summary.js";
export { isCached, summarize } from "./adapter/summary.js";
export type { BreakerOptions } from "./breaker.js";
export type { BusMessage, CacheBus } from "./bus.js";
export type { CacheOptions, CacheOutcome, CacheStatus, CallOptions, Lookup, LookupMiss } from "./cache.js";
export { createCache, RecallCache } from "./cache.js";
export { cachedEmbedder } from "./cached-embedder.js";
export type {
  CalibrationMetrics,
  CalibrationOptions,
  CalibrationPair,
  CalibrationProgress,
  CalibrationReport,
  CalibrationRow,
  Candidate as CalibrationCandidate,
  PairLookup,
} from "./calibrate.js";
export { calibrate, metricsAt, suggestThreshold, thresholdRange } from "./calibrate.js";
export type { LabelVerdict } from "./calibration-labels.js";
export {
  collectSecrets,
  containsSecret,
  isSecretName,
  looksLikeSecret,
  stripSecrets,
} from "./credentials.js";
export type { Embedder } from "./embedder.js";
export type { CacheEntry } from "./entry.js";
export { decodeVector, encodeVector, isCacheEntry } from "./entry.js";
export type { RecallErrorCode } from "./errors.js";
export { assertOption, errorCodes, RecallError } from "./errors.js";
export type { CacheEventName, CacheEvents, CacheListener, Savings } from "./events.js";
export type {
  GuardOptions,
  GuardRule,
  GuardRuleName,
  GuardText,
  GuardToken,
  GuardVerdict,
  SemanticGuard,
} from "./guard.js";
export { createGuard, DEFAULT_GUARD_RULES, defaultGuard, guardRules } from "./guard.js";
export { AutoIndex, createVectorIndex, FlatIndex, HnswIndex } from "./index/index.js";
export type { RequestKeys } from "./keys.js";
export { KEY_FORMAT_VERSION, requestKeys, sha256 } from "./keys.js";
export type { DistributedLock, LockHandle } from "./lock.js";
export type { MemoryBus, MemoryBusOptions } from "./memory-bus.js";
export { createMemoryBus } from "./memory-bus.js";
export type { MemoryLockOptions } from "./memory-lock.js";
export { createMemoryLock } from "./memory-lock.js";
export { createMemoryStore, LruMap } from "./memory-store.js";
export type { NormalizeOptions } from "./normalize.js";
export { canonicalJson, normalizeText, setOwn } from "./normalize.js";
export type { Clock } from "./pipeline/clock.js";
export { passThrough } from "./pipeline/outcome.js";
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
export type { SemanticMatch, SemanticOptions } from "./semantic.js";
export { DEFAULT_THRESHOLD, SemanticMatcher } from "./semantic.js";
export type { NamespaceStats, StatsSnapshot } from "./stats.js";
export { StatsCollector } from "./stats.js";
export type {
  StandardSchemaLike,
  StoreVerdict,
  UserValidator,
  ValidatorFn,
  ValidatorResult,
} from "./validate.js";
export { builtInVerdict } from "./validate.js";
export type { VectorIndex, VectorItem, VectorMatch, VectorSearch } from "./vector-index.js";
