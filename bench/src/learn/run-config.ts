/**
 * One configuration over the whole stream: a fresh in-memory cache, the questions asked one after
 * another, and per quarter of the stream what was answered from cache, what was wrong, and what
 * the judge was asked.
 */
import { createCache, type DecidedBy, type Embedder, PriceTable } from "@recall/core";
import { normalizeText } from "@recall/core/adapter";
import type { LearnConfig } from "./configs.js";
import { JUDGE_MODEL_ID, JUDGE_USAGE, simulatedJudge } from "./judge.js";
import { seededRandom } from "./random.js";
import type { AskKind, Stream } from "./stream.js";
import { ANSWER_MODEL, ANSWER_USAGE, groupOfAnswer, groupUpstream, requestFor } from "./upstream.js";

/** Observations an entry needs before vCache's rule may serve it unverified (core's `MIN_OBSERVATIONS`). */
const MIN_OBSERVATIONS = 6;

/** What let a hit through: an exact hit, or a semantic hit's `decidedBy`. */
export const hitKinds = ["exact", "threshold", "alias", "verifier", "learned"] as const satisfies Array<
  "exact" | DecidedBy
>;
export type HitKind = (typeof hitKinds)[number];

export interface Tally {
  lookups: number;
  /** Questions by kind, and how many of each were answered from cache. */
  asked: Record<AskKind, number>;
  hitsOn: Record<AskKind, number>;
  hits: number;
  /** Hits whose answer names another group than the question's. */
  wrong: number;
  hitsBy: Record<HitKind, number>;
  wrongBy: Record<HitKind, number>;
  /** Verdicts asked of the judge for questions in this part of the stream, and how many it got wrong. */
  judgeCalls: number;
  judgeWrong: number;
  upstreamCalls: number;
}

export interface ConfigResult {
  config: LearnConfig;
  /** The four quarters of the stream, in order. */
  quarters: Tally[];
  total: Tally;
  judgeUsd: number;
  upstreamUsd: number;
  /** What hits saved (core's stats), before the judge's cost. */
  savedUsd: number;
  /** Entries the judge was asked about, how many got at least `MIN_OBSERVATIONS` verdicts, the most any got. */
  evidence: { entries: number; enough: number; most: number };
  /** Core's count of verifications (to check against the judge's own), failures, their cost and promotions. */
  core: { verifyCalls: number; verifyFailed: number; verifyUsd: number; promotions: number };
}

export interface RunConfigOptions {
  stream: Stream;
  config: LearnConfig;
  embedder: Embedder;
  judgeAccuracy: number;
  progress: (message: string) => void;
}

const zeros = <K extends string>(keys: readonly K[]) =>
  Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
const askKinds = ["first", "repeat-meaning", "exact-repeat"] as const;

function emptyTally(): Tally {
  return {
    lookups: 0,
    asked: zeros(askKinds),
    hitsOn: zeros(askKinds),
    hits: 0,
    wrong: 0,
    hitsBy: zeros(hitKinds),
    wrongBy: zeros(hitKinds),
    judgeCalls: 0,
    judgeWrong: 0,
    upstreamCalls: 0,
  };
}

/** Sums tallies (the whole stream from its quarters). */
export function sumTallies(parts: Tally[]): Tally {
  const total = emptyTally();
  const add = (into: Record<string, unknown>, from: Record<string, unknown>) => {
    for (const [k, v] of Object.entries(from)) {
      if (typeof v === "number") into[k] = (into[k] as number) + v;
      else add(into[k] as Record<string, unknown>, v as Record<string, unknown>);
    }
  };
  for (const p of parts)
    add(total as unknown as Record<string, unknown>, p as unknown as Record<string, unknown>);
  return total;
}

