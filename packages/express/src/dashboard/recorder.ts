import type { CacheEvents, NamespaceStats, RecallCache, StatsSnapshot } from "@recall/core";
import type { LatencyFigure, StatsPoint, StatsSource } from "./stats-source.js";

/** The counters of one namespace (or the total) at one time, cumulative. */
export interface PointCounts {
  exact: number;
  semantic: number;
  coalesced: number;
  stale: number;
  /** Stale answers served because the upstream failed; they were counted as misses first. */
  graced: number;
  misses: number;
  inputTokens: number;
  outputTokens: number;
  usd: number;
  /** What the verifier (judge) cost, in US dollars. */
  judgeUsd: number;
}

/** A point of the series the page draws. */
export interface SeriesPoint {
  at: number;
  total: PointCounts;
  namespaces: Record<string, PointCounts>;
}

/** A semantic hit as the page lists it. */
export interface SemanticHitRecord {
  at: number;
  namespace: string;
  model: string;
  key: string;
  /** The hit id, for `cache.feedback`. */
  id: string;
  question: string;
  matchedQuestion: string;
  similarity: number;
  decidedBy: string;
  ms?: number;
  /**
   * Set once the dashboard reported it: `wrong` or `right`, then what the feedback did, e.g.
   * `wrong (unpaired)`. The page shows it as is, whether it rendered the row before or after.
   */
  reported?: string;
}

export interface RejectRecord {
  at: number;
  namespace: string;
  similarity: number;
  /** The guard rule, e.g. "named entities differ" (the reason up to its details). */
  rule: string;
  reason: string;
  /** The stored question the guard refused to match. */
  candidate: string;
}

export interface ModelCounts {
  namespace: string;
  model: string;
  exact: number;
  semantic: number;
  coalesced: number;
  stale: number;
  misses: number;
}

export interface RecorderOptions {
  /** How often the source is sampled, in ms. Default 5000. */
  intervalMs?: number;
  /** Points kept (a ring; the oldest go first). Default 720 (an hour at 5 s). */
  points?: number;
  /** Latest semantic hits and guard refusals kept. Default 50. */
  latest?: number;
  /** Durations kept per kind for percentiles. Default 2000. */
  samples?: number;
}

const HIT_KINDS = ["exact", "semantic", "coalesced", "stale"] as const;
type HitKind = (typeof HIT_KINDS)[number];
/** Misses waiting for their answer's `store` or `reject` event, at most (the oldest are dropped). */
const MAX_PENDING_MISSES = 10_000;

/**
 * Records what the dashboard shows over time: the stats source sampled into a bounded ring, and,
 * from the cache's events in this process, the latest semantic hits, guard refusals, latencies and
 * counts per model. Timers are unref'd; `close()` stops everything.
 */
export class DashboardRecorder {
  readonly intervalMs: number;
  private readonly maxPoints: number;
  private readonly maxLatest: number;
  private readonly maxSamples: number;
  private readonly ring: SeriesPoint[] = [];
  private readonly hits: SemanticHitRecord[] = [];
  private readonly rejects: RejectRecord[] = [];
  private readonly rejectsByRule = new Map<string, number>();
  private readonly durations: Record<HitKind | "miss", number[]> = {
    exact: [],
    semantic: [],
    coalesced: [],
    stale: [],
    miss: [],
  };
  /** Did any hit event carry a duration (`ms`)? Older engines' events do not. */
  private timedHits = false;
  private timedMisses = false;
  private readonly pendingMisses = new Map<string, number>();
  private readonly models = new Map<string, ModelCounts>();
  private readonly unsubscribe: Array<() => void> = [];
  private timer: ReturnType<typeof setInterval> | undefined;
  private sampling: Promise<void> | undefined;

