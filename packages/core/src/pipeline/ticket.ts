import type { CacheEntry } from "../entry.js";
import { errorCodes, RecallError, toRecallError } from "../errors.js";
import type { Emitter } from "../events.js";
import type { RequestKeys } from "../keys.js";
import type { LockHandle } from "../lock.js";
import type { CacheRequest } from "../request.js";
import type { CacheResponse } from "../response.js";
import type { UserValidator } from "../validate.js";
import type { Clock } from "./clock.js";
import type { Hits } from "./hits.js";
import { release } from "./leader.js";
import type { CallOptions } from "./options.js";
import type { CacheOutcome, CallInfo, LookupMiss } from "./outcome.js";
import type { Variants } from "./variants.js";
import { verdictOf } from "./verdict.js";
import type { Writer } from "./write.js";

export interface TicketParts {
  events: Emitter;
  validators: UserValidator[];
  writer: Writer;
  hits: Hits;
  clock: Clock;
  variants: Variants;
}

/**
 * The ticket of a call that goes upstream. `commit` validates the fresh answer, stores it unless
 * told not to, hands it to the callers waiting on this one (`settle`) and releases the shared lock.
 * It never rejects: whatever fails inside is an `error` event and `stored: false`, so the caller
 * always gets its answer. `fail` lets waiting callers go upstream themselves. A ticket settles once;
 * a second `commit` is reported and stores nothing, a second `fail` does nothing.
 */
export interface MissCall {
  status: "miss" | "bypass";
  request: CacheRequest;
  keys: RequestKeys;
  call: CallInfo;
  options: CallOptions;
  /** Hands the outcome (or undefined on failure) to the callers waiting on this one. */
  settle?: (outcome: CacheOutcome | undefined) => void;
  /** The shared lock this call holds, released once settled. */
  handle?: LockHandle;
  /** Runs with the answer once it passed validation (background verification, shadow reports). */
  after?: (response: CacheResponse) => void;
  /** The exact entry past its TTL (still kept), and the call's grace: served by `rescue` within it. */
  stale?: { entry: CacheEntry; grace: number };
  /**
   * How many answers the call wants its entry to hold (`variants`, default 1). Above 1, a miss's
   * answer is appended to a fresh entry holding fewer, and a stale one served is drawn among them.
   */
  variants?: number;
}

export function missTicket<T>(parts: TicketParts, miss: MissCall): LookupMiss<T> {
  const { events, validators, writer, hits, clock } = parts;
  const { status, request, keys, call, options, settle, handle, after, stale } = miss;
  // A bypass (noCache, forceRefresh) replaces the entry, as it always did; a miss may fill it.
  const wanted = status === "miss" ? (miss.variants ?? 1) : 1;
  if (status === "miss") events.emit("miss", call);
  let done = false;
  const fail = () => {
    if (done) return;
    done = true;
    settle?.(undefined);
    void release(handle, events, keys.key);
  };
  return {
    hit: false,
    status,
    key: keys.key,
    namespace: call.namespace,
    commit: async (given: CacheResponse<T> | (() => CacheResponse<T>)) => {
      let response: CacheResponse<T>;
      try {
        response = typeof given === "function" ? given() : given;
      } catch (error) {
        events.emit("error", {
          error: toRecallError(errorCodes.INVALID_REQUEST, "building the answer to store failed", error),
          key: keys.key,
        });
        if (!done) {
          done = true;
          settle?.(undefined);
          void release(handle, events, keys.key);
        }
        const unbuilt = { status, key: keys.key, namespace: call.namespace, stored: false };
        return { ...unbuilt, response: undefined as never, rejectedBecause: "the answer could not be read" };
      }
      const outcome: CacheOutcome<T> = {
        status,
        response,
        key: keys.key,
        namespace: call.namespace,
        stored: false,
      };
      if (done) {
        events.emit("error", {
          error: new RecallError(errorCodes.INVALID_REQUEST, "a lookup ticket was settled twice; not stored"),
          key: keys.key,
        });
        return { ...outcome, rejectedBecause: "the ticket was already settled" };
      }
      done = true;
      try {
        const verdict = await verdictOf(request, response, validators, events);
        if (!verdict.ok) {
          outcome.rejectedBecause = verdict.reason;
          events.emit("reject", { ...call, reason: verdict.reason });
        } else {
          if (!options.noStore) {
            const held = await writer.write(keys, call, response, options, wanted);
            outcome.stored = held > 0;
            if (held > 0 && wanted > 1) Object.assign(outcome, { variant: held, variants: held });
          }
          after?.(response);
        }
      } catch (error) {
        // The stages fail open on their own; this catches what nobody foresaw.
        events.emit("error", {
          error: toRecallError(errorCodes.STORE_ERROR, "storing the answer failed", error),
          key: keys.key,
        });
        outcome.stored = false;
      } finally {
        settle?.(outcome as CacheOutcome);
        await release(handle, events, keys.key);
      }
      return outcome;
    },
    fail,
    rescue: (error: unknown) => {
      const expiresAt = stale?.entry.expiresAt;
      if (done || !stale || expiresAt === undefined || clock.now() >= expiresAt + stale.grace) {
        fail();
        return undefined;
      }
      done = true;
      const reason = `upstream failed: ${error instanceof Error ? error.message : String(error)}`;
      const outcome = parts.variants.serve(stale.entry, miss.variants ?? 1, (entry) =>
        hits.stale<T>(entry, call, request.model.id, "grace", reason),
      );
      settle?.(outcome as CacheOutcome);
      void release(handle, events, keys.key);
      return outcome;
    },
  };
}
