import type Keyv from "keyv";
import { Breaker } from "./breaker.js";
import { onDeadline } from "./deadline.js";
import { errorCodes, RecallError, toRecallError } from "./errors.js";

/** How many times the store timeout a patient read waits (see `SafeStore.get`). */
export const PATIENCE = 4;

/**
 * The engine's view of a Keyv store: every operation has a timeout and none ever throws. A failure
 * or a late answer is reported through `onError` and read as "nothing there" (fail open). A store
 * that keeps failing is left alone for a while (`Breaker`), so calls stop waiting out its timeouts.
 */
export class SafeStore {
  /** Keyv `error` events so far: an operation during which one fired failed, whatever it returned. */
  private errorEvents = 0;

  readonly keyv: Keyv;

  constructor(
    keyv: Keyv,
    private readonly timeoutMs: number,
    private readonly onError: (error: RecallError, key?: string) => void,
    private readonly breaker = new Breaker(),
  ) {
    this.keyv = throwingView(keyv);
    // Keyv reports most adapter failures as events and resolves the call as a miss (@keyv/redis with
    // Redis down does): they are reported here, and counted against the breaker below.
    keyv.on("error", (error: unknown) => {
      this.errorEvents++;
      this.onError(toRecallError(errorCodes.STORE_ERROR, "store error", error));
    });
  }

  /**
   * Reads `key`. A `patient` read is one whose miss costs an upstream call that another instance
   * already paid for (a lock waiter reading the holder's answer): it goes past an open breaker and
   * waits `PATIENCE` times the timeout, since a late answer is still far cheaper than a second call.
   */
  get<T>(key: string, options: { patient?: boolean } = {}): Promise<T | undefined> {
    return this.guard("get", key, () => this.keyv.get<T>(key), undefined, options.patient);
  }

  set(key: string, value: unknown, ttlMs?: number): Promise<boolean> {
    return this.guard("set", key, () => this.keyv.set(key, value, ttlMs), false);
  }

  delete(key: string | string[]): Promise<boolean> {
    const first = Array.isArray(key) ? key[0] : key;
    return this.guard("delete", first, () => this.keyv.delete(key as string), false);
  }

  /** Iterates the store's entries when its adapter can (Map, Redis, …); otherwise yields nothing. */
  async *entries(): AsyncGenerator<[string, unknown]> {
    const iterator = this.keyv.iterator;
    if (typeof iterator !== "function") return;
    try {
      for await (const [key, value] of iterator.call(this.keyv, undefined) as AsyncIterable<
        [string, unknown]
      >) {
        yield [key, value];
      }
    } catch (error) {
      this.onError(toRecallError(errorCodes.STORE_ERROR, "store iteration failed", error));
    }
  }

  private guard<T>(
    op: string,
    key: string | undefined,
    run: () => Promise<T>,
    fallback: T,
    patient = false,
  ): Promise<T> {
    const permit = this.breaker.allow();
    // A patient read past an open breaker neither counts against it nor closes it.
    if (!permit && !patient) return Promise.resolve(fallback);
    const timeoutMs = patient ? this.timeoutMs * PATIENCE : this.timeoutMs;
    const fail = (error: RecallError) => {
      this.onError(error, key);
      if (permit) this.breaker.failed(permit);
    };
    const errorsBefore = this.errorEvents;
    return new Promise<T>((resolve) => {
      let settled = false;
      // A reply read in the same turn as the deadline wins: the timeout measures the store, not a
      // busy event loop (see onDeadline).
      const cancel = onDeadline(timeoutMs, () => {
        if (settled) return;
        settled = true;
        fail(new RecallError(errorCodes.STORE_TIMEOUT, `store ${op} took longer than ${timeoutMs} ms`));
        resolve(fallback);
      });
      let pending: Promise<T>;
      try {
        pending = run();
      } catch (error) {
        pending = Promise.reject(error);
      }
      pending.then(
        (value) => {
          if (settled) return;
          settled = true;
          cancel();
          // Already reported by the error listener; it still counts as a failure.
          if (permit && this.errorEvents > errorsBefore) this.breaker.failed(permit);
          else if (permit) this.breaker.succeeded(permit);
          resolve(value);
        },
        (error: unknown) => {
          if (settled) return;
          settled = true;
          cancel();
          // Keyv may have reported it as an event already: count it, do not report it twice.
          if (this.errorEvents > errorsBefore) {
            if (permit) this.breaker.failed(permit);
          } else fail(toRecallError(errorCodes.STORE_ERROR, `store ${op} failed`, error));
          resolve(fallback);
        },
      );
    });
  }
}

/**
 * The user's Keyv as Recall calls it: the same instance (its store, options, listeners and stats),
 * seen through an object whose `throwOnErrors` is on. Keyv 5 resolves a failed `get` as a miss
 * without any event unless `throwOnErrors` is set, which would hide a store outage; setting it on
 * the user's instance would change how their own code sees that instance. Keyv keeps its state in
 * plain members, so the view reads all of it from the instance.
 */
function throwingView(keyv: Keyv): Keyv {
  if (keyv.throwOnErrors === true || !("throwOnErrors" in keyv)) return keyv;
  const view = Object.create(keyv) as Keyv & { _throwOnErrors: boolean };
  Object.defineProperty(view, "_throwOnErrors", { value: true, writable: true });
  return view;
}
