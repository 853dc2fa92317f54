import type { CacheEvents, Emitter, Savings } from "./events.js";

export interface NamespaceStats {
  hits: number;
  semanticHits: number;
  coalesced: number;
  /** Stale answers served (stale-while-revalidate and grace); `graced` of them because the upstream call failed. */
  stale: number;
  graced: number;
  /** Background refreshes of stale entries, by how they ended. */
  refreshes: { stored: number; rejected: number; failed: number; skipped: number };
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
  /** Semantic hits by what let them through (`CacheOutcome.decidedBy`). */
  semanticHitsBy: { threshold: number; alias: number; verifier: number; learned: number };
  /** The verifier's work: its verdicts, failures (errors, timeouts), time spent and cost. */
  verify: {
    calls: number;
    same: number;
    different: number;
    unsure: number;
    failed: number;
    ms: number;
    cost: Savings;
  };
  /** Wordings promoted to aliases after the verifier said same. */
  promotions: number;
  /** `cache.feedback` reports applied. */
  feedback: { wrong: number; right: number };
  /**
   * Shadow mode: misses semantic mode would have answered (`wouldHit`), among `candidates` examined;
   * how the verifier judged them, how often the cached answer's text equals the fresh one, and what
   * serving them would have saved.
   */
  shadow: {
    candidates: number;
    wouldHit: number;
    judgedSame: number;
    judgedDifferent: number;
    answersAgree: number;
    wouldSave: Savings;
  };
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

/** A namespace's stats with every count at zero (for tools that add stats up, like fleet stats). */
export function emptyStats(): NamespaceStats {
  return {
    hits: 0,
    semanticHits: 0,
    coalesced: 0,
    stale: 0,
    graced: 0,
    refreshes: { stored: 0, rejected: 0, failed: 0, skipped: 0 },
    misses: 0,
    bypasses: 0,
    stores: 0,
    rejects: 0,
    semanticRejects: 0,
    semanticSkips: 0,
    semanticShed: 0,
    errors: 0,
    semanticHitsBy: { threshold: 0, alias: 0, verifier: 0, learned: 0 },
    verify: { calls: 0, same: 0, different: 0, unsure: 0, failed: 0, ms: 0, cost: noSavings() },
    promotions: 0,
    feedback: { wrong: 0, right: 0 },
    shadow: {
      candidates: 0,
      wouldHit: 0,
      judgedSame: 0,
      judgedDifferent: 0,
      answersAgree: 0,
      wouldSave: noSavings(),
    },
    hitRate: 0,
    saved: noSavings(),
  };
}

function noSavings(): Savings {
  return { inputTokens: 0, outputTokens: 0, usd: 0 };
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
      s.semanticHitsBy[e.decidedBy]++;
      addSavings(s.saved, e.saved);
    });
    on("coalesced", (s, e) => {
      s.coalesced++;
      addSavings(s.saved, e.saved);
    });
    on("miss", (s) => s.misses++);
    on("stale", (s, e) => {
      s.stale++;
      if (e.cause === "grace") s.graced++;
      addSavings(s.saved, e.saved);
    });
    on("refresh", (s, e) => s.refreshes[e.result]++);
    on("bypass", (s) => s.bypasses++);
    on("store", (s) => s.stores++);
    on("reject", (s) => s.rejects++);
    on("semantic-reject", (s) => s.semanticRejects++);
    on("semantic-skip", (s) => s.semanticSkips++);
    on("semantic-shed", (s) => s.semanticShed++);
    on("error", (s) => s.errors++);
    on("verify", (s, e) => {
      const v = s.verify;
      v.calls++;
      v[e.decision]++;
      if (e.failed) v.failed++;
      v.ms += e.ms;
      addSavings(v.cost, e.cost);
    });
    on("promote", (s) => s.promotions++);
    on("feedback", (s, e) => (e.wrong ? s.feedback.wrong++ : s.feedback.right++));
    on("shadow", (s, e) => {
      const sh = s.shadow;
      sh.candidates++;
      if (e.decision === "same") sh.judgedSame++;
      if (e.decision === "different") sh.judgedDifferent++;
      if (e.answersAgree) sh.answersAgree++;
      if (e.wouldHit) {
        sh.wouldHit++;
        addSavings(sh.wouldSave, e.saved);
      }
    });
  }

  snapshot(): StatsSnapshot {
    const total = emptyStats();
    // Null prototype: `namespaces["__proto__"] = s` would set the prototype instead of a member.
    const namespaces: Record<string, NamespaceStats> = Object.create(null);
    for (const [ns, s] of this.byNamespace) {
      namespaces[ns] = withRate(structuredClone(s));
      addCounts(total, s);
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
      s = emptyStats();
      this.byNamespace.set(ns, s);
    }
    return s;
  }
}

/** Adds every count of `add` into `into`, nested ones too (`hitRate` is derived, not added). */
function addCounts(into: object, add: object): void {
  const target = into as Record<string, unknown>;
  for (const [k, v] of Object.entries(add)) {
    if (k === "hitRate") continue;
    if (typeof v === "number") target[k] = (target[k] as number) + v;
    else if (typeof v === "object" && v !== null) addCounts(target[k] as object, v);
  }
}

function addSavings(into: Savings, add: Savings): void {
  into.inputTokens += add.inputTokens;
  into.outputTokens += add.outputTokens;
  into.usd += add.usd;
}

function withRate(s: NamespaceStats): NamespaceStats {
  // A stale answer is served; one served by grace was first counted a miss.
  const served = s.hits + s.semanticHits + s.coalesced + s.stale;
  const lookups = served + s.misses - s.graced;
  s.hitRate = lookups === 0 ? 0 : served / lookups;
  return s;
}
