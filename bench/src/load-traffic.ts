/**
 * A steady mixed load on one cache: `clients` callers in closed loops (each asks again as soon as
 * it has its answer), for `durationMs`. Each ask is, by the mix, an exact repeat of a question
 * asked before whose first call finished, a paraphrase of such a question, or a new question. The
 * event loop's delay is sampled throughout (`LoopDelay`).
 */
import { createHistogram, type RecordableHistogram } from "node:perf_hooks";
import type { RecallCache } from "@recall/core";
import { percentile } from "../../packages/core/bench/figures.js";
import { ask, PHRASINGS, questionText, seeded } from "./load-questions.js";
import type { FakeUpstream } from "./load-upstream.js";

export interface Mix {
  repeat: number;
  paraphrase: number;
  fresh: number;
}

export const DEFAULT_MIX: Mix = { repeat: 0.5, paraphrase: 0.25, fresh: 0.25 };

export interface TrafficOptions {
  cache: RecallCache;
  upstream: FakeUpstream;
  clients: number;
  durationMs: number;
  mix?: Mix;
  /** Told every few seconds how far the load is. */
  progress?: (message: string) => void;
  /**
   * The questions answered so far, for a load run in rounds on the same cache: repeats and
   * paraphrases of a round draw from every earlier round's. Default: a new history.
   */
  history?: TrafficHistory;
  /**
   * The event-loop delay sampler to record with (during this run only), so that rounds add up to
   * one distribution. Default: a new one. The result's delay figures read it whole.
   */
  delay?: LoopDelay;
}

/** What a cache has answered so far under the load (see `TrafficOptions.history`). */
export interface TrafficHistory {
  /** Questions whose first call went upstream and finished: what exact repeats and paraphrases draw from. */
  answered: Array<{ intent: number; phrasing: number }>;
  known: Set<string>;
  nextIntent: number;
}

export function newTrafficHistory(): TrafficHistory {
  return { answered: [], known: new Set(), nextIntent: 0 };
}

/**
 * Samples the event loop's delay while started: a timer every `RESOLUTION_MS` records the time
 * since its previous tick, as `monitorEventLoopDelay` does. Unlike that one it can stop and start
 * again without recording the stopped time as one long delay, so rounds of a load add up.
 */
export class LoopDelay {
  readonly histogram: RecordableHistogram = createHistogram();
  #timer: NodeJS.Timeout | undefined;

  start(): void {
    if (this.#timer) return;
    let last = performance.now();
    this.#timer = setInterval(() => {
      const now = performance.now();
      this.histogram.record(Math.max(1, Math.round((now - last) * 1e6)));
      last = now;
    }, RESOLUTION_MS);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Delay beyond the sampling interval at percentile `p`, in ms. */
  percentileMs(p: number): number {
    return this.histogram.count === 0 ? 0 : delayMs(this.histogram.percentile(p));
  }

  get maxMs(): number {
    return this.histogram.count === 0 ? 0 : delayMs(this.histogram.max);
  }
}

export interface TrafficResult {
  seconds: number;
  requests: number;
  statuses: Record<string, number>;
  /** Exact repeats asked. */
  exactRepeats: number;
  /** Exact repeats answered without an upstream call (`hit`, or `semantic-hit`/`coalesced`). */
  exactFromCache: number;
  /** Lookup-to-answer time of each exact repeat answered by an exact `hit`, in ms. */
  exactHitMs: number[];
  paraphrases: number;
  paraphraseHits: number;
  /** Misses whose answer was not written to the store (a dropped or timed-out write). */
  notStored: number;
  upstreamCalls: number;
  /** Event-loop delay beyond the sampling interval, in ms. */
  eventLoopDelayP50Ms: number;
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
}

type Kind = "repeat" | "paraphrase" | "fresh";

/**
 * The sampling timer of `LoopDelay`. Its histogram records the time between the timer's ticks, so an idle loop reads the resolution itself (10 ms); the delay is what exceeds it,
 * as Fastify's under-pressure reads it.
 */
const RESOLUTION_MS = 10;
const delayMs = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MS);

