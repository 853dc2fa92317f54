import { createClient, type RedisClientConnectionType } from "@keyv/redis";
import { errorCodes, RecallError } from "@recall/core";
import { onDeadline } from "@recall/core/adapter";

/**
 * The part of a node-redis 5 client (`@redis/client`, the one `@keyv/redis` holds as `.client`) that
 * Recall uses. A single node; Redis Cluster is not supported by the lock and bus.
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

/** Bound on each Redis command when `commandTimeoutMs` is not given. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 250;

/** Where to reach Redis: a client you already hold, or a URL to open one. */
export interface RedisConnection {
  /** A node-redis 5 client, e.g. `keyvRedis.client` from `@keyv/redis`. Recall connects it if it is not open. */
  client?: RedisClientLike | RedisClientConnectionType;
  /** `redis://host:port[/db]`, used when no client is given. */
  url?: string;
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

/** Opens a fail-fast client for `url` (through @keyv/redis's own node-redis, so versions match). */
export function openClient(url: string, onError: (error: Error) => void): RedisClientLike {
  const client = createClient(failFastClientOptions(url)) as unknown as RedisClientLike;
  // An 'error' event without a listener would crash the process.
  client.on("error", onError);
  return client;
}

/** The client of `connection`, opened (in the background) if needed, and whether we own it. */
export function resolveClient(
  connection: RedisConnection,
  what: string,
  onError: (error: Error) => void,
): { client: RedisClientLike; owned: boolean } {
  if (connection.client) {
    const c = connection.client as RedisClientLike & { options?: Record<string, unknown> };
    if (typeof c.sendCommand !== "function" || typeof c.duplicate !== "function") {
      throw new RecallError(
        errorCodes.INVALID_OPTION,
        `${what}: client must be a node-redis 5 client (e.g. new KeyvRedis(url).client)`,
      );
    }
    if (c.options?.rootNodes !== undefined || c.options?.sentinelRootNodes !== undefined) {
      throw new RecallError(
        errorCodes.INVALID_OPTION,
        `${what}: Redis Cluster and Sentinel clients are not supported; give a single-node client`,
      );
    }
    ensureOpen(c);
    return { client: c, owned: false };
  }
  if (typeof connection.url !== "string" || !/^rediss?:\/\//.test(connection.url)) {
    throw new RecallError(
      errorCodes.INVALID_OPTION,
      `${what}: give a client or a url like redis://127.0.0.1:6379`,
    );
  }
  const client = openClient(connection.url, onError);
  ensureOpen(client);
  return { client, owned: true };
}

/** Starts connecting without waiting; failures surface as the client's `error` events and retries. */
export function ensureOpen(client: RedisClientLike): void {
  if (!client.isOpen) client.connect().catch(() => {});
}

const firstReady = new WeakMap<RedisClientLike, Promise<void>>();

/**
 * Resolves once the client has been ready at least once. Commands fail fast while disconnected, so
 * the very first ones must wait for the first connection; later outages do not wait.
 */
export function firstConnection(client: RedisClientLike): Promise<void> {
  let ready = firstReady.get(client);
  if (!ready) {
    ready = client.isReady
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const onReady = () => {
            client.off?.("ready", onReady);
            resolve();
          };
          client.on("ready", onReady);
          if (client.isReady) onReady();
        });
    firstReady.set(client, ready);
  }
  return ready;
}

/**
 * Sends a command, bounded by `ms` (including, before the first connection, the wait for it).
 * A command that times out may still run later on the server.
 */
export function sendBounded(client: RedisClientLike, args: string[], ms: number): Promise<unknown> {
  if (client.isReady) return withTimeout(client.sendCommand(args), ms, args[0]!);
  const started = Date.now();
  return withTimeout(firstConnection(client), ms, args[0]!).then(() =>
    withTimeout(client.sendCommand(args), Math.max(1, ms - (Date.now() - started)), args[0]!),
  );
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
  client: RedisClientLike,
  before: (() => Promise<unknown>) | undefined,
  ms: number,
): Promise<void> {
  if (before && client.isReady) await withTimeout(before(), ms, "close").catch(() => {});
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
 */
export function openSubscriber(
  client: RedisClientLike,
  channel: string,
  onMessage: (message: string, channel: string) => void,
  onError: (error: Error) => void,
  commandTimeoutMs: number,
  onReady?: () => void,
): Subscriber {
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
