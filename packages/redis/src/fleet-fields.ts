import { emptyStats, type NamespaceStats, type Savings, type StatsSnapshot } from "@recall/core";

/**
 * The counters of core's `NamespaceStats`, flattened to paths: the hash fields of fleet stats
 * (`<namespace>|<model>|<path>`). `hitRate` is derived on read, as core does.
 */
export const COUNTERS = [
  "hits",
  "semanticHits",
  "coalesced",
  "stale",
  "graced",
  "refreshes.stored",
  "refreshes.rejected",
  "refreshes.failed",
  "refreshes.skipped",
  "misses",
  "bypasses",
  "stores",
  "rejects",
  "semanticRejects",
  "semanticSkips",
  "semanticShed",
  "errors",
  "semanticHitsBy.threshold",
  "semanticHitsBy.alias",
  "semanticHitsBy.verifier",
  "semanticHitsBy.learned",
  "verify.calls",
  "verify.same",
  "verify.different",
  "verify.unsure",
  "verify.failed",
  "verify.ms",
  "verify.cost.inputTokens",
  "verify.cost.outputTokens",
  "verify.cost.usd",
  "promotions",
  "feedback.wrong",
  "feedback.right",
  "shadow.candidates",
  "shadow.wouldHit",
  "shadow.judgedSame",
  "shadow.judgedDifferent",
  "shadow.answersAgree",
  "shadow.wouldSave.inputTokens",
  "shadow.wouldSave.outputTokens",
  "shadow.wouldSave.usd",
  "saved.inputTokens",
  "saved.outputTokens",
  "saved.usd",
] as const;

export type Counter = (typeof COUNTERS)[number];

/** Index of each counter in a slot's `Float64Array`. */
export const C = Object.fromEntries(COUNTERS.map((name, i) => [name, i])) as Record<Counter, number>;

/** What is timed: the four kinds of hit (by their event's `ms`) and misses (start to `store`/`reject`). */
export const LATENCY_KINDS = ["exact", "semantic", "coalesced", "stale", "miss"] as const;
export type LatencyKind = (typeof LATENCY_KINDS)[number];

/**
 * Latency histogram: bucket `i` holds durations in (2^((i-41)/4), 2^((i-40)/4)] ms, four buckets an
 * octave (each 19% wide), from 1 µs (bucket 0 takes anything shorter) to 2^30 ms (the last, longer).
 * A percentile is read as its bucket's geometric middle: within ±9.1% of the true value.
 */
export const HISTOGRAM_BUCKETS = 161;

export function bucketOf(ms: number): number {
  if (!(ms > 0)) return 0;
  const i = Math.ceil(Math.log2(ms) * 4) + 40;
  return i < 0 ? 0 : i >= HISTOGRAM_BUCKETS ? HISTOGRAM_BUCKETS - 1 : i;
}

/** The value a bucket stands for (its geometric middle), in ms. */
export function bucketValue(i: number): number {
  return i === 0 ? 2 ** -10 : 2 ** ((i - 40.5) / 4);
}

/** The counts of one namespace and model: counters, and a histogram per latency kind once used. */
export interface Slot {
  c: Float64Array;
  h: Array<Float64Array | undefined>;
}

export function newSlot(): Slot {
  return { c: new Float64Array(COUNTERS.length), h: new Array(LATENCY_KINDS.length).fill(undefined) };
}

export function addSavings(c: Float64Array, at: number, s: Savings): void {
  c[at] = c[at]! + s.inputTokens;
  c[at + 1] = c[at + 1]! + s.outputTokens;
  c[at + 2] = c[at + 2]! + s.usd;
}

export function observe(slot: Slot, kind: number, ms: number): void {
  let h = slot.h[kind];
  if (!h) {
    h = new Float64Array(HISTOGRAM_BUCKETS);
    slot.h[kind] = h;
  }
  const b = bucketOf(ms);
  h[b] = h[b]! + 1;
}

