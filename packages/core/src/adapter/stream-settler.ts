import type { LookupMiss } from "../pipeline/outcome.js";
import type { CacheResponse } from "../response.js";
import { type RecallSummary, summarize } from "./summary.js";

/** How a streamed miss ends: stored on a clean end, given up on anything else. */
export interface StreamSettler<T> {
  /**
   * The stream ended cleanly: commits the recording (built by `build`, only now) and says what
   * happened. When the stream was aborted, or already given up, nothing is stored.
   */
  end(build: () => CacheResponse<T>): Promise<RecallSummary>;
  /**
   * The stream failed, was cancelled or aborted, or its reader stopped: nothing is stored and the
   * callers waiting on this one go upstream themselves. Safe to call more than once.
   */
  abandon(): void;
}

/**
 * The one way every adapter settles a streamed miss: the recording is committed only when the
 * stream ends cleanly; an error, a cancel, an abort (the moment `signal` fires, since an SDK may
 * stop reading an aborted stream without closing it) or a second settle stores nothing.
 *
 * @example
 * const settler = settleStream(ticket, signal);
 * try {
 *   for await (const chunk of upstream) { parts.push(chunk); yield chunk; }
 * } catch (error) { settler.abandon(); throw error; }
 * const summary = await settler.end(() => ({ body: parts, text, finishReason: "stop" }));
 */
export function settleStream<T>(ticket: LookupMiss<T>, signal?: AbortSignal): StreamSettler<T> {
  let settled = false;
  const abandon = () => {
    signal?.removeEventListener("abort", abandon);
    if (settled) return;
    settled = true;
    ticket.fail();
  };
  signal?.addEventListener("abort", abandon, { once: true });
  const notStored = () =>
    summarize({ status: ticket.status, key: ticket.key, namespace: ticket.namespace, stored: false });
  return {
    abandon,
    async end(build) {
      signal?.removeEventListener("abort", abandon);
      if (settled || signal?.aborted) {
        abandon();
        return notStored();
      }
      settled = true;
      return summarize(await ticket.commit(build));
    },
  };
}
