export type { RecallLangChainOptions } from "./options.js";
export type { RecallLangChainCacheOptions } from "./recall-cache.js";
export { RecallLangChainCache } from "./recall-cache.js";
export type { HitUsage, RecallMetadata } from "./status.js";
export type { RecallChatModelCallOptions, WithRecallOptions } from "./with-recall.js";
export { RecallChatModel, withRecall } from "./with-recall.js";
