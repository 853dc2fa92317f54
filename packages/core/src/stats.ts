import type { CacheEvents, Emitter, Savings } from "./events.js";

export interface NamespaceStats {
  hits: number;
  semanticHits: number;
  coalesced: number;
  misses: number;
  bypasses: number;
  stores: number;
  rejects: number;
  semanticRejects: number;
  /** Questions matched exactly only because the embedder or the guard cannot read them. */
  semanticSkips: number;
  /**
   * Semantic steps skipped for load (`semantic-shed`): a lookup answered by exact lookup alone, or
   * an answer stored exact-only, because the embedder was too busy for the budget.
   */
  semanticShed: number;
  errors: number;
  /** Answers served without an upstream call, over all lookups that could have hit. */
  hitRate: number;
  saved: Savings;
}

export interface StatsSnapshot {
  total: NamespaceStats;
  /**
   * Per namespace. A null-prototype object, so that any namespace name (`__proto__`,
   * `constructor`, `toString`) is an own member like any other, and an absent one reads undefined.
   */
  namespaces: Record<string, NamespaceStats>;
}

function empty(): NamespaceStats {
  return {
    hits: 0,
    semanticHits: 0,
    coalesced: 0,
    misses: 0,
    bypasses: 0,
    stores: 0,
    rejects: 0,
    semanticRejects: 0,
    semanticSkips: 0,
    semanticShed: 0,
    errors: 0,
    hitRate: 0,
    saved: { inputTokens: 0, outputTokens: 0, usd: 0 },
  };
}

/**
 * Counts the engine's events per namespace and sums what hits saved. It is only a listener: the
 * engine has no counters of its own.
 */
export class StatsCollector {
  private byNamespace = new Map<string, NamespaceStats>();
  private readonly unsubscribe: Array<() => void> = [];

  constructor(emitter: Emitter) {
    const on = <E extends keyof CacheEvents>(
      name: E,
      apply: (s: NamespaceStats, e: CacheEvents[E]) => void,
    ) => {
      this.unsubscribe.push(
        emitter.on(name, (event) => {
          const ns = (event as { namespace?: string }).namespace ?? "(none)";
          apply(this.slot(ns), event);
        }),
      );
    };
    on("hit", (s, e) => {
      s.hits++;
      addSavings(s.saved, e.saved);
    });
    on("semantic-hit", (s, e) => {
      s.semanticHits++;
      addSavings(s.saved, e.saved);
    });
    on("coalesced", (s, e) => {
      s.coalesced++;
      addSavings(s.saved, e.saved);
    });
    on("miss", (s) => s.misses++);
    on("bypass", (s) => s.bypasses++);
    on("store", (s) => s.stores++);
    on("reject", (s) => s.rejects++);
    on("semantic-reject", (s) => s.semanticRejects++);
    on("semantic-skip", (s) => s.semanticSkips++);
    on("semantic-shed", (s) => s.semanticShed++);
    on("error", (s) => s.errors++);
  }

  snapshot(): StatsSnapshot {
    const total = empty();
    // Null prototype: `namespaces["__proto__"] = s` would set the prototype instead of a member.
    const namespaces: Record<string, NamespaceStats> = Object.create(null);
    for (const [ns, s] of this.byNamespace) {
      namespaces[ns] = withRate({ ...s, saved: { ...s.saved } });
      for (const k of [
        "hits",
        "semanticHits",
        "coalesced",
        "misses",
        "bypasses",
        "stores",
        "rejects",
        "semanticRejects",
        "semanticSkips",
        "semanticShed",
        "errors",
      ] as const) {
        total[k] += s[k];
      }
      addSavings(total.saved, s.saved);
    }
    return { total: withRate(total), namespaces };
  }

  reset(): void {
    this.byNamespace.clear();
  }

  close(): void {
    for (const off of this.unsubscribe) off();
  }

  private slot(ns: string): NamespaceStats {
    let s = this.byNamespace.get(ns);
    if (!s) {
      s = empty();
      this.byNamespace.set(ns, s);
    }
    return s;
  }
}

function addSavings(into: Savings, add: Savings): void {
  into.inputTokens += add.inputTokens;
  into.outputTokens += add.outputTokens;
  into.usd += add.usd;
}

function withRate(s: NamespaceStats): NamespaceStats {
  const served = s.hits + s.semanticHits + s.coalesced;
  const lookups = served + s.misses;
  s.hitRate = lookups === 0 ? 0 : served / lookups;
  return s;
}
