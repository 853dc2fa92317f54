import type { DistributedLock, LockHandle } from "@recall/core";
import { afterAll, describe, expect, it } from "vitest";
import { fresh, settles } from "./wait.js";

/** The TTL of every lock the suite takes: `expire` must end a lock at least this long. */
export const LOCK_SUITE_TTL_MS = 60_000;

export interface LockSuiteOptions {
  /**
   * Ends the lock on `key` as if its TTL had run out (its holder died): advance the fake clock the
   * lock reads, or delete the key in Redis. The suite never sleeps through a TTL, so without this
   * the expiry tests are skipped. Locks in the suite live `LOCK_SUITE_TTL_MS` (one minute).
   */
  expire?: (key: string) => void | Promise<void>;
  /** How long a waiter may take to notice a release. Default 5 000 ms. */
  wakeTimeoutMs?: number;
}

/**
 * The behaviour every `DistributedLock` must give Recall, as vitest tests: one holder per key, even
 * among concurrent acquires; release frees the key, but only for its own holder; expiry frees it;
 * `waitForRelease` resolves on release, at its timeout, at once on a free key, and never rejects.
 * `makeLock` is called once per test; a `close()` it has is called at the end.
 *
 * @example
 * const clock = fakeClock();
 * lockSuite("memory lock", () => createMemoryLock({ clock }), {
 *   expire: () => clock.advance(LOCK_SUITE_TTL_MS),
 * });
 */
export function lockSuite(
  name: string,
  makeLock: () => DistributedLock | Promise<DistributedLock>,
  options: LockSuiteOptions = {},
): void {
  const { expire } = options;
  const wakeTimeoutMs = options.wakeTimeoutMs ?? 5_000;
  const ttl = LOCK_SUITE_TTL_MS;

  describe(`lock suite: ${name}`, () => {
    const opened: DistributedLock[] = [];
    const open = async () => {
      const lock = await makeLock();
      opened.push(lock);
      return lock;
    };
    afterAll(async () => {
      for (const lock of opened) await (lock as { close?: () => Promise<void> }).close?.();
    });
    const key = () => fresh("lock");

    it("gives a key to one holder: a second acquire gets undefined, other keys are free", async () => {
      const lock = await open();
      const [k, other] = [key(), key()];
      const handle = await lock.acquire(k, ttl);
      expect(handle).toBeDefined();
      expect(await lock.acquire(k, ttl)).toBeUndefined();
      const otherHandle = await lock.acquire(other, ttl);
      expect(otherHandle).toBeDefined();
      await handle!.release();
      await otherHandle!.release();
    });

    it("gives a key to exactly one of many concurrent acquires", async () => {
      const lock = await open();
      const k = key();
      const handles = await Promise.all(Array.from({ length: 10 }, () => lock.acquire(k, ttl)));
      const taken = handles.filter((h): h is LockHandle => h !== undefined);
      expect(taken).toHaveLength(1);
      await taken[0]!.release();
    });

    it("frees the key on release, for the next holder", async () => {
      const lock = await open();
      const k = key();
      await (await lock.acquire(k, ttl))!.release();
      const next = await lock.acquire(k, ttl);
      expect(next).toBeDefined();
      await next!.release();
    });

    it("a stale handle's release does not free the next holder's lock", async () => {
      const lock = await open();
      const k = key();
      const first = (await lock.acquire(k, ttl))!;
      await first.release();
      const second = await lock.acquire(k, ttl);
      expect(second).toBeDefined();
      await expect(first.release()).resolves.toBeUndefined();
      expect(await lock.acquire(k, ttl)).toBeUndefined();
      await second!.release();
      await second!.release();
    });

    it.skipIf(!expire)("expiry frees the key, and a waiter does not wait for it", async () => {
      const lock = await open();
      const k = key();
      const handle = await lock.acquire(k, ttl);
      expect(handle).toBeDefined();
      await expire!(k);
      expect(await settles(lock.waitForRelease(k, 60_000), wakeTimeoutMs)).toBe(true);
      const next = await lock.acquire(k, ttl);
      expect(next).toBeDefined();
      await next!.release();
    });

    it.skipIf(!expire)("a holder whose lock expired cannot release the next holder's lock", async () => {
      const lock = await open();
      const k = key();
      const dead = (await lock.acquire(k, ttl))!;
      await expire!(k);
      const next = await lock.acquire(k, ttl);
      expect(next).toBeDefined();
      await dead.release();
      expect(await lock.acquire(k, ttl)).toBeUndefined();
      await next!.release();
      const after = await lock.acquire(k, ttl);
      expect(after).toBeDefined();
      await after!.release();
    });

    it("waitForRelease resolves when the holder releases, for every waiter", async () => {
      const lock = await open();
      const k = key();
      const handle = (await lock.acquire(k, ttl))!;
      const waiting = Array.from({ length: 3 }, () => lock.waitForRelease(k, 60_000));
      expect(await settles(Promise.race(waiting), 50)).toBe(false);
      await handle.release();
      expect(await settles(Promise.all(waiting), wakeTimeoutMs)).toBe(true);
    });

    it("waitForRelease resolves at its timeout while the lock is still held", async () => {
      const lock = await open();
      const k = key();
      const handle = (await lock.acquire(k, ttl))!;
      const started = performance.now();
      await lock.waitForRelease(k, 100);
      expect(performance.now() - started).toBeGreaterThanOrEqual(90);
      expect(await lock.acquire(k, ttl)).toBeUndefined();
      await handle.release();
    });

    it("waitForRelease resolves at once when nobody holds the key", async () => {
      const lock = await open();
      expect(await settles(lock.waitForRelease(key(), 60_000), wakeTimeoutMs)).toBe(true);
    });

    it("waitForRelease never rejects, whatever its timeout", async () => {
      const lock = await open();
      const k = key();
      const handle = (await lock.acquire(k, ttl))!;
      for (const timeout of [0, -1, 1])
        await expect(lock.waitForRelease(k, timeout)).resolves.toBeUndefined();
      await handle.release();
    });
  });
}