export function addSlot(into: Slot, add: Slot): void {
  for (let i = 0; i < add.c.length; i++) into.c[i] = into.c[i]! + add.c[i]!;
  for (let k = 0; k < add.h.length; k++) {
    const h = add.h[k];
    if (!h) continue;
    let to = into.h[k];
    if (!to) {
      to = new Float64Array(HISTOGRAM_BUCKETS);
      into.h[k] = to;
    }
    for (let b = 0; b < h.length; b++) to[b] = to[b]! + h[b]!;
  }
}

// Hash fields: `<namespace>|<model>|<name>`, where `|` and `%` in names are escaped.
const escapeName = (s: string) => (/[|%]/.test(s) ? s.replace(/%/g, "%25").replace(/\|/g, "%7C") : s);
const unescapeName = (s: string) => (s.includes("%") ? s.replace(/%7C/g, "|").replace(/%25/g, "%") : s);

/** The non-zero fields of a slot, as `[field, value, field, value, …]`. */
export function slotFields(namespace: string, model: string, slot: Slot, out: string[]): void {
  const head = `${escapeName(namespace)}|${escapeName(model)}|`;
  for (let i = 0; i < slot.c.length; i++) {
    const v = slot.c[i]!;
    // A NaN or infinite amount (a bad price) would fail the whole script: it is left out.
    if (v !== 0 && Number.isFinite(v)) out.push(head + COUNTERS[i]!, String(v));
  }
  for (let k = 0; k < slot.h.length; k++) {
    const h = slot.h[k];
    if (!h) continue;
    for (let b = 0; b < h.length; b++) {
      if (h[b] !== 0) out.push(`${head}lat.${LATENCY_KINDS[k]}.${b}`, String(h[b]));
    }
  }
}

const counterIndex = new Map<string, number>(COUNTERS.map((name, i) => [name, i]));
const kindIndex = new Map<string, number>(LATENCY_KINDS.map((name, i) => [name, i]));

/** Slots by namespace, then model. */
export type Slots = Map<string, Map<string, Slot>>;

export function slotIn(slots: Slots, namespace: string, model: string): Slot {
  let byModel = slots.get(namespace);
  if (!byModel) {
    byModel = new Map();
    slots.set(namespace, byModel);
  }
  let slot = byModel.get(model);
  if (!slot) {
    slot = newSlot();
    byModel.set(model, slot);
  }
  return slot;
}

/**
 * Adds one hash read from Redis (`HGETALL`: a flat array, or an object with RESP3) into `slots`.
 * Fields it does not know (markers, a newer version's counters) are skipped.
 */
export function addHash(slots: Slots, reply: unknown): void {
  const pairs: Array<[string, string]> = Array.isArray(reply)
    ? Array.from({ length: reply.length >> 1 }, (_, i) => [String(reply[2 * i]), String(reply[2 * i + 1])])
    : reply instanceof Map
      ? [...reply].map(([k, v]) => [String(k), String(v)])
      : reply && typeof reply === "object"
        ? Object.entries(reply).map(([k, v]) => [k, String(v)])
        : [];
  for (const [field, raw] of pairs) {
    const parts = field.split("|");
    if (parts.length !== 3) continue;
    const value = Number(raw);
    if (!Number.isFinite(value)) continue;
    const name = parts[2]!;
    const slot = slotIn(slots, unescapeName(parts[0]!), unescapeName(parts[1]!));
    const i = counterIndex.get(name);
    if (i !== undefined) {
      slot.c[i] = slot.c[i]! + value;
      continue;
    }
    if (!name.startsWith("lat.")) continue;
    const dot = name.lastIndexOf(".");
    const k = kindIndex.get(name.slice(4, dot));
    const b = Number(name.slice(dot + 1));
    if (k === undefined || !Number.isInteger(b) || b < 0 || b >= HISTOGRAM_BUCKETS) continue;
    let h = slot.h[k];
    if (!h) {
      h = new Float64Array(HISTOGRAM_BUCKETS);
      slot.h[k] = h;
    }
    h[b] = h[b]! + value;
  }
}

