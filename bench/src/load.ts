/**
 * Semantic matching under load (issue 14), in four parts of one run:
 *
 * 1. 32 concurrent clients for 30 s in all (quick: 5 s) on a Redis store with the default store
 *    timeout, semantic matching on with the local embedder at its defaults: half exact repeats, a
 *    quarter paraphrases, a quarter new questions; a fake model that only waits 100-300 ms.
 *    Event-loop delay, exact-hit latency and the share of exact repeats answered from the cache.
 * 2. The same load on a cache without semantic matching, for the exact-hit latency beside it. Parts
 *    1 and 2 run in alternating rounds (3 of 10 s each; quick: 2 of 2.5 s), like part 3.
 * 3. Semantic lookups of new questions per second, embedder with its worker pool against the same
 *    on the main thread (`threads: 0`), in alternating rounds.
 * 4. The stampede: 4 processes on one Redis (store, lock, bus), each under a background load, fire
 *    50 identical cold requests each at the same instant, 5 times; the most upstream calls a burst made.
 *
 * Needs Redis (REDIS_URL, default redis://127.0.0.1:6379); every key is under a prefix of its own
 * and deleted at the end.
 *   pnpm bench --only=load [--quick]
 */
import { createCache, type RecallCache } from "@recall/core";
import { redisRecall } from "@recall/redis";
import { createLocalEmbedder } from "@recall/transformers";
import { type BenchOptions, comparedFigure, type Figure, round } from "../../packages/core/bench/figures.js";
import { deleteKeys, REDIS_URL, runPrefix } from "./load-redis.js";
import { runStampede } from "./load-stampede.js";
import { semanticLookupsPerSecond, unshedSemantic } from "./load-throughput.js";
import {
  exactHitP99,
  LoopDelay,
  mergeTraffic,
  newTrafficHistory,
  runTraffic,
  type TrafficResult,
} from "./load-traffic.js";
import { fakeUpstream } from "./load-upstream.js";

const CLIENTS = 32;

