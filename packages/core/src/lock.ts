/**
 * A lock shared between processes (e.g. on Redis), so that many instances call upstream once for
 * the same request. In one process the engine coalesces on its own; this is the step beyond.
 */
export interface LockHandle {
  /** Releases the lock if this holder still owns it. Never throws. */
  release(): Promise<void>;
}

export interface DistributedLock {
  /**
   * Tries once to take the lock for `key`. Returns a handle if taken (kept alive while held, expiring
   * after `ttlMs` if the holder dies), `undefined` if another holder has it.
   */
  acquire(key: string, ttlMs: number): Promise<LockHandle | undefined>;
  /**
   * Resolves when the lock for `key` is released (or its holder signals an answer), or after
   * `timeoutMs`, whichever comes first; at once if nobody holds it. Never rejects.
   */
  waitForRelease(key: string, timeoutMs: number): Promise<void>;
}
