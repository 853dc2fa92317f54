import type Keyv from "keyv";
import { createRedisBus, type RedisBus } from "./bus.js";
import {
  type AnyRedisClient,
  checkTimeout,
  closeClient,
  DEFAULT_COMMAND_TIMEOUT_MS,
  type RedisConnection,
  resolveClient,
} from "./client.js";
import { createRedisLock, type RedisLock } from "./lock.js";
import { createRedisStore } from "./store.js";

export interface RedisRecallOptions extends RedisConnection {
  /** Keyv namespace of the entries (`<namespace>::<key>` in Redis). Default `recall`. */
  storeNamespace?: string;
  /** Prefix of lock keys. Default `recall-lock:`. */
  lockKeyPrefix?: string;
  /** Bus channel; instances that share a cache must share it. Default `recall:bus`. */
  channel?: string;
  /** Told about failures in the background (reconnects, pub/sub). The cache reports the rest as `error` events. */
  onError?: (error: Error) => void;
}

export interface RedisRecall {
  /** The Keyv store of the entries. */
  store: Keyv;
  /** The stampede lock shared by every instance. */
  lock: RedisLock;
  /** The bus that keeps the instances' in-process vector indexes in step. */
  bus: RedisBus;
  /** The node-redis client underneath, a cluster client with `cluster` (commands fail fast while disconnected). */
  client: AnyRedisClient;
  /** Closes the lock, the bus and the connection (if opened here). Call after `cache.close()`. */
  close(): Promise<void>;
}

/**
 * Everything a cache shared by many processes needs, on one Redis connection (plus one for pub/sub
 * each for the lock and the bus):
 *
 * @example
 * const redis = redisRecall({ url: "redis://127.0.0.1:6379" });
 * // or, on a Redis Cluster: redisRecall({ cluster: { rootNodes: ["redis://10.0.0.1:6379", "redis://10.0.0.2:6379"] } })
 * const cache = createCache({ store: redis.store, lock: redis.lock, bus: redis.bus, semantic: { embedder } });
 */
export function redisRecall(options: RedisRecallOptions): RedisRecall {
  const what = "redisRecall";
  const commandTimeoutMs = checkTimeout(options.commandTimeoutMs, "commandTimeoutMs", what);
  const onError = options.onError ?? (() => {});
  const { client, owned } = resolveClient(options, what, onError);
  const store = createRedisStore({
    client,
    ...(options.storeNamespace ? { namespace: options.storeNamespace } : {}),
  });
  const shared = { client, onError, ...(commandTimeoutMs ? { commandTimeoutMs } : {}) };
  const lock = createRedisLock({
    ...shared,
    ...(options.lockKeyPrefix ? { keyPrefix: options.lockKeyPrefix } : {}),
  });
  const bus = createRedisBus({ ...shared, ...(options.channel ? { channel: options.channel } : {}) });
  return {
    store,
    lock,
    bus,
    client,
    async close() {
      await lock.close();
      await bus.close();
      if (owned) await closeClient(client, undefined, commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS);
    },
  };
}