export async function runConfig({
  stream,
  config,
  embedder,
  judgeAccuracy,
  progress,
}: RunConfigOptions): Promise<ConfigResult> {
  const n = stream.asks.length;
  const quarterOf = (index: number) => Math.min(3, Math.floor((index * 4) / n));
  const quarters = [emptyTally(), emptyTally(), emptyTally(), emptyTally()];
  // A verdict counts for the latest ask of the question it was asked about (in async mode it comes
  // after that ask's answer).
  const lastAsk = new Map<string, number>();
  const judge = simulatedJudge({
    groupOf: stream.groupOf,
    accuracy: judgeAccuracy,
    seed: stream.seed,
    onVerdict: (request, _verdict, right) => {
      const index = lastAsk.get(normalizeText(request.question));
      const q = quarters[quarterOf(index ?? n - 1)]!;
      q.judgeCalls++;
      if (!right) q.judgeWrong++;
    },
  });
  const upstream = groupUpstream();
  const cache = createCache({
    maxEntries: 1_000_000,
    semantic: {
      embedder,
      threshold: config.threshold,
      // Never shed a lookup for load: the figures are about matching, not about this machine.
      budgetMs: 60_000,
      maxQueue: 100_000,
      ...(config.verify
        ? {
            verify: {
              verifier: judge,
              mode: config.verify.mode,
              bound: config.verify.bound,
              random: seededRandom(stream.seed),
            },
          }
        : {}),
    },
  });
  let last = Date.now();
  let quarter = 0;
  for (const ask of stream.asks) {
    if (quarterOf(ask.index) !== quarter) {
      // Background verifications of a quarter are counted in it.
      await cache.drain();
      quarter = quarterOf(ask.index);
    }
    lastAsk.set(normalizeText(ask.question), ask.index);
    const q = quarters[quarter]!;
    const before = upstream.calls;
    const outcome = await cache.run(requestFor(ask.question), upstream.answer(ask.group));
    q.lookups++;
    q.asked[ask.kind]++;
    q.upstreamCalls += upstream.calls - before;
    if (outcome.status === "hit" || outcome.status === "semantic-hit") {
      const kind: HitKind = outcome.status === "hit" ? "exact" : (outcome.decidedBy ?? "threshold");
      q.hits++;
      q.hitsOn[ask.kind]++;
      q.hitsBy[kind]++;
      if (groupOfAnswer(outcome.response.text) !== ask.group) {
        q.wrong++;
        q.wrongBy[kind]++;
      }
    }
    if (Date.now() - last > 5_000 || ask.index === n - 1) {
      last = Date.now();
      const t = sumTallies(quarters);
      progress(
        `${config.name}: ${ask.index + 1}/${n} questions, ${t.hits} hits (${t.wrong} wrong), ${t.judgeCalls} judge calls, ${upstream.calls} upstream calls`,
      );
    }
  }
  await cache.drain();

  const total = sumTallies(quarters);
  const snapshot = cache.stats.snapshot().total;
  await cache.close();
  const verdicts = [...judge.perEntry.values()];
  const evidence = {
    entries: verdicts.length,
    enough: verdicts.filter((v) => v >= MIN_OBSERVATIONS).length,
    most: Math.max(0, ...verdicts),
  };
  if (config.verify)
    progress(
      `${config.name}: the judge was asked about ${evidence.entries} entries; ${evidence.enough} got ${MIN_OBSERVATIONS} verdicts or more (the least before an entry may serve unverified), the most ${evidence.most}`,
    );
  const prices = new PriceTable();
  const judgeUsd = total.judgeCalls * prices.savings(JUDGE_MODEL_ID, JUDGE_USAGE).usd;
  const upstreamUsd = upstream.calls * prices.savings(ANSWER_MODEL.id, ANSWER_USAGE).usd;
  return {
    config,
    quarters,
    total,
    judgeUsd,
    upstreamUsd,
    savedUsd: snapshot.saved.usd,
    evidence,
    core: {
      verifyCalls: snapshot.verify.calls,
      verifyFailed: snapshot.verify.failed,
      verifyUsd: snapshot.verify.cost.usd,
      promotions: snapshot.promotions,
    },
  };
}
