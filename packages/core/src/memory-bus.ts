import type { BusMessage, CacheBus } from "./bus.js";

export interface MemoryBusOptions {
  /** Told when a listener throws (the other listeners still get the message). Default: ignored. */
  onError?: (error: Error) => void;
}

/** A hub in one process: every bus it connects hears the others' messages, never its own. */
export interface MemoryBus {
  /** A new instance's end of the hub, for `createCache({ bus })`. */
  connect(): CacheBus;
}

interface Subscription {
  from: symbol;
  listener: (message: BusMessage) => void;
}

/**
 * A `CacheBus` between caches in one process: caches given buses of the same hub keep their
 * vector indexes in step (stored entries, deletes, purges), as `@recall/redis` does between
 * processes. Each listener gets its own copy of a message, taken when it was published, on a later
 * microtask, in the order published. Nothing is ever missed, so `onGap` is never called.
 *
 * @example
 * import { createCache, createMemoryBus } from "@recall/core";
 *
 * const hub = createMemoryBus();
 * const a = createCache({ store, bus: hub.connect(), semantic: { embedder } });
 * const b = createCache({ store, bus: hub.connect(), semantic: { embedder } });
 * // a paraphrase stored through `a` is matched by `b`; a delete through `b` reaches `a`.
 */
export function createMemoryBus(options: MemoryBusOptions = {}): MemoryBus {
  const onError = options.onError ?? (() => {});
  const subscriptions = new Set<Subscription>();

  const deliver = (subscription: Subscription, message: BusMessage) => {
    // Unsubscribed between publish and delivery: nothing more reaches it.
    if (!subscriptions.has(subscription)) return;
    try {
      subscription.listener(message);
    } catch (error) {
      onError(error instanceof Error ? error : new Error(String(error)));
    }
  };

  return {
    connect(): CacheBus {
      const from = Symbol("memory bus instance");
      return {
        async publish(message: BusMessage): Promise<void> {
          for (const subscription of subscriptions) {
            if (subscription.from === from) continue;
            let copy: BusMessage;
            try {
              copy = structuredClone(message);
            } catch (error) {
              return onError(error as Error);
            }
            queueMicrotask(() => deliver(subscription, copy));
          }
        },
        async subscribe(listener: (message: BusMessage) => void): Promise<() => Promise<void>> {
          const subscription: Subscription = { from, listener };
          subscriptions.add(subscription);
          return async () => {
            subscriptions.delete(subscription);
          };
        },
      };
    },
  };
}