export async function runTraffic(options: TrafficOptions): Promise<TrafficResult> {
  const { cache, upstream, clients, durationMs } = options;
  const mix = options.mix ?? DEFAULT_MIX;
  const history = options.history ?? newTrafficHistory();
  const { answered, known } = history;
  const result: TrafficResult = {
    seconds: 0,
    requests: 0,
    statuses: {},
    exactRepeats: 0,
    exactFromCache: 0,
    exactHitMs: [],
    paraphrases: 0,
    paraphraseHits: 0,
    notStored: 0,
    upstreamCalls: 0,
    eventLoopDelayP50Ms: 0,
    eventLoopDelayP99Ms: 0,
    eventLoopDelayMaxMs: 0,
  };
  const callsBefore = upstream.calls;

  const client = async (id: number, deadline: number) => {
    const random = seeded(id + 1);
    while (performance.now() < deadline) {
      const r = random();
      let kind: Kind = r < mix.repeat ? "repeat" : r < mix.repeat + mix.paraphrase ? "paraphrase" : "fresh";
      if (answered.length === 0) kind = "fresh";
      let intent: number;
      let phrasing: number;
      if (kind === "fresh") {
        intent = history.nextIntent++;
        phrasing = 0;
      } else {
        const earlier = answered[Math.floor(random() * answered.length)]!;
        intent = earlier.intent;
        phrasing =
          kind === "repeat"
            ? earlier.phrasing
            : (earlier.phrasing + 1 + Math.floor(random() * (PHRASINGS - 1))) % PHRASINGS;
      }
      const text = questionText(intent, phrasing);
      const started = performance.now();
      const outcome = await cache.run(ask(text), () => upstream.call(text));
      const ms = performance.now() - started;
      result.requests++;
      result.statuses[outcome.status] = (result.statuses[outcome.status] ?? 0) + 1;
      const fromCache = outcome.status !== "miss" && outcome.status !== "bypass";
      if (kind === "repeat") {
        result.exactRepeats++;
        if (fromCache) result.exactFromCache++;
        if (outcome.status === "hit") result.exactHitMs.push(ms);
      } else if (kind === "paraphrase") {
        result.paraphrases++;
        if (outcome.status === "semantic-hit") result.paraphraseHits++;
      }
      if (outcome.status === "miss") {
        if (!outcome.stored) result.notStored++;
        if (!known.has(text)) {
          known.add(text);
          answered.push({ intent, phrasing });
        }
      }
    }
  };

  const delay = options.delay ?? new LoopDelay();
  const started = performance.now();
  const deadline = started + durationMs;
  const ticker = setInterval(() => {
    const s = (performance.now() - started) / 1000;
    options.progress?.(
      `${s.toFixed(0)} s: ${result.requests} requests, ${upstream.calls - callsBefore} upstream calls, event-loop delay p99 so far ${delay.percentileMs(99).toFixed(1)} ms`,
    );
  }, 10_000);
  delay.start();
  try {
    await Promise.all(Array.from({ length: clients }, (_, i) => client(i, deadline)));
  } finally {
    delay.stop();
    clearInterval(ticker);
  }
  result.seconds = (performance.now() - started) / 1000;
  result.upstreamCalls = upstream.calls - callsBefore;
  result.eventLoopDelayP50Ms = delay.percentileMs(50);
  result.eventLoopDelayP99Ms = delay.percentileMs(99);
  result.eventLoopDelayMaxMs = delay.maxMs;
  return result;
}

/** Rounds of one load (same cache, history and delay histogram) as one result. */
export function mergeTraffic(rounds: TrafficResult[]): TrafficResult {
  const total: TrafficResult = { ...rounds.at(-1)!, statuses: {}, exactHitMs: [] };
  for (const key of [
    "seconds",
    "requests",
    "exactRepeats",
    "exactFromCache",
    "paraphrases",
    "paraphraseHits",
    "notStored",
    "upstreamCalls",
  ] as const) {
    total[key] = rounds.reduce((sum, r) => sum + r[key], 0);
  }
  for (const r of rounds) {
    for (const [status, n] of Object.entries(r.statuses))
      total.statuses[status] = (total.statuses[status] ?? 0) + n;
    total.exactHitMs.push(...r.exactHitMs);
  }
  // The delay figures of the last round already read the histogram every round recorded into.
  return total;
}

/** The exact-hit p99 of a run, in ms. */
export function exactHitP99(result: TrafficResult): number {
  return percentile([...result.exactHitMs], 99);
}
