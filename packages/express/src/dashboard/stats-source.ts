import type { RecallCache, StatsSnapshot } from "@recall/core";

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
 * const source: StatsSource = {
 *   label: "fleet: 4 instances",
 *   fleet: true,
 *   snapshot: () => fleetStats.snapshot(),
 * };
 * app.use("/recall", dashboard(cache, { source }));
 */
export interface StatsSource {
  /** What the figures cover, shown on the page (e.g. "this process", "fleet: 4 instances"). */
  readonly label?: string;
  /** `true` when the figures cover every instance, not only this process. */
  readonly fleet?: boolean;
  /** A note shown beside the figures (what they leave out). */
  readonly note?: string;
  /** The counters now: totals and per namespace. */
  snapshot(): Promise<StatsSnapshot> | StatsSnapshot;
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