export async function run({ quick, progress }: BenchOptions): Promise<Figure[]> {
  const prefix = runPrefix();
  const figures: Figure[] = [];
  // What is open, closed at the end of its part, or in `finally` after a failure part-way.
  const closing: Array<() => Promise<unknown>> = [];
  const toClose = (close: () => Promise<unknown>) => {
    let closed: Promise<unknown> | undefined;
    const once = () => {
      closed ??= close();
      return closed;
    };
    closing.push(once);
    return once;
  };
  try {
    // 1 and 2: the mixed load on two caches, semantic on and off, in alternating rounds (on first
    // in odd rounds, off first in even ones), so that what else the host runs meanwhile weighs on
    // both alike. Each cache keeps its entries, history and event-loop delay samples across rounds.
    const loadRounds = quick ? 2 : 3;
    const loadRoundMs = ((quick ? 5 : 30) * 1000) / loadRounds;
    const local = createLocalEmbedder();
    const closeEmbedder = toClose(() => local.dispose());
    await local.load();
    await local.embed(["warm up the model"]);
    const modes = [true, false].map((semantic) => {
      const label = semantic ? "semantic on" : "semantic off";
      const redis = redisRecall({ url: REDIS_URL, storeNamespace: `${prefix}-${semantic ? "on" : "off"}` });
      const closeRedis = toClose(() => redis.close());
      const cache = createCache({
        store: redis.store,
        keyPrefix: prefix,
        ...(semantic ? { semantic: { embedder: local } } : {}),
      });
      const closeCache = toClose(() => cache.close());
      return {
        label,
        cache,
        closeAll: async () => {
          await closeCache();
          await closeRedis();
        },
        errors: countEvents(cache),
        history: newTrafficHistory(),
        delay: new LoopDelay(),
        upstream: fakeUpstream(),
        rounds: [] as TrafficResult[],
      };
    });
    await Promise.all(modes.map((m) => m.cache.ready()));
    progress(
      `${loadRounds} round(s) of ${loadRoundMs / 1000} s each, semantic on and off in turn: ${CLIENTS} clients (50% exact repeats, 25% paraphrases, 25% new)`,
    );
    for (let r = 0; r < loadRounds; r++) {
      for (const mode of r % 2 === 0 ? modes : [...modes].reverse()) {
        mode.rounds.push(
          await runTraffic({
            cache: mode.cache,
            upstream: mode.upstream,
            clients: CLIENTS,
            durationMs: loadRoundMs,
            history: mode.history,
            delay: mode.delay,
            progress: (m) => progress(`${mode.label}, round ${r + 1}/${loadRounds}: ${m}`),
          }),
        );
      }
      progress(`round ${r + 1}/${loadRounds} done`);
    }
    const [on, off] = modes.map((mode) => {
      const result = mergeTraffic(mode.rounds);
      progress(
        `${mode.label}: ${result.requests} requests (${(result.requests / result.seconds).toFixed(0)}/s), ${result.upstreamCalls} upstream; ${JSON.stringify(result.statuses)}; exact repeats from cache ${result.exactFromCache}/${result.exactRepeats}; paraphrase hits ${result.paraphraseHits}/${result.paraphrases}; answers not stored ${result.notStored}; ${mode.errors.summary()}; event-loop delay p50 ${result.eventLoopDelayP50Ms.toFixed(1)} ms, p99 ${result.eventLoopDelayP99Ms.toFixed(1)} ms, max ${result.eventLoopDelayMaxMs.toFixed(0)} ms; exact-hit p99 by round ${mode.rounds.map((x) => exactHitP99(x).toFixed(2)).join(", ")} ms`,
      );
      return result;
    }) as [TrafficResult, TrafficResult];
    for (const mode of modes) await mode.closeAll();
    await closeEmbedder();
    const onP99 = exactHitP99(on);
    const offP99 = exactHitP99(off);
    const loopOff = comparedFigure(
      "load_event_loop_delay_p99_ms_semantic_off",
      round(off.eventLoopDelayP99Ms, 2),
      "ms",
    );
    const exactOff = comparedFigure("load_exact_hit_p99_ms_semantic_off", round(offP99, 3), "ms");
    figures.push(
      loopOff,
      comparedFigure("load_event_loop_delay_p99_ms", round(on.eventLoopDelayP99Ms, 2), "ms", loopOff),
      exactOff,
      comparedFigure("load_exact_hit_p99_ms", round(onP99, 3), "ms", exactOff),
      {
        name: "load_exact_repeat_hit_rate",
        value: round(on.exactFromCache / on.exactRepeats, 4),
        unit: "ratio",
      },
    );

    // 3: embedded lookups per second, pool against main thread, alternating rounds.
    const rounds = quick ? 2 : 4;
    const roundMs = quick ? 1_500 : 4_000;
    progress(
      `semantic lookups: ${rounds} round(s) of ${roundMs / 1000} s each with the pool and on the main thread`,
    );
    const pooled = createLocalEmbedder();
    const mainThread = createLocalEmbedder({ threads: 0 });
    const closeEmbedders = [toClose(() => pooled.dispose()), toClose(() => mainThread.dispose())];
    await Promise.all([pooled.load(), mainThread.load()]);
    // Budget and queue bound far above this load: every counted lookup was embedded (see load-throughput.ts).
    const caches = [pooled, mainThread].map((e) => createCache({ semantic: unshedSemantic(e) }));
    const closeCaches = caches.map((c) => toClose(() => c.close()));
    const totals = caches.map(() => ({
      embedded: 0,
      unembedded: 0,
      seconds: 0,
      why: {} as Record<string, number>,
    }));
    for (let r = 0; r < rounds + 1; r++) {
      // Pool first in even rounds, main thread first in odd ones, so neither always runs second.
      const order = r % 2 === 0 ? [0, 1] : [1, 0];
      for (const i of order) {
        const cache = caches[i]!;
        // Round 0 warms both up (model sessions, worker start) and is not counted.
        const t = await semanticLookupsPerSecond(cache, {
          concurrency: CLIENTS,
          durationMs: r === 0 ? 1_000 : roundMs,
        });
        if (r === 0) continue;
        totals[i]!.embedded += t.lookups - t.unembedded;
        totals[i]!.unembedded += t.unembedded;
        for (const [reason, n] of Object.entries(t.why))
          totals[i]!.why[reason] = (totals[i]!.why[reason] ?? 0) + n;
        totals[i]!.seconds += t.seconds;
      }
      if (r > 0) progress(`semantic lookups: round ${r}/${rounds} done`);
    }
    const [poolRate, mainRate] = totals.map((t) => t.embedded / t.seconds) as [number, number];
    progress(
      `semantic lookups: pool ${poolRate.toFixed(0)}/s, main thread ${mainRate.toFixed(0)}/s; not embedded (shed or failed, not counted): ${totals[0]!.unembedded} ${JSON.stringify(totals[0]!.why)} / ${totals[1]!.unembedded} ${JSON.stringify(totals[1]!.why)}`,
    );
    for (const close of [...closeCaches, ...closeEmbedders]) await close();
    const mainThreadFigure = comparedFigure(
      "load_semantic_lookups_per_s_main_thread",
      round(mainRate, 1),
      "lookups/s",
    );
    figures.push(
      mainThreadFigure,
      comparedFigure("load_semantic_lookups_per_s", round(poolRate, 1), "lookups/s", mainThreadFigure),
    );

    // 4: the stampede over processes, under load.
    const stampede = await runStampede({
      redisUrl: REDIS_URL,
      prefix: `${prefix}-stampede`,
      processes: 4,
      requests: 50,
      bursts: 5,
      backgroundClients: CLIENTS / 4,
      warmupMs: quick ? 1_000 : 3_000,
      progress: (m) => progress(`stampede: ${m}`),
    });
    progress(
      `stampede: upstream calls per burst ${stampede.upstreamCalls.join(", ")}; background ${stampede.backgroundRequests} requests; shed ${stampede.shed}; errors ${JSON.stringify(stampede.errors)}`,
    );
    figures.push({
      name: "load_stampede_upstream_calls",
      value: Math.max(...stampede.upstreamCalls),
      unit: "calls",
    });
  } finally {
    for (const close of closing.reverse()) await close().catch(() => {});
    const deleted = await deleteKeys(prefix);
    progress(`deleted ${deleted} Redis keys under ${prefix}`);
  }
  return figures;
}

/** Counts a cache's `error` events by code and its `semantic-shed` events by cause, for the progress lines. */
function countEvents(cache: RecallCache): { summary(): string } {
  const errors: Record<string, number> = {};
  const shed: Record<string, number> = {};
  cache.on("error", ({ error }) => {
    errors[error.code] = (errors[error.code] ?? 0) + 1;
  });
  cache.on("semantic-shed", ({ during, cause }) => {
    shed[`${during}:${cause}`] = (shed[`${during}:${cause}`] ?? 0) + 1;
  });
  return { summary: () => `errors ${JSON.stringify(errors)}, semantic shed ${JSON.stringify(shed)}` };
}
