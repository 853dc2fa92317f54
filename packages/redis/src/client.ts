import { createClient, createCluster, type RedisClientConnectionType } from "@keyv/redis";
import { errorCodes, RecallError } from "@recall/core";
import { onDeadline } from "@recall/core/adapter";

/**
 * The part of a node-redis 5 client (`@redis/client`, the one `@keyv/redis` holds as `.client`) that
 * Recall uses, for a single node. A cluster client is a {@link RedisClusterLike}.
 */
export interface RedisClientLike {
  readonly isOpen: boolean;
  readonly isReady: boolean;
  connect(): Promise<unknown>;
  sendCommand(args: string[]): Promise<unknown>;
  duplicate(overrides?: Record<string, unknown>): RedisClientLike;
  subscribe(channel: string, listener: (message: string, channel: string) => void): Promise<unknown>;
  unsubscribe(channel?: string): Promise<unknown>;
  on(event: string, listener: (...args: any[]) => void): unknown;
  off?(event: string, listener: (...args: any[]) => void): unknown;
  destroy(): void;
}

/** The part of a node-redis 5 cluster client (`createCluster` from `@keyv/redis` or `redis`) that Recall uses. */
export interface RedisClusterLike {
  readonly isOpen: boolean;
  /** The 16,384 slots, each with its shard once known. */
  readonly slots: ReadonlyArray<unknown>;
  readonly masters: ReadonlyArray<{ address: string; client?: { isReady: boolean } }>;
  connect(): Promise<unknown>;
  sendCommand(
    firstKey: string | undefined,
    isReadonly: boolean | undefined,
    args: string[],
  ): Promise<unknown>;
  duplicate(overrides?: Record<string, unknown>): RedisClusterLike;
  subscribe(channel: string, listener: (message: string, channel: string) => void): Promise<unknown>;
  unsubscribe(channel?: string): Promise<unknown>;
  nodeClient(node: unknown): Promise<unknown>;
  on(event: string, listener: (...args: any[]) => void): unknown;
  off?(event: string, listener: (...args: any[]) => void): unknown;
  destroy(): void;
}

/** A single-node client or a cluster client. */
export type AnyRedisClient = RedisClientLike | RedisClusterLike;

export function isCluster(client: AnyRedisClient): client is RedisClusterLike {
  return "masters" in client && typeof (client as RedisClusterLike).nodeClient === "function";
}

/** A Redis Cluster to reach through some of its nodes. */
export interface RedisClusterConnection {
  /**
   * Some nodes of the cluster (`redis://host:port`, or `rediss://user:password@host:port`); the client
   * discovers the others. Give more than one, so that a node down at start does not matter.
   */
  rootNodes: string[];
}

/** Bound on each Redis command when `commandTimeoutMs` is not given. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 250;

/** Where to reach Redis: a client you already hold, a URL, or the nodes of a Redis Cluster. */
export interface RedisConnection {
  /**
   * A node-redis 5 client, e.g. `keyvRedis.client` from `@keyv/redis`, or a cluster client from
   * `createCluster(failFastClusterOptions(rootNodes))`. Recall connects it if it is not open.
   */
  client?: AnyRedisClient | RedisClientConnectionType;
  /** `redis://host:port[/db]`, used when no client is given. */
  url?: string;
  /** A Redis Cluster, instead of `url`: Recall opens a fail-fast cluster client on its nodes. */
  cluster?: RedisClusterConnection;
  /** Bound on each Redis command; past it the command counts as failed. Default 250 ms. */
  commandTimeoutMs?: number;
}

/**
 * Client options that keep a dead or slow Redis from stalling calls: commands issued while
 * disconnected fail at once instead of queueing, reconnection backs off to 1 s at most, forever.
 */
export function failFastClientOptions(url: string, connectTimeoutMs = 1_000) {
  return {
    url,
    disableOfflineQueue: true as const,
    socket: {
      connectTimeout: connectTimeoutMs,
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1_000),
    },
  };
}

/**
 * Cluster client options with the same fail-fast behaviour on every node connection as
 * `failFastClientOptions`: for `createCluster` (from `@keyv/redis` or `redis`) or `new KeyvRedis(...)`.
 * Only primaries are used (reads from replicas could miss an answer just stored).
 */
export function failFastClusterOptions(rootNodes: string[], connectTimeoutMs = 1_000) {
  const first = new URL(rootNodes[0] ?? "redis://127.0.0.1:6379");
  const tls = first.protocol === "rediss:";
  return {
    rootNodes: rootNodes.map((url) => ({ url })),
    defaults: {
      disableOfflineQueue: true as const,
      ...(first.username ? { username: decodeURIComponent(first.username) } : {}),
      ...(first.password ? { password: decodeURIComponent(first.password) } : {}),
      socket: {
        connectTimeout: connectTimeoutMs,
        reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1_000),
        ...(tls ? { tls: true as const } : {}),
      },
    },
  };
}

