import type { Breaker } from "../breaker.js";
import type { CacheEntry } from "../entry.js";
import { errorCodes, toRecallError } from "../errors.js";
import type { Emitter } from "../events.js";
import type { DistributedLock, LockHandle } from "../lock.js";
import type { Clock } from "./clock.js";
import type { Entries } from "./entries.js";

/**
 * The cross-instance half of stampede protection (the in-process half is `Coalescer`): the leader of
 * a key in this process takes the shared lock before calling upstream, or waits for the holder's
 * answer and reads it from the store. It never hangs a call: a failing lock is skipped (and, through
 * its breaker, left alone for a while), and past the wait bound the call goes on without the lock.
 */
export class CrossInstanceLock {
  constructor(
    private readonly lock: DistributedLock,
    private readonly ttlMs: number,
    private readonly waitTimeoutMs: number,
    private readonly breaker: Breaker,
    private readonly entries: Entries,
    private readonly events: Emitter,
    private readonly clock: Clock,
  ) {}

  /**
   * The lock (the caller calls upstream, then releases it), or the answer another instance stored.
   * `answered` says whether an entry read is that answer (default: any fresh entry; for answer
   * variants, one holding more answers than the caller saw).
   */
  async acquire(
    key: string,
    waitTimeoutMs = this.waitTimeoutMs,
    answered: (entry: CacheEntry) => boolean = () => true,
  ): Promise<{ handle?: LockHandle; entry?: CacheEntry }> {
    const deadline = this.clock.now() + waitTimeoutMs;
    const lockKey = `${key}:lock`;
    while (this.clock.now() < deadline) {
      const { handle, held } = await this.tryAcquire(key);
      // Skipped (failing, or its breaker open): the caller goes on without the lock.
      if (!handle && !held) return {};
      if (handle) {
        // Someone may have stored the answer between our read and the lock.
        const entry = await this.entries.read(key);
        if (entry && answered(entry)) {
          await release(handle, this.events, key);
          return { entry };
        }
        return { handle };
      }
      await this.lock.waitForRelease(lockKey, Math.max(0, deadline - this.clock.now())).catch(() => {});
      // The holder has released: it most likely stored its answer. This read is patient (past a
      // slow store's timeout and an open breaker), as missing that answer costs a second call.
      const entry = await this.entries.read(key, { patient: true });
      if (entry && answered(entry)) return { entry };
    }
    return {};
  }

  /**
   * One try at the lock, no wait (a background refresh): `held` when another holder has it,
   * `{}` when the lock is skipped (failing, or its breaker open: the caller goes on without it).
   */
  async tryAcquire(key: string): Promise<{ handle?: LockHandle; held?: true }> {
    const permit = this.breaker.allow();
    if (!permit) return {};
    try {
      const handle = await this.lock.acquire(`${key}:lock`, this.ttlMs);
      this.breaker.succeeded(permit);
      return handle ? { handle } : { held: true };
    } catch (error) {
      this.events.emit("error", { error: toRecallError(errorCodes.LOCK_ERROR, "lock failed", error), key });
      this.breaker.failed(permit);
      return {};
    }
  }
}

/** Releases a lock; a release that fails is reported, never thrown (the lock's TTL frees it). */
export async function release(handle: LockHandle | undefined, events: Emitter, key: string): Promise<void> {
  if (!handle) return;
  try {
    await handle.release();
  } catch (error) {
    events.emit("error", { error: toRecallError(errorCodes.LOCK_ERROR, "lock release failed", error), key });
  }
}
