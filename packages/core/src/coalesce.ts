import { onDeadline } from "./deadline.js";
/**
 * In-process coalescing: the first caller for a key becomes the leader, the others wait for its
 * result. A tiny map with a bound on the wait, entries deleted when the leader settles.
 */
export class Coalescer<T> {
  private readonly inflight = new Map<string, Promise<T | undefined>>();

  /**
   * Returns a leader's `settle` function when no one holds `key`, or the leader's pending result
   * (resolving to `undefined` if the leader failed or `waitMs` passed) when someone does.
   */
  join(
    key: string,
    waitMs: number,
  ):
    | { leader: true; settle: (value: T | undefined) => void }
    | { leader: false; result: Promise<T | undefined> } {
    const pending = this.inflight.get(key);
    if (pending) {
      // A leader that outlives the wait is taken for lost (e.g. a stream nobody finished reading):
      // its slot is dropped so later callers do not queue behind it too.
      const onTimeout = () => {
        if (this.inflight.get(key) === pending) this.inflight.delete(key);
      };
      return { leader: false, result: withTimeout(pending, waitMs, onTimeout) };
    }
    let settle!: (value: T | undefined) => void;
    const promise = new Promise<T | undefined>((resolve) => {
      settle = resolve;
    });
    this.inflight.set(key, promise);
    return {
      leader: true,
      settle: (value) => {
        if (this.inflight.get(key) === promise) this.inflight.delete(key);
        settle(value);
      },
    };
  }
}

function withTimeout<T>(
  promise: Promise<T | undefined>,
  ms: number,
  onTimeout: () => void,
): Promise<T | undefined> {
  return new Promise((resolve) => {
    // Measured as `onDeadline` measures: a leader's answer that came in during a stalled loop wins.
    const cancel = onDeadline(
      ms,
      () => {
        onTimeout();
        resolve(undefined);
      },
      { unref: true },
    );
    promise.then((value) => {
      cancel();
      resolve(value);
    });
  });
}
