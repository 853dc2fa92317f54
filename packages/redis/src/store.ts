import KeyvRedis, { type RedisClientConnectionType } from "@keyv/redis";
import Keyv from "keyv";
import {
  type AnyRedisClient,
  ensureOpen,
  firstConnection,
  isCluster,
  isReady,
  rediscover,
  withTimeout,
} from "./client.js";

export interface RedisStoreOptions {
  /**
   * The node-redis 5 client to use (see `failFastClientOptions` for one that never stalls calls), or a
   * cluster client (`createCluster(failFastClusterOptions(rootNodes))`): `@keyv/redis` then sends each
   * key to its slot's primary, splits multi-key reads and deletes by slot, and scans every primary
   * for purges and index rebuilds.
   */
  client: AnyRedisClient | RedisClientConnectionType;
  /** Keyv namespace: every key is stored as `<namespace>::<key>`, and scans only see these. Default `recall`. */
  namespace?: string;
}

/**
 * What Recall reads back for a stored value that Keyv cannot decode (not JSON, or JSON without
 * Keyv's `{ value }` wrapper): not a cache entry, so the engine reports it, deletes it and misses.
 */
export const FOREIGN_VALUE = Object.freeze({ recallForeignValue: true });

/**
 * A Keyv store on Redis for Recall: `@keyv/redis` over the given client, with a decoder that turns
 * foreign or corrupted values into a marker the engine deletes, instead of throwing (which would
 * stop index rebuilds and purges half-way).
 *
 * @example
 * const client = createClient(failFastClientOptions("redis://127.0.0.1:6379")); // from "redis"
 * const cache = createCache({ store: createRedisStore({ client }) });
 */
export function createRedisStore(options: RedisStoreOptions): Keyv {
  const namespace = options.namespace ?? "recall";
  const adapter = new RecallKeyvRedis(options.client as never, {
    namespace,
    throwOnConnectError: false,
    throwOnErrors: false,
  });
  // On a cluster, a failed command may mean a primary died: the client re-reads the cluster's shape.
  const client = options.client as AnyRedisClient;
  if (isCluster(client)) adapter.on("error", () => rediscover(client));
  const keyv = new Keyv({
    store: adapter,
    namespace,
    useKeyPrefix: false,
    deserialize: safeDeserialize as never,
  });
  // Connection errors arrive as events; never let one go unheard (the cache adds its own listener).
  keyv.on("error", () => {});
  return keyv;
}

/**
 * `@keyv/redis` with two changes:
 * - With commands failing fast while disconnected, the very first ones would fail before the client
 *   has connected at all: they wait for the first connection (1 s at most). Later outages do not wait.
 * - A failed write rejects (Keyv reports it once and returns false), so the engine's `stored` is
 *   true only for answers that reached Redis; `@keyv/redis` would swallow the error.
 */
class RecallKeyvRedis extends KeyvRedis<unknown> {
  override async getClient() {
    const client = this.client as unknown as AnyRedisClient;
    if (!isReady(client)) {
      ensureOpen(client);
      await withTimeout(firstConnection(client), 1_000, "connect").catch(() => {});
    }
    return super.getClient();
  }

  override async set(key: string, value: string, ttl?: number): Promise<void> {
    const client = await this.getClient();
    const prefixed = this.createKeyPrefix(key, this.namespace);
    await (ttl ? client.set(prefixed, value, { PX: ttl }) : client.set(prefixed, value));
  }
}

/** Keyv's own decoding (JSON, `:base64:` buffers, escaped colons), but never throwing. */
export function safeDeserialize(data: string): { value?: unknown; expires?: number } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data, (_, value) => {
      if (typeof value !== "string") return value;
      if (value.startsWith(":base64:")) return Buffer.from(value.slice(8), "base64");
      return value.startsWith(":") ? value.slice(1) : value;
    });
  } catch {
    return { value: FOREIGN_VALUE };
  }
  if (typeof parsed !== "object" || parsed === null || !("value" in parsed)) return { value: FOREIGN_VALUE };
  return parsed as { value?: unknown; expires?: number };
}