/** Opens a fail-fast client for `url` (through @keyv/redis's own node-redis, so versions match). */
export function openClient(url: string, onError: (error: Error) => void): RedisClientLike {
  const client = createClient(failFastClientOptions(url)) as unknown as RedisClientLike;
  // An 'error' event without a listener would crash the process.
  client.on("error", onError);
  return client;
}

/** Opens a fail-fast cluster client on `rootNodes`, which finds a new primary after a failover. */
export function openCluster(rootNodes: string[], onError: (error: Error) => void): RedisClusterLike {
  const cluster = createCluster(failFastClusterOptions(rootNodes)) as unknown as RedisClusterLike;
  watchCluster(cluster, onError);
  return cluster;
}

/**
 * Listens to a cluster client's errors (a cluster that fails to rediscover emits `error`, which would
 * crash the process unheard) and heals it after a node failure. node-redis 5 re-reads the cluster's
 * shape only on a MOVED or ASK reply, which a dead primary never sends (redis/node-redis#2806):
 * without this, the slots of a failed primary would fail until the process restarts, even after a
 * replica took over.
 */
function watchCluster(cluster: RedisClusterLike, onError: (error: Error) => void): void {
  // Once per client, however many of the store, lock and bus share it; each distinct `onError` hears.
  const heard = errorListeners.get(cluster);
  if (heard) {
    heard.add(onError);
    return;
  }
  const listeners = new Set([onError]);
  errorListeners.set(cluster, listeners);
  const tell = (error: Error) => {
    for (const listener of listeners) listener(error);
  };
  cluster.on("error", tell);
  cluster.on("node-error", (error: Error) => {
    tell(error);
    rediscover(cluster);
  });
  cluster.on("connect", () => {
    connectedOnce.add(cluster);
    void clusterReady(cluster);
  });
}

const errorListeners = new WeakMap<RedisClusterLike, Set<(error: Error) => void>>();
const connectedOnce = new WeakSet<RedisClusterLike>();

/**
 * Resolves once the cluster client knows the primary of every slot. A client that connected to
 * nodes not yet formed into a cluster (or not yet agreeing on every slot) knows fewer, and nothing
 * would make it look again: it re-reads the cluster's shape every 250 ms until it does (or is closed).
 */
function clusterReady(cluster: RedisClusterLike): Promise<void> {
  const knowsEverySlot = () => {
    if (!isReady(cluster) || cluster.slots.length === 0) return false;
    for (let i = 0; i < cluster.slots.length; i++) if (cluster.slots[i] === undefined) return false;
    return true;
  };
  return new Promise<void>((resolve) => {
    const check = () => {
      if (closed.has(cluster)) return;
      if (knowsEverySlot()) return resolve();
      if (cluster.isOpen && connectedOnce.has(cluster)) rediscover(cluster);
      setTimeout(check, 250).unref();
    };
    check();
  });
}

const lastRediscover = new WeakMap<RedisClusterLike, number>();

/**
 * Asks the cluster client to re-read the cluster's shape (`CLUSTER SLOTS`), at most every 200 ms: after
 * a failover, commands go to the new primary. Through node-redis's `_slots.rediscover`, which it
 * calls itself on MOVED.
 */
export function rediscover(cluster: RedisClusterLike): void {
  const now = Date.now();
  if (!cluster.isOpen || now - (lastRediscover.get(cluster) ?? 0) < 200) return;
  lastRediscover.set(cluster, now);
  const internals = cluster as unknown as {
    _slots?: { rediscover?: (startWith: { options?: unknown }) => Promise<void> };
    _options?: { rootNodes?: unknown[] };
  };
  const live = cluster.masters.find((m) => m.client?.isReady)?.client as { options?: unknown } | undefined;
  const roots = internals._options?.rootNodes ?? [];
  const startWith = live ?? { options: roots[Math.floor(Math.random() * roots.length)] };
  internals._slots?.rediscover?.(startWith)?.catch(() => {});
}

