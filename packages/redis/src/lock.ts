import { randomUUID } from "node:crypto";
import type { DistributedLock, LockHandle } from "@recall/core";
import { errorCodes, RecallError } from "@recall/core";
import { onDeadline } from "@recall/core/adapter";
import {
  checkTimeout,
  closeClient,
  DEFAULT_COMMAND_TIMEOUT_MS,
  openSubscriber,
  type RedisConnection,
  resolveClient,
  send,
  sendBounded,
} from "./client.js";

export interface RedisLockOptions extends RedisConnection {
  /** Prefix of the lock keys, kept apart from cache entries. Default `recall-lock:`. */
  keyPrefix?: string;
  /** Channel on which a holder announces its release. Default `<keyPrefix>released`. */
  channel?: string;
  /** Longest pause between two checks of a lock while waiting (the fallback to pub/sub). Default 250 ms. */
  maxPollIntervalMs?: number;
  /** Told about background failures (extension, release, subscription). Default: ignored. */
  onError?: (error: Error) => void;
}

export interface RedisLock extends DistributedLock {
  /** Stops listening for releases and closes connections Recall opened. Locks still held expire. */
  close(): Promise<void>;
}

/**
 * Deletes the lock only if `token` still holds it, then wakes the waiters. On a cluster the PUBLISH
 * reaches subscribers on every node, like one sent outside a script.
 */
const RELEASE = `
if redis.call("GET", KEYS[1]) == ARGV[1] then redis.call("DEL", KEYS[1]) end
redis.call("PUBLISH", ARGV[2], ARGV[3])
return 1`;

/** Pushes the expiry further only if `token` still holds the lock. */
const EXTEND = `
if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) end
return 0`;

/** Drops the lock only if `token` holds it, without waking anyone (an acquire that timed out). */
const DROP = `
if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end
return 0`;

/**
 * A stampede lock on Redis: `SET key token NX PX ttl`, extended while its holder works, deleted only
 * by its holder, expiring if the holder dies. Waiters are woken by pub/sub when the holder releases,
 * and poll the key as a fallback.
 *
 * @example
 * const lock = createRedisLock({ url: "redis://127.0.0.1:6379" });
 * const cache = createCache({ store, lock }); // one upstream call per request across processes
 */
export function createRedisLock(options: RedisLockOptions): RedisLock {
  const what = "createRedisLock";
  const commandTimeoutMs =
    checkTimeout(options.commandTimeoutMs, "commandTimeoutMs", what) ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const maxPollMs = checkTimeout(options.maxPollIntervalMs, "maxPollIntervalMs", what) ?? 250;
  const prefix = options.keyPrefix ?? "recall-lock:";
  if (typeof prefix !== "string")
    throw new RecallError(errorCodes.INVALID_OPTION, `${what}: keyPrefix must be a string`);
  const channel = options.channel ?? `${prefix}released`;
  const onError = options.onError ?? (() => {});
  const { client, owned } = resolveClient(options, what, onError);

  // Every command and script touches one key, the lock's: on a cluster it goes to that key's primary,
  // and nothing ever spans two slots (no CROSSSLOT).
  const run = (args: string[], lockKey: string) => sendBounded(client, args, commandTimeoutMs, lockKey);

  // Waiters by lock key; one subscriber connection serves them all.
  const waiters = new Map<string, Set<() => void>>();
  const wake = (key: string) => {
    for (const done of waiters.get(key) ?? []) done();
  };
  const subscriber = openSubscriber(client, channel, (message) => wake(message), onError, commandTimeoutMs);
  let closed = false;

  return {
    async acquire(key: string, ttlMs: number): Promise<LockHandle | undefined> {
      const lockKey = prefix + key;
      const token = randomUUID();
      let reply: unknown;
      try {
        reply = await run(["SET", lockKey, token, "NX", "PX", String(Math.ceil(ttlMs))], lockKey);
      } catch (error) {
        // The SET may still land once Redis answers: queue its undoing behind it on the same connection.
        send(client, ["EVAL", DROP, "1", lockKey, token], lockKey).catch(() => {});
        throw error;
      }
      if (reply !== "OK") return undefined;

      let released = false;
      const every = Math.max(10, Math.floor(ttlMs / 3));
      const extender = setInterval(() => {
        run(["EVAL", EXTEND, "1", lockKey, token, String(Math.ceil(ttlMs))], lockKey).then(
          (still) => {
            if (still !== 1) clearInterval(extender);
          },
          (error: unknown) => onError(error as Error),
        );
      }, every);
      extender.unref();
      return {
        async release() {
          if (released) return;
          released = true;
          clearInterval(extender);
          try {
            await run(["EVAL", RELEASE, "1", lockKey, token, channel, key], lockKey);
          } catch (error) {
            // Left to expire on its own; waiters poll.
            onError(error as Error);
          }
        },
      };
    },

    waitForRelease(key: string, timeoutMs: number): Promise<void> {
      const lockKey = prefix + key;
      return new Promise<void>((resolve) => {
        let pollTimer: NodeJS.Timeout | undefined;
        let pollMs = 10;
        let set = waiters.get(key);
        if (!set) {
          set = new Set();
          waiters.set(key, set);
        }
        const done = () => {
          clearTimeout(pollTimer);
          cancelDeadline();
          set.delete(done);
          if (set.size === 0 && waiters.get(key) === set) waiters.delete(key);
          resolve();
        };
        set.add(done);
        // A release published while the loop was stalled is read before the wait gives up.
        const cancelDeadline = onDeadline(Math.max(0, timeoutMs), done);
        const poll = () => {
          // A lock that is gone (or a Redis that cannot tell us) ends the wait: the caller re-reads and retries.
          run(["EXISTS", lockKey], lockKey).then(
            (exists) => {
              if (!set.has(done)) return;
              if (exists === 0) return done();
              pollMs = Math.min(pollMs * 2, maxPollMs);
              pollTimer = setTimeout(poll, pollMs);
            },
            () => done(),
          );
        };
        poll();
      });
    },

    async close() {
      if (closed) return;
      closed = true;
      for (const key of [...waiters.keys()]) wake(key);
      await subscriber.close();
      if (owned) await closeClient(client, undefined, commandTimeoutMs);
    },
  };
}
