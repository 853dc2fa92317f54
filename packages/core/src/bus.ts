import type { VectorItem } from "./vector-index.js";

/** What one instance tells the others so their in-process state stays in step. */
export type BusMessage =
  | { type: "vector-added"; item: { id: string; namespace: string; partition: string; vector: number[] } }
  | { type: "deleted"; ids: string[] }
  | { type: "namespace-purged"; namespace: string }
  | { type: "tag-purged"; tag: string; ids: string[] };

/** A publish/subscribe channel between instances (e.g. Redis pub/sub). */
export interface CacheBus {
  /** Sends to every other instance (not back to this one), in the order published. Never throws. */
  publish(message: BusMessage): Promise<void>;
  /**
   * Calls `listener` for messages from other instances; returns an unsubscribe function. Calls
   * `onGap` when it was not listening for a while (a reconnect) and may have missed messages: the
   * cache then catches up from the store.
   */
  subscribe(listener: (message: BusMessage) => void, onGap?: () => void): Promise<() => Promise<void>>;
}

export type { VectorItem };
