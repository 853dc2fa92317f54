import { onDeadline } from "./deadline.js";
import { assertOption } from "./errors.js";
import type { DistributedLock, LockHandle } from "./lock.js";
import { type Clock, systemClock } from "./pipeline/clock.js";

export interface MemoryLockOptions {
  /** Where expiry is read. Default: the system clock. Tests pass `fakeClock()` and advance it. */
  clock?: Clock;
}

/** The holder of one key: whose token it is, until when, and who waits for it. */
interface Held {
  token: symbol;
  expiresAt: number;
  waiters: Set<() => void>;
}

/**
 * A `DistributedLock` for one process: a map of key → holder, deleted on release. For tests of code
 * that takes a lock, and for apps that run several caches in one process. (One cache coalesces its
 * own concurrent calls without any lock.)
 *
 * A lock expires `ttlMs` after it was taken, read from `clock`: one process cannot lose a holder
 * the way a cluster does, so what expiry frees here is the lock of a call that never returned.
 * Waiters are woken on release, at expiry, or at their timeout.
 *
 * @example
 * import { createCache, createMemoryLock } from "@recall/core";
 *
 * const lock = createMemoryLock();
 * const a = createCache({ store, lock });
 * const b = createCache({ store, lock }); // a cold request asked of both calls upstream once
 */
export function createMemoryLock(options: MemoryLockOptions = {}): DistributedLock {
  const clock = options.clock ?? systemClock;
  assertOption(typeof clock?.now === "function", "createMemoryLock: clock must have a now() method");
  const held = new Map<string, Held>();

  /** The live holder of `key`; an expired one is dropped and its waiters woken. */
  const holder = (key: string): Held | undefined => {
    const current = held.get(key);
    if (current && current.expiresAt <= clock.now()) {
      held.delete(key);
      wake(current);
      return undefined;
    }
    return current;
  };

  return {
    async acquire(key: string, ttlMs: number): Promise<LockHandle | undefined> {
      assertOption(ttlMs > 0, `createMemoryLock: ttlMs must be a positive number, got ${ttlMs}`);
      if (holder(key)) return undefined;
      const mine: Held = { token: Symbol(key), expiresAt: clock.now() + ttlMs, waiters: new Set() };
      held.set(key, mine);
      return {
        async release() {
          // Only the current holder frees the key: not a holder whose lock expired and was taken again.
          if (held.get(key)?.token !== mine.token) return;
          held.delete(key);
          wake(mine);
        },
      };
    },

    waitForRelease(key: string, timeoutMs: number): Promise<void> {
      const current = holder(key);
      if (!current) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = () => {
          cancel();
          current.waiters.delete(done);
          resolve();
        };
        // Past the expiry the lock is free for the next acquire, so the wait ends there at the latest.
        const until = Math.min(timeoutMs, current.expiresAt - clock.now());
        const cancel = onDeadline(Math.max(0, until), done);
        current.waiters.add(done);
      });
    },
  };
}

function wake(held: Held): void {
  for (const done of [...held.waiters]) done();
}
