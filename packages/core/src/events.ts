import type { RecallError } from "./errors.js";
import type { DecidedBy, RefreshResult } from "./pipeline/outcome.js";
import type { VerdictDecision } from "./verify/verifier.js";

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
  /**
   * When the call's lookup began (`performance.now()` in this process): a listener times the call by
   * the event it gets (a miss's answer by its `store` or `reject` event).
   */
  startedAt?: number;
}

export interface CacheEvents {
  /** `ms`: the lookup's time, from its start to the answer found. */
  hit: BaseEvent & { saved: Savings; ageMs: number; ms: number };
  "semantic-hit": BaseEvent & {
    saved: Savings;
    ageMs: number;
    ms: number;
    similarity: number;
    /** The question asked (normalized), and the stored one it matched. */
    question: string;
    matchedQuestion: string;
    decidedBy: DecidedBy;
    /** The hit's id, for `cache.feedback` (a dashboard's "wrong hit" button). */
    id: string;
  };
  /**
   * An exact entry past its TTL was served: within the stale-while-revalidate window (`revalidate`,
   * a background refresh started) or because the upstream call failed (`grace`).
   */
  stale: BaseEvent & {
    saved: Savings;
    ageMs: number;
    ms: number;
    cause: "revalidate" | "grace";
    staleReason: string;
  };
  /**
   * A background refresh of a stale entry ended: `stored` (it replaced the entry), `rejected` (by
   * validation), `failed` (the upstream call or the write; an `error` event says why) or `skipped`
   * (another refresh ran here or in another instance).
   */
  refresh: BaseEvent & { result: RefreshResult };
  /** A concurrent identical request waited for another's answer instead of calling upstream. */
  coalesced: BaseEvent & { saved: Savings; ms: number };
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
  /**
   * The verifier was asked about a candidate (`candidateKey`, at `similarity`): now (`sync`), after
   * the answer (`async`), or on the side (`shadow`). `failed` when it threw or ran out of budget (the
   * decision is then `unsure`). `cost` is what the verification cost, priced like hits.
   */
  verify: BaseEvent & {
    candidateKey: string;
    similarity: number;
    mode: "sync" | "async" | "shadow";
    decision: VerdictDecision;
    reason?: string;
    failed?: "error" | "timeout";
    ms: number;
    cost: Savings;
  };
  /** A wording verified to ask the same became an alias of the entry `entryKey` (vector id `alias`). */
  promote: BaseEvent & { entryKey: string; alias: string; similarity: number };
  /** `cache.feedback` was applied: an exact hit's entry deleted, or a semantic pairing removed or confirmed. */
  feedback: { namespace: string; key: string; kind: "exact" | "semantic"; wrong: boolean; action: string };
  /**
   * Shadow mode (`semantic.mode: "shadow"`), after a miss's answer: what semantic mode would have
   * done. `wouldHit`: it would have served `candidate`'s answer (its threshold, an alias, or the
   * verifier's `decision`). `answersAgree`: the cached and the fresh answer have the same text.
   */
  shadow: BaseEvent & {
    similarity: number;
    candidate: string;
    wouldHit: boolean;
    decidedBy?: DecidedBy;
    decision?: VerdictDecision;
    answersAgree: boolean;
    saved: Savings;
  };
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