  constructor(
    cache: RecallCache,
    private readonly source: StatsSource,
    options: RecorderOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 5_000;
    this.maxPoints = options.points ?? 720;
    this.maxLatest = options.latest ?? 50;
    this.maxSamples = options.samples ?? 2_000;
    this.listen(cache);
    if (!source.series) {
      void this.sample();
      this.timer = setInterval(() => void this.sample(), this.intervalMs);
      this.timer.unref?.();
    }
  }

  /** Samples the source now (once at a time); a failing source leaves a gap. */
  sample(): Promise<void> {
    this.sampling ??= (async () => {
      try {
        this.push(toPoint(Date.now(), await this.source.snapshot()));
      } catch {
        // A source that cannot answer now (a fleet source during an outage) leaves a gap.
      } finally {
        this.sampling = undefined;
      }
    })();
    return this.sampling;
  }

  /** The recorded points after `since` (ms since the epoch), oldest first, and one for now. */
  async series(since = 0): Promise<SeriesPoint[]> {
    const points = this.source.series
      ? (await this.source.series()).map((p: StatsPoint) => toPoint(p.at, p.snapshot))
      : this.ring;
    return points.filter((p) => p.at > since);
  }

  latestSemanticHits(): SemanticHitRecord[] {
    return [...this.hits].reverse();
  }

  /** Marks a listed hit as reported through the dashboard. */
  markReported(id: string, wrong: boolean, action: string): void {
    const reported = `${wrong ? "wrong" : "right"} (${action})`;
    for (const hit of this.hits) if (hit.id === id) hit.reported = reported;
  }

  guardRefusals(): { byRule: Array<{ rule: string; count: number }>; latest: RejectRecord[] } {
    const byRule = [...this.rejectsByRule]
      .map(([rule, count]) => ({ rule, count }))
      .sort((a, b) => b.count - a.count || a.rule.localeCompare(b.rule));
    return { byRule, latest: [...this.rejects].reverse() };
  }

  /** p50 and p95 per kind, or `available: false` when the engine's events carry no durations. */
  latency(): {
    hitsTimed: boolean;
    missesTimed: boolean;
    hits: LatencyFigure;
    byKind: Record<HitKind, LatencyFigure>;
    misses: LatencyFigure;
  } {
    const all = HIT_KINDS.flatMap((k) => this.durations[k]);
    return {
      hitsTimed: this.timedHits,
      missesTimed: this.timedMisses,
      hits: figure(all),
      byKind: Object.fromEntries(HIT_KINDS.map((k) => [k, figure(this.durations[k])])) as Record<
        HitKind,
        LatencyFigure
      >,
      misses: figure(this.durations.miss),
    };
  }

