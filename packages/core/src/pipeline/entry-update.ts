import type { CacheEntry } from "../entry.js";
import { errorCodes, toRecallError } from "../errors.js";
import type { Emitter } from "../events.js";
import type { DistributedLock, LockHandle } from "../lock.js";
import type { Clock } from "./clock.js";
import type { Entries } from "./entries.js";

/** How long an update waits for another one of the same key at most, then goes on unlocked. */
const UPDATE_WAIT_MS = 1_000;
/** How long an update may hold a key's lock if its holder dies. */
const UPDATE_LOCK_TTL_MS = 5_000;

/**
 * Changes to stored values after they were written (an entry's aliases, refusals and evidence; a
 * partition's evidence pool) are read-modify-write, and two at once would lose one: a refusal lost
 * is a wrong answer served again. So updates of one key run one at a time in this process and, with
 * a shared lock (`@recall/redis`), across instances. A lock that fails or stays busy past
 * `UPDATE_WAIT_MS` is reported and the update goes on unlocked (fail open: the cost is a rare lost
 * change, never a failed call).
 */
export class Updates {
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(
    private readonly lock: DistributedLock | undefined,
    private readonly events: Emitter,
    private readonly clock: Clock,
  ) {}

  /** Runs `update` once no other update of `key` runs (here or, with a lock, anywhere). */
  run<T>(key: string, update: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(key) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(() => this.locked(key, update));
    this.chains.set(key, next);
    void next
      .finally(() => {
        if (this.chains.get(key) === next) this.chains.delete(key);
      })
      .catch(() => {});
    return next;
  }

  private async locked<T>(key: string, update: () => Promise<T>): Promise<T> {
    const handle = await this.acquire(`${key}:update`);
    try {
      return await update();
    } finally {
      await handle?.release().catch(() => {});
    }
  }

  private async acquire(lockKey: string): Promise<LockHandle | undefined> {
    if (!this.lock) return undefined;
    const deadline = this.clock.now() + UPDATE_WAIT_MS;
    try {
      while (this.clock.now() < deadline) {
        const handle = await this.lock.acquire(lockKey, UPDATE_LOCK_TTL_MS);
        if (handle) return handle;
        await this.lock.waitForRelease(lockKey, Math.max(1, deadline - this.clock.now()));
      }
      this.report(`another instance held ${lockKey} for ${UPDATE_WAIT_MS} ms; updated without it`);
    } catch (error) {
      this.report("the lock failed; updated without it", error);
    }
    return undefined;
  }

  private report(message: string, cause?: unknown): void {
    this.events.emit("error", { error: toRecallError(errorCodes.LOCK_ERROR, message, cause) });
  }
}

/** Entry updates, one at a time per entry (see `Updates`). */
export class EntryUpdater {
  constructor(
    private readonly entries: Entries,
    private readonly updates: Updates,
  ) {}

  update(
    key: string,
    change: (entry: CacheEntry) => CacheEntry | undefined,
  ): Promise<CacheEntry | undefined> {
    return this.updates.run(key, () => this.entries.update(key, change));
  }
}