/** The client of `connection`, opened (in the background) if needed, and whether we own it. */
export function resolveClient(
  connection: RedisConnection,
  what: string,
  onError: (error: Error) => void,
): { client: AnyRedisClient; owned: boolean } {
  const given = [connection.client, connection.url, connection.cluster].filter((v) => v !== undefined);
  if (given.length > 1) {
    throw new RecallError(
      errorCodes.INVALID_OPTION,
      `${what}: give one of client, url and cluster, not several`,
    );
  }
  if (connection.client) {
    const c = connection.client as AnyRedisClient & { options?: Record<string, unknown> };
    if (typeof c.sendCommand !== "function" || typeof c.duplicate !== "function") {
      throw new RecallError(
        errorCodes.INVALID_OPTION,
        `${what}: client must be a node-redis 5 client (e.g. new KeyvRedis(url).client) or cluster client`,
      );
    }
    if (c.options?.sentinelRootNodes !== undefined || "getSentinelNode" in c) {
      throw new RecallError(
        errorCodes.INVALID_OPTION,
        `${what}: Redis Sentinel clients are not supported; give a single-node or a cluster client`,
      );
    }
    if (isCluster(c)) watchCluster(c, onError);
    ensureOpen(c);
    return { client: c, owned: false };
  }
  if (connection.cluster !== undefined) {
    const rootNodes = checkRootNodes(connection.cluster, what);
    const client = openCluster(rootNodes, onError);
    ensureOpen(client, true);
    return { client, owned: true };
  }
  if (typeof connection.url !== "string" || !/^rediss?:\/\//.test(connection.url)) {
    throw new RecallError(
      errorCodes.INVALID_OPTION,
      `${what}: give a client, a url like redis://127.0.0.1:6379, or cluster: { rootNodes: [...] }`,
    );
  }
  const client = openClient(connection.url, onError);
  ensureOpen(client);
  return { client, owned: true };
}

function checkRootNodes(cluster: unknown, what: string): string[] {
  const rootNodes = (cluster as RedisClusterConnection | null)?.rootNodes;
  const bad = (rootNodes as unknown[] | undefined)?.find(
    (url) => typeof url !== "string" || !/^rediss?:\/\/[^/]+:\d+\/?$/.test(url),
  );
  if (!Array.isArray(rootNodes) || rootNodes.length === 0 || bad !== undefined) {
    throw new RecallError(
      errorCodes.INVALID_OPTION,
      `${what}: cluster.rootNodes must be a non-empty array of urls like redis://127.0.0.1:7000, got ${JSON.stringify(bad ?? rootNodes)}`,
    );
  }
  return rootNodes;
}

const closed = new WeakSet<AnyRedisClient>();

/**
 * Starts connecting without waiting; failures surface as the client's `error` events and retries.
 * A single-node client retries by itself; a cluster client gives up when no node answers, so one we
 * own (`retry`) is tried again every second until it connects or is closed.
 */
export function ensureOpen(client: AnyRedisClient, retry = false): void {
  if (client.isOpen) return;
  client.connect().catch(() => {
    if (retry && !closed.has(client)) setTimeout(() => ensureOpen(client, retry), 1_000).unref();
  });
}

/** Whether commands can be sent now (a cluster: its shape is known). */
export function isReady(client: AnyRedisClient): boolean {
  return isCluster(client) ? client.isOpen && client.masters.length > 0 : client.isReady;
}

const firstReady = new WeakMap<AnyRedisClient, Promise<void>>();

/**
 * Resolves once the client has been ready at least once. Commands fail fast while disconnected, so
 * the very first ones must wait for the first connection; later outages do not wait.
 */
export function firstConnection(client: AnyRedisClient): Promise<void> {
  let ready = firstReady.get(client);
  if (!ready) {
    // A cluster client says `connect` once it knows the cluster's shape; a node client says `ready`.
    const event = isCluster(client) ? "connect" : "ready";
    ready = isReady(client)
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const onReady = () => {
            client.off?.(event, onReady);
            resolve();
          };
          client.on(event, onReady);
          if (isReady(client)) onReady();
        });
    firstReady.set(client, ready);
  }
  return ready;
}

/**
 * Sends a command, unbounded. On a cluster, `key` picks the node (its slot's primary); without a key
 * any node takes it. A failure on a cluster makes it re-read the cluster's shape.
 */
export function send(client: AnyRedisClient, args: string[], key?: string): Promise<unknown> {
  if (!isCluster(client)) return client.sendCommand(args);
  return client.sendCommand(key, false, args).catch((error: unknown) => {
    rediscover(client);
    throw error;
  });
}

/**
 * Sends a command, bounded by `ms` (including, before the first connection, the wait for it).
 * A command that times out may still run later on the server. `key` routes it on a cluster.
 */
export function sendBounded(
  client: AnyRedisClient,
  args: string[],
  ms: number,
  key?: string,
): Promise<unknown> {
  const started = Date.now();
  const sent = isReady(client)
    ? withTimeout(send(client, args, key), ms, args[0]!)
    : withTimeout(firstConnection(client), ms, args[0]!).then(() =>
        withTimeout(send(client, args, key), Math.max(1, ms - (Date.now() - started)), args[0]!),
      );
  if (!isCluster(client)) return sent;
  // A timeout too: a node that stopped answering (silence, no error) may have been replaced.
  return sent.catch((error: unknown) => {
    rediscover(client);
    throw error;
  });
}