  byModel(): ModelCounts[] {
    return [...this.models.values()].sort(
      (a, b) => a.namespace.localeCompare(b.namespace) || a.model.localeCompare(b.model),
    );
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const off of this.unsubscribe.splice(0)) off();
  }

  private push(point: SeriesPoint): void {
    this.ring.push(point);
    if (this.ring.length > this.maxPoints) this.ring.splice(0, this.ring.length - this.maxPoints);
  }

  private listen(cache: RecallCache): void {
    const hit = (kind: HitKind) => (event: { namespace: string; model: string }) => {
      this.model(event.namespace, event.model)[kind]++;
      const ms = (event as { ms?: unknown }).ms;
      if (typeof ms === "number" && Number.isFinite(ms)) {
        this.timedHits = true;
        this.sampleDuration(kind, ms);
      }
    };
    this.unsubscribe.push(
      cache.on("hit", hit("exact")),
      cache.on("coalesced", hit("coalesced")),
      cache.on("stale", hit("stale")),
      cache.on("semantic-hit", (event) => {
        hit("semantic")(event);
        this.keep(this.hits, semanticHitRecord(event));
      }),
      cache.on("miss", (event) => {
        this.model(event.namespace, event.model).misses++;
        const startedAt = (event as { startedAt?: unknown }).startedAt;
        if (typeof startedAt !== "number") return;
        this.pendingMisses.delete(event.key);
        this.pendingMisses.set(event.key, startedAt);
        if (this.pendingMisses.size > MAX_PENDING_MISSES) {
          const oldest = this.pendingMisses.keys().next().value;
          if (oldest !== undefined) this.pendingMisses.delete(oldest);
        }
      }),
      // A miss's answer is timed by its `store` (or `reject`) event, from the lookup's start.
      cache.on("store", (event) => this.missAnswered(event)),
      cache.on("reject", (event) => this.missAnswered(event)),
      cache.on("semantic-reject", (event) => {
        const rule = ruleOf(event.reason);
        this.rejectsByRule.set(rule, (this.rejectsByRule.get(rule) ?? 0) + 1);
        this.keep(this.rejects, {
          at: Date.now(),
          namespace: event.namespace,
          similarity: event.similarity,
          rule,
          reason: event.reason,
          candidate: event.candidate,
        });
      }),
    );
  }

  private missAnswered(event: { key: string }): void {
    const startedAt = (event as { startedAt?: unknown }).startedAt;
    const pending = this.pendingMisses.get(event.key);
    if (typeof startedAt !== "number" || pending !== startedAt) return;
    this.pendingMisses.delete(event.key);
    this.timedMisses = true;
    this.sampleDuration("miss", performance.now() - startedAt);
  }

  private sampleDuration(kind: HitKind | "miss", ms: number): void {
    const list = this.durations[kind];
    list.push(ms);
    if (list.length > this.maxSamples) list.shift();
  }

  private keep<T>(list: T[], item: T): void {
    list.push(item);
    if (list.length > this.maxLatest) list.shift();
  }

  private model(namespace: string, model: string): ModelCounts {
    const id = `${namespace}\u0000${model}`;
    let counts = this.models.get(id);
    if (!counts) {
      counts = { namespace, model, exact: 0, semantic: 0, coalesced: 0, stale: 0, misses: 0 };
      this.models.set(id, counts);
    }
    return counts;
  }
}

function semanticHitRecord(event: CacheEvents["semantic-hit"]): SemanticHitRecord {
  const ms = (event as { ms?: unknown }).ms;
  return {
    at: Date.now(),
    namespace: event.namespace,
    model: event.model,
    key: event.key,
    id: event.id,
    question: event.question,
    matchedQuestion: event.matchedQuestion,
    similarity: event.similarity,
    decidedBy: event.decidedBy,
    ...(typeof ms === "number" ? { ms } : {}),
  };
}

/** The guard rule of a refusal: its reason without the details in parentheses. */
export function ruleOf(reason: string): string {
  const paren = reason.indexOf(" (");
  return (paren === -1 ? reason : reason.slice(0, paren)).trim() || "refused";
}

function counts(s: NamespaceStats): PointCounts {
  return {
    exact: s.hits,
    semantic: s.semanticHits,
    coalesced: s.coalesced,
    stale: s.stale,
    graced: s.graced,
    misses: s.misses,
    inputTokens: s.saved.inputTokens,
    outputTokens: s.saved.outputTokens,
    usd: s.saved.usd,
    judgeUsd: s.verify.cost.usd,
  };
}

/** A snapshot as a compact series point. */
export function toPoint(at: number, snapshot: StatsSnapshot): SeriesPoint {
  const namespaces: Record<string, PointCounts> = Object.create(null);
  for (const [name, stats] of Object.entries(snapshot.namespaces)) namespaces[name] = counts(stats);
  return { at, total: counts(snapshot.total), namespaces };
}

/** Nearest-rank percentiles, in ms rounded to 0.01. */
function figure(values: number[]): LatencyFigure {
  if (values.length === 0) return { count: 0, p50: 0, p95: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
  const round = (v: number) => Math.round(v * 100) / 100;
  return { count: sorted.length, p50: round(at(0.5)), p95: round(at(0.95)) };
}
