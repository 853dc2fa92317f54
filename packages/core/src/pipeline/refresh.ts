import { errorCodes, toRecallError } from "../errors.js";
import type { Emitter } from "../events.js";
import type { RequestKeys } from "../keys.js";
import type { CacheRequest } from "../request.js";
import type { CacheResponse } from "../response.js";
import type { UserValidator } from "../validate.js";
import type { Entries } from "./entries.js";
import { type CrossInstanceLock, release } from "./leader.js";
import type { CallOptions } from "./options.js";
import type { CallInfo, RefreshResult } from "./outcome.js";
import { verdictOf } from "./verdict.js";
import type { Writer } from "./write.js";

/** The stale entry's call: what a refresh asks upstream again and where it stores the answer. */
export interface StaleCall {
  request: CacheRequest;
  keys: RequestKeys;
  call: CallInfo;
  options: CallOptions;
}

/**
 * The background refresh of stale-while-revalidate: one per entry for the whole fleet. In this
 * process a set of the keys being refreshed; across instances the lock a miss takes
 * (`leader.ts`), tried once: held by another instance, the refresh is skipped (that instance is
 * calling upstream for this key). The fresh answer goes through validation (`verdict.ts`) and the
 * write stage like a miss's; a refused or failed one leaves the stale entry to serve until its
 * window ends. Never rejects: faults are `error` events.
 */
export class Refresher {
  private readonly running = new Set<string>();
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    private readonly entries: Entries,
    private readonly writer: Writer,
    private readonly validators: UserValidator[],
    private readonly lock: CrossInstanceLock | undefined,
    private readonly events: Emitter,
  ) {}

  /** Refreshes the stale entry of `stale` with `call`, unless a refresh of it runs (see the class). */
  refresh<T>(stale: StaleCall, call: () => Promise<CacheResponse<T>>): Promise<RefreshResult> {
    const key = stale.keys.key;
    if (this.running.has(key)) return Promise.resolve(this.done(stale, "skipped"));
    this.running.add(key);
    const run = this.run(stale, call as () => Promise<CacheResponse>)
      .catch((error: unknown) => {
        this.report("refreshing a stale entry failed", error, key);
        return "failed" as const;
      })
      .then((result) => this.done(stale, result))
      .finally(() => {
        this.running.delete(key);
        this.pending.delete(run);
      });
    this.pending.add(run);
    return run;
  }

  /** Resolves once the refreshes running now have ended. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private async run(stale: StaleCall, call: () => Promise<CacheResponse>): Promise<RefreshResult> {
    const key = stale.keys.key;
    const taken = this.lock ? await this.lock.tryAcquire(key) : {};
    if (taken.held) return "skipped";
    try {
      // Another instance may have refreshed it between our read and the lock.
      if (taken.handle && (await this.entries.read(key))) return "skipped";
      let response: CacheResponse;
      try {
        response = await call();
      } catch (error) {
        this.report("the upstream call refreshing a stale entry failed; the stale entry stays", error, key);
        return "failed";
      }
      const verdict = await verdictOf(stale.request, response, this.validators, this.events);
      if (!verdict.ok) {
        this.events.emit("reject", { ...stale.call, reason: verdict.reason });
        return "rejected";
      }
      // Replaces the entry, variants and all: its other answers fill again through misses.
      const held = await this.writer.write(stale.keys, stale.call, response, stale.options);
      return held > 0 ? "stored" : "failed";
    } finally {
      await release(taken.handle, this.events, key);
    }
  }

  private done(stale: StaleCall, result: RefreshResult): RefreshResult {
    this.events.emit("refresh", { ...stale.call, result });
    return result;
  }

  private report(message: string, cause: unknown, key: string): void {
    this.events.emit("error", { error: toRecallError(errorCodes.REFRESH_ERROR, message, cause), key });
  }
}
