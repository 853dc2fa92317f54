/**
 * How many semantic lookups a cache completes per second when every one needs an embedding:
 * `concurrency` callers in closed loops look up questions never asked before (so the exact read
 * misses and the question is embedded and searched), on an in-memory store, for `durationMs`.
 *
 * Only lookups whose question was embedded are counted. The cache under test is built with a
 * budget and a queue bound far above anything this load reaches (see `unshedSemantic`), so the
 * semantic step is never skipped to keep up; shed lookups (`semantic-shed`) and failed embeddings
 * (`error` events) are still counted and subtracted, should any happen.
 */
import type { Embedder, RecallCache, SemanticOptions } from "@recall/core";
import { ask, PHRASINGS, questionText } from "./load-questions.js";

/**
 * Semantic options that never shed for lack of time or room: a minute of budget and of embedding
 * time, a queue of 100,000. For measuring what the embedder can do, not what the budget lets through.
 */
export function unshedSemantic(embedder: Embedder): SemanticOptions {
  return { embedder, budgetMs: 60_000, maxQueue: 100_000, embedTimeoutMs: 60_000 };
}

export interface Throughput {
  seconds: number;
  /** Lookups that completed, embedded or not. */
  lookups: number;
  /** Lookups answered without their embedding (shed, or the embedding failed). */
  unembedded: number;
  /** `unembedded` by cause: `shed:<cause>` or an error code. */
  why: Record<string, number>;
  /** Embedded lookups per second. */
  perSecond: number;
}

let nextQuestion = 0;

export async function semanticLookupsPerSecond(
  cache: RecallCache,
  { concurrency, durationMs }: { concurrency: number; durationMs: number },
): Promise<Throughput> {
  let lookups = 0;
  let unembedded = 0;
  const why: Record<string, number> = {};
  const missed = (reason: string) => {
    unembedded++;
    why[reason] = (why[reason] ?? 0) + 1;
  };
  const off = [
    cache.on("semantic-shed", ({ cause }) => missed(`shed:${cause}`)),
    cache.on("error", ({ error }) => missed(error.code)),
  ];
  const started = performance.now();
  const deadline = started + durationMs;
  const loop = async () => {
    while (performance.now() < deadline) {
      // Questions are never repeated, in any cache or round: each one needs its own embedding.
      const i = nextQuestion++;
      const text = questionText(1_000_000 + Math.floor(i / PHRASINGS), i % PHRASINGS);
      const found = await cache.lookup(ask(text), { noStore: true });
      if (!found.hit) found.fail();
      lookups++;
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, loop));
  } finally {
    for (const stop of off) stop();
  }
  const seconds = (performance.now() - started) / 1000;
  return { seconds, lookups, unembedded, why, perSecond: (lookups - unembedded) / seconds };
}
