import type { RecallError } from "./errors.js";

/** What a cache hit saved: the tokens the call would have used and their price. */
export interface Savings {
  inputTokens: number;
  outputTokens: number;
  usd: number;
}

interface BaseEvent {
  namespace: string;
  key: string;
  /** `provider:id` of the requested model. */
  model: string;
}

export interface CacheEvents {
  hit: BaseEvent & { saved: Savings; ageMs: number };
  "semantic-hit": BaseEvent & { saved: Savings; ageMs: number; similarity: number; matchedQuestion: string };
  /** A concurrent identical request waited for another's answer instead of calling upstream. */
  coalesced: BaseEvent & { saved: Savings };
  miss: BaseEvent;
  /** Reading was skipped by the caller (`noCache`, `forceRefresh`). */
  bypass: BaseEvent & { reason: "noCache" | "forceRefresh" };
  store: BaseEvent & { ttl?: number };
  /** A fresh answer was not stored because validation rejected it. */
  reject: BaseEvent & { reason: string };
  /** A semantic candidate passed the threshold but the guard refused it. */
  "semantic-reject": BaseEvent & { similarity: number; candidate: string; reason: string };
  /**
   * The question is matched exactly only, not by meaning: the embedder or the guard cannot read it
   * (unknown tokens, symbols no rule compares). Its answer is stored without a vector.
   */
  "semantic-skip": BaseEvent & { reason: string };
  /**
   * The semantic step was skipped for load (load shedding): the embedding queue was full
   * (`queue-full`), or the question could not be embedded within `semantic.budgetMs` (`budget`).
   * A lookup goes on exact-only; an answer being stored (`during: "store"`) is stored exact-only.
   */
  "semantic-shed": BaseEvent & { during: "lookup" | "store"; cause: "queue-full" | "budget"; reason: string };
  error: { error: RecallError; namespace?: string; key?: string };
  /** After a gap in the bus, the in-process index re-read the store: `entries` semantic entries. */
  "caught-up": { entries: number };
}

export type CacheEventName = keyof CacheEvents;
export type CacheListener<E extends CacheEventName> = (event: CacheEvents[E]) => void;

/** A tiny typed emitter. A throwing listener never breaks a call. */
export class Emitter {
  private listeners: Partial<Record<CacheEventName, Set<(event: never) => void>>> = {};

  on<E extends CacheEventName>(name: E, listener: CacheListener<E>): () => void {
    let set = this.listeners[name] as Set<CacheListener<E>> | undefined;
    if (!set) {
      set = new Set();
      this.listeners[name] = set as Set<(event: never) => void>;
    }
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  off<E extends CacheEventName>(name: E, listener: CacheListener<E>): void {
    (this.listeners[name] as Set<CacheListener<E>> | undefined)?.delete(listener);
  }

  emit<E extends CacheEventName>(name: E, event: CacheEvents[E]): void {
    const set = this.listeners[name] as Set<CacheListener<E>> | undefined;
    if (!set) return;
    for (const listener of set) {
      try {
        listener(event);
      } catch {
        // A listener's bug must not fail an LLM call.
      }
    }
  }
}
