import type { NamespaceStats, RecallCache, StatsSnapshot } from "@recall/core";

/** p50 and p95 of some durations, in ms, and how many there were. */
export interface LatencyFigure {
  count: number;
  p50: number;
  p95: number;
}

/** Hits (all kinds together, and each) against misses. */
export interface SourceLatency {
  hits: LatencyFigure;
  byKind: { exact: LatencyFigure; semantic: LatencyFigure; coalesced: LatencyFigure; stale: LatencyFigure };
  misses: LatencyFigure;
}

/**
 * What a source's `snapshot()` answers: core's `StatsSnapshot`, and optionally the latency and the
 * per-model counts it knows (a fleet source does; `@recall/redis`'s `FleetSnapshot` has this shape).
 * Without them the dashboard shows its own process's, from the cache's events.
 */
export interface SourceSnapshot extends StatsSnapshot {
  latency?: SourceLatency;
  models?: Array<{ namespace: string; model: string; stats: NamespaceStats }>;
}

/** One recorded point of a stats series: a snapshot's counters at a time. */
export interface StatsPoint {
  /** Milliseconds since the epoch. */
  at: number;
  snapshot: StatsSnapshot;
}

/**
 * Where the dashboard reads its figures. The default reads the cache's own counters, which count
 * only what this process served; a fleet-wide source (every instance's counters, summed) plugs in
 * here with the same shape.
 *
 * @example
 * import { fleetStats } from "@recall/redis";
 *
 * app.use("/recall", dashboard(cache, { source: fleetStats(cache, { redis: process.env.REDIS_URL }) }));
 */
export interface StatsSource {
  /** What the figures cover, shown on the page (e.g. "this process", "fleet: 4 instances"). */
  readonly label?: string;
  /** `true` when the figures cover every instance, not only this process. */
  readonly fleet?: boolean;
  /** A note shown beside the figures (what they leave out). */
  readonly note?: string;
  /** The counters now: totals and per namespace. */
  snapshot(): Promise<SourceSnapshot> | SourceSnapshot;
  /**
   * A series the source keeps itself (a fleet source that records in the store), oldest first. Without
   * it, the dashboard samples `snapshot()` every few seconds into a bounded ring in memory.
   */
  series?(): Promise<StatsPoint[]>;
}

/** The cache's own counters (`cache.stats.snapshot()`): what this process served. */
export function cacheStatsSource(cache: RecallCache, note?: string): StatsSource {
  return {
    label: "this process",
    fleet: false,
    ...(note === undefined ? {} : { note }),
    snapshot: () => cache.stats.snapshot(),
  };
}
