export type { RedisBus, RedisBusOptions } from "./bus.js";
export { createRedisBus } from "./bus.js";
export type {
  AnyRedisClient,
  RedisClientLike,
  RedisClusterConnection,
  RedisClusterLike,
  RedisConnection,
} from "./client.js";
export { failFastClientOptions, failFastClusterOptions } from "./client.js";
export type {
  FleetLatency,
  FleetLatencyFigure,
  FleetModelStats,
  FleetPoint,
  FleetRange,
  FleetSeriesOptions,
  FleetSnapshot,
  FleetStats,
  FleetStatsOptions,
} from "./fleet-stats.js";
export { fleetStats } from "./fleet-stats.js";
export type { RedisLock, RedisLockOptions } from "./lock.js";
export { createRedisLock } from "./lock.js";
export type { RedisRecall, RedisRecallOptions } from "./recall.js";
export { redisRecall } from "./recall.js";
export type { RedisStoreOptions } from "./store.js";
export { createRedisStore, FOREIGN_VALUE } from "./store.js";