/** Latency of one kind: how many were timed, and p50/p95 in ms (0 when none). */
export interface LatencyFigure {
  count: number;
  p50: number;
  p95: number;
}

/** Hits (all four kinds together, and each) against misses, from the histograms. */
export interface FleetLatency {
  hits: LatencyFigure;
  byKind: { exact: LatencyFigure; semantic: LatencyFigure; coalesced: LatencyFigure; stale: LatencyFigure };
  misses: LatencyFigure;
}

function figure(h: Float64Array | undefined): LatencyFigure {
  if (!h) return { count: 0, p50: 0, p95: 0 };
  let count = 0;
  for (let b = 0; b < h.length; b++) count += h[b]!;
  if (count === 0) return { count: 0, p50: 0, p95: 0 };
  const at = (p: number) => {
    const rank = Math.ceil(p * count);
    let seen = 0;
    for (let b = 0; b < h.length; b++) {
      seen += h[b]!;
      if (seen >= rank) return Math.round(bucketValue(b) * 1000) / 1000;
    }
    return bucketValue(h.length - 1);
  };
  return { count, p50: at(0.5), p95: at(0.95) };
}

export function latencyOf(slot: Slot): FleetLatency {
  const hits = new Float64Array(HISTOGRAM_BUCKETS);
  for (let k = 0; k < 4; k++) {
    const h = slot.h[k];
    if (h) for (let b = 0; b < h.length; b++) hits[b] = hits[b]! + h[b]!;
  }
  return {
    hits: figure(hits),
    byKind: {
      exact: figure(slot.h[0]),
      semantic: figure(slot.h[1]),
      coalesced: figure(slot.h[2]),
      stale: figure(slot.h[3]),
    },
    misses: figure(slot.h[4]),
  };
}

/** A slot's counters as core's `NamespaceStats`, with its hit rate computed as core does. */
export function statsOf(slot: Slot): NamespaceStats {
  const s = emptyStats();
  for (let i = 0; i < COUNTERS.length; i++) {
    const path = COUNTERS[i]!.split(".");
    let at = s as unknown as Record<string, unknown>;
    for (let p = 0; p < path.length - 1; p++) at = at[path[p]!] as Record<string, unknown>;
    // Sums of floats added up in Redis: drop the noise of the last bits.
    at[path[path.length - 1]!] = Number(slot.c[i]!.toPrecision(12));
  }
  // A stale answer is served; one served by grace was first counted a miss (core's rule).
  const served = s.hits + s.semanticHits + s.coalesced + s.stale;
  const lookups = served + s.misses - s.graced;
  s.hitRate = lookups === 0 ? 0 : served / lookups;
  return s;
}

/** One namespace and model of a fleet snapshot. */
export interface FleetModelStats {
  namespace: string;
  model: string;
  stats: NamespaceStats;
  latency: FleetLatency;
}

/** Core's `StatsSnapshot` shape (total + per namespace), plus per-model counts and latencies. */
export interface FleetSnapshot extends StatsSnapshot {
  /** The time range summed, ms since the epoch: [from, to). Widened to whole buckets read. */
  from: number;
  to: number;
  /** Latency of hits and misses over the whole fleet. */
  latency: FleetLatency;
  /** Per namespace and model, sorted by namespace then model. */
  models: FleetModelStats[];
}

/** Sums slots into a snapshot. */
export function snapshotOf(slots: Slots, from: number, to: number): FleetSnapshot {
  const total = newSlot();
  const namespaces: Record<string, NamespaceStats> = Object.create(null);
  const models: FleetModelStats[] = [];
  for (const [namespace, byModel] of [...slots].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const ns = newSlot();
    for (const [model, slot] of [...byModel].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      addSlot(ns, slot);
      models.push({ namespace, model, stats: statsOf(slot), latency: latencyOf(slot) });
    }
    namespaces[namespace] = statsOf(ns);
    addSlot(total, ns);
  }
  return { total: statsOf(total), namespaces, from, to, latency: latencyOf(total), models };
}