/**
 * Rejects with a timeout error if `promise` takes longer than `ms`, measured as core's `onDeadline`
 * does: a reply read in the same turn as the deadline (the event loop was busy) is not a timeout.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const cancel = onDeadline(ms, () => reject(new Error(`redis ${what} took longer than ${ms} ms`)));
    promise.then(
      (value) => {
        cancel();
        resolve(value);
      },
      (error: unknown) => {
        cancel();
        reject(error);
      },
    );
  });
}

export function checkTimeout(value: unknown, name: string, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new RecallError(
      errorCodes.INVALID_OPTION,
      `${what}: ${name} must be a positive number of milliseconds, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** Unsubscribes (if connected) and drops the connection, never throwing, never waiting past `ms`. */
export async function closeClient(
  client: AnyRedisClient,
  before: (() => Promise<unknown>) | undefined,
  ms: number,
): Promise<void> {
  closed.add(client);
  if (before && isReady(client)) await withTimeout(before(), ms, "close").catch(() => {});
  try {
    client.destroy();
  } catch {
    // Already closed.
  }
}

/** A pub/sub connection listening on one channel. */
export interface Subscriber {
  /** Settles once subscribed, or once that failed (the failure going to `onError`). */
  readonly active: Promise<unknown>;
  /** Unsubscribes (if connected) and drops the connection, never throwing, never waiting past the bound. */
  close(): Promise<void>;
}

/**
 * Opens a duplicate of `client` (a subscribed connection can do nothing else) and subscribes it to
 * `channel` in the background. `onReady`, if given, is attached before connecting and hears every
 * `ready` of the connection, the first included.
 *
 * On a cluster, plain `SUBSCRIBE` on any node hears a `PUBLISH` made on any node (Redis forwards it
 * over the cluster bus): the duplicate opens one connection, to a node of node-redis's choosing, and
 * moves it (resubscribing) when that node fails.
 */
export function openSubscriber(
  client: AnyRedisClient,
  channel: string,
  onMessage: (message: string, channel: string) => void,
  onError: (error: Error) => void,
  commandTimeoutMs: number,
  onReady?: () => void,
): Subscriber {
  if (isCluster(client))
    return openClusterSubscriber(client, channel, onMessage, onError, commandTimeoutMs, onReady);
  const subscriber = client.duplicate({ disableOfflineQueue: false });
  subscriber.on("error", onError);
  if (onReady) subscriber.on("ready", onReady);
  const active = subscriber
    .connect()
    .then(() => subscriber.subscribe(channel, onMessage))
    .catch((error: unknown) => onError(error as Error));
  return {
    active,
    close: () => closeClient(subscriber, () => subscriber.unsubscribe(channel), commandTimeoutMs),
  };
}

function openClusterSubscriber(
  client: RedisClusterLike,
  channel: string,
  onMessage: (message: string, channel: string) => void,
  onError: (error: Error) => void,
  commandTimeoutMs: number,
  onReady?: () => void,
): Subscriber {
  // Only the pub/sub connection: no connection to every primary for commands it never sends.
  const subscriber = client.duplicate({ minimizeConnections: true });
  watchCluster(subscriber, onError);
  let watching: NodeJS.Timeout | undefined;
  if (onReady) {
    // A new pub/sub connection (the first, or one moved off a failed node) says `node-ready` once;
    // the same connection coming back only says `node-reconnecting`: watch it until it is ready.
    subscriber.on("node-ready", onReady);
    subscriber.on("node-reconnecting", () => {
      if (watching) return;
      watching = setInterval(() => {
        const node = (subscriber as unknown as { pubSubNode?: { client?: { isReady: boolean } } }).pubSubNode;
        if (closed.has(subscriber) || node?.client?.isReady) {
          clearInterval(watching);
          watching = undefined;
          if (!closed.has(subscriber)) onReady();
        }
      }, 50);
      watching.unref();
    });
  }
  ensureOpen(subscriber, true);
  // Subscribing before the client knows a node would fail, and nothing would subscribe again.
  const active = clusterReady(subscriber)
    .then(() => subscriber.subscribe(channel, onMessage))
    .catch((error: unknown) => onError(error as Error));
  return {
    active,
    close: async () => {
      clearInterval(watching);
      await closeClient(subscriber, () => subscriber.unsubscribe(channel), commandTimeoutMs);
    },
  };
}
