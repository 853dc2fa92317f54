export type { CacheControl } from "./cache-control.js";
export { parseCacheControl } from "./cache-control.js";
export type { NamespaceOption, RequestCacheOptions } from "./call-options.js";
export { DEFAULT_NAMESPACE_HEADER, requestCallOptions, VERIFY_HEADER } from "./call-options.js";
export type {
  DashboardAuth,
  DashboardHandler,
  DashboardOptions,
  EntryDetail,
  EntrySearch,
  EntrySummary,
  PointCounts,
  RejectRecord,
  SemanticHitRecord,
  SeriesPoint,
  StatsPoint,
  StatsSource,
} from "./dashboard/index.js";
export { cacheStatsSource, DashboardRecorder, dashboard, isLoopbackAddress } from "./dashboard/index.js";
export type { ApiErrorBody } from "./errors.js";
export { ApiError, bodyErrorHandler } from "./errors.js";
export type { FeedbackHandlerOptions } from "./feedback.js";
export { feedbackHandler } from "./feedback.js";
export type { CacheHeaderValue } from "./headers.js";
export {
  CACHE_HEADER,
  cacheHeaderValue,
  DECIDED_BY_HEADER,
  ID_HEADER,
  SIMILARITY_HEADER,
} from "./headers.js";
export { metricsHandler, prometheusText, registerRecallMetrics, statsHandler } from "./metrics.js";
export type { ChatCall } from "./openai-request.js";
export { chatCallFromBody, openAIChatRequest } from "./openai-request.js";
export type { AnswerDescription } from "./openai-response.js";
export { describeChatCompletion, describeEmbeddings } from "./openai-response.js";
export type { PassThroughOption, PassThroughRoute } from "./pass-through.js";
export { DEFAULT_PASS_THROUGH } from "./pass-through.js";
export type { OpenAIProxyOptions } from "./proxy.js";
export { openAIProxy } from "./proxy.js";
export { embeddingsRequest } from "./proxy-embeddings.js";
export type { ProxyErrorListener } from "./proxy-error.js";
export { ProxyError } from "./proxy-error.js";
export type { RouteCacheOptions, StoredRouteAnswer } from "./route-cache.js";
export { routeCache } from "./route-cache.js";
export { ChunkAccumulator, replayChatStream } from "./sse.js";
