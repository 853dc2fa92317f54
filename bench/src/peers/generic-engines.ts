/**
 * Exact hits on generic caching engines a user could put in front of an LLM call instead of
 * Recall: bentocache (memory and Redis drivers, `getOrSet`), cacheable (Keyv-based, `getOrSet`)
 * and @epic-web/cachified (with the lru-cache adapter its README shows), each set up as its README
 * says, beside Recall's exact hit on the same store; and how many upstream calls 200 concurrent
 * identical misses make on each.
 *
 * The peers cache a value under a key: the key is `JSON.stringify(request)` (what the AI SDK
 * recipe does too), the value the same response object Recall stores.
 */
import { type CacheEntry, type Cache as CachifiedCache, cachified, totalTtl } from "@epic-web/cachified";
import KeyvRedis from "@keyv/redis";
import type { CacheResponse } from "@recall/core";
import { createCache } from "@recall/core";
import { BentoCache, bentostore } from "bentocache";
import { memoryDriver } from "bentocache/drivers/memory";
import { redisDriver } from "bentocache/drivers/redis";
import { Cacheable } from "cacheable";
import Keyv from "keyv";
import { LRUCache } from "lru-cache";
import { request, response } from "../../../packages/core/bench/exact-workload.js";
import type { BenchOptions } from "../../../packages/core/bench/figures.js";
import { timeInterleaved } from "../../../packages/core/bench/figures.js";
import { attempt, emptyReport, type PeerReport, p50Figure, REDIS_URL, sleep, yesNo } from "./common.js";

const ENTRIES = 1_000;
export const keyOf = (i: number) => JSON.stringify(request(i));
const mustHit = async (): Promise<CacheResponse> => {
  throw new Error("a hit must not call upstream");
};

/** A "get or compute" call: the common shape every engine is measured through. */
type GetOrSet = (i: number, upstream: () => Promise<CacheResponse>) => Promise<unknown>;

/** The lru-cache adapter of cachified's README. */
function cachifiedLru(): CachifiedCache {
  const lruInstance = new LRUCache<string, CacheEntry>({ max: 10_000 });
  return {
    set(key, value) {
      const ttl = totalTtl(value?.metadata);
      return lruInstance.set(key, value, {
        ttl: ttl === Number.POSITIVE_INFINITY ? undefined : ttl,
        start: value?.metadata?.createdTime,
      });
    },
    get(key) {
      return lruInstance.get(key);
    },
    delete(key) {
      return lruInstance.delete(key);
    },
  };
}

/** bentocache on Redis only (its L2 layer, no bus), as measured here and over processes. */
export function bentoRedis(prefix: string): BentoCache<{ redis: ReturnType<typeof bentostore> }> {
  const url = new URL(REDIS_URL);
  return new BentoCache({
    default: "redis",
    prefix,
    stores: {
      redis: bentostore().useL2Layer(
        redisDriver({ connection: { host: url.hostname, port: Number(url.port || 6379) } }),
      ),
    },
  });
}

/** Upstream calls made by 200 concurrent identical misses (the upstream takes 50 ms). */
async function stampede(getOrSet: GetOrSet, i: number): Promise<number> {
  let calls = 0;
  const upstream = async () => {
    calls++;
    await sleep(50);
    return response;
  };
  await Promise.all(Array.from({ length: 200 }, () => getOrSet(i, upstream)));
  return calls;
}

async function fill(getOrSet: GetOrSet): Promise<void> {
  for (let i = 0; i < ENTRIES; i++) await getOrSet(i, async () => response);
}

/** Round-robin over the entries: each op gets its own counter. */
const cycling = (getOrSet: GetOrSet) => {
  let n = 0;
  return () => getOrSet(n++ % ENTRIES, mustHit);
};

export async function run({ quick, progress }: BenchOptions): Promise<PeerReport> {
  const report = emptyReport();
  const count = quick ? 5_000 : 20_000;
  const prefix = `recall-bench-peers-${process.pid}`;

  // --- memory ---
  const recall = createCache();
  const recallGet: GetOrSet = (i, upstream) => recall.run(request(i), upstream);
  const engines: Array<{ name: string; figure: string; getOrSet: GetOrSet }> = [];
  await attempt(report, "bentocache (memory)", progress, async () => {
    const bento = new BentoCache({
      default: "memory",
      stores: { memory: bentostore().useL1Layer(memoryDriver({ maxSize: "100mb" })) },
    });
    engines.push({
      name: "bentocache (memory)",
      figure: "peer_bentocache_hit_memory_p50_us",
      getOrSet: (i, upstream) => bento.getOrSet({ key: keyOf(i), factory: upstream }),
    });
  });
  await attempt(report, "cacheable (memory)", progress, async () => {
    const cacheable = new Cacheable();
    engines.push({
      name: "cacheable (memory)",
      figure: "peer_cacheable_hit_memory_p50_us",
      getOrSet: (i, upstream) => cacheable.getOrSet(keyOf(i), upstream),
    });
  });
  await attempt(report, "cachified (lru-cache)", progress, async () => {
    const cache = cachifiedLru();
    engines.push({
      name: "cachified (lru-cache)",
      figure: "peer_cachified_hit_memory_p50_us",
      getOrSet: (i, upstream) => cachified({ key: keyOf(i), cache, getFreshValue: upstream }),
    });
  });

  progress(
    `exact hits, memory: ${count} hits each through Recall and ${engines.map((e) => e.name).join(", ")}, interleaved`,
  );
  const live: typeof engines = [];
  for (const e of engines)
    await attempt(report, e.name, progress, async () => {
      await fill(e.getOrSet);
      await e.getOrSet(0, mustHit);
      live.push(e);
    });
  await fill(recallGet);
  const [recallMemory, ...peerMemory] = await timeInterleaved(count, [
    cycling(recallGet),
    ...live.map((e) => cycling(e.getOrSet)),
  ]);
  const recallMemoryFigure = p50Figure("peer_recall_hit_memory_p50_us", recallMemory);
  report.figures.push(recallMemoryFigure);
  for (const [k, e] of live.entries())
    report.figures.push(p50Figure(e.figure, peerMemory[k]!, recallMemoryFigure));

  progress("stampede: 200 concurrent identical misses on each (the upstream takes 50 ms)");
  const recallCalls = await stampede(recallGet, 1_000_000);
  report.behaviours.push({
    cache: "Recall (memory)",
    behaviour: "stampede: 200 identical misses make 1 upstream call",
    answer: yesNo(recallCalls === 1),
    measured: `${recallCalls} upstream calls`,
  });
  for (const e of live) {
    const calls = await stampede(e.getOrSet, 1_000_000);
    report.behaviours.push({
      cache: e.name,
      behaviour: "stampede: 200 identical misses make 1 upstream call",
      answer: yesNo(calls === 1),
      measured: `${calls} upstream calls`,
    });
  }

  // --- Redis ---
  progress(
    `exact hits, Redis at ${REDIS_URL}: ${count} hits each through Recall and bentocache, interleaved`,
  );
  const keyv = new Keyv({ store: new KeyvRedis(REDIS_URL), namespace: `${prefix}-recall` });
  const recallRedis = createCache({ store: keyv, storeTimeoutMs: 1_000 });
  const recallRedisGet: GetOrSet = (i, upstream) => recallRedis.run(request(i), upstream);
  let bento: BentoCache<{ redis: ReturnType<typeof bentostore> }> | undefined;
  try {
    await fill(recallRedisGet);
    let bentoGet: GetOrSet | undefined;
    await attempt(report, "bentocache (redis)", progress, async () => {
      bento = bentoRedis(`${prefix}-bento`);
      const b = bento;
      const get: GetOrSet = (i, upstream) => b.getOrSet({ key: keyOf(i), factory: upstream });
      await fill(get);
      await get(0, mustHit);
      bentoGet = get;
    });
    const ops = [cycling(recallRedisGet), ...(bentoGet ? [cycling(bentoGet)] : [])];
    const [recallRedisSamples, bentoRedisSamples] = await timeInterleaved(count, ops);
    const recallRedisFigure = p50Figure("peer_recall_hit_redis_p50_us", recallRedisSamples!);
    report.figures.push(recallRedisFigure);
    if (bentoGet && bentoRedisSamples)
      report.figures.push(
        p50Figure("peer_bentocache_hit_redis_p50_us", bentoRedisSamples, recallRedisFigure),
      );

    const recallRedisCalls = await stampede(recallRedisGet, 2_000_000);
    report.behaviours.push({
      cache: "Recall (Redis store)",
      behaviour: "stampede: 200 identical misses make 1 upstream call",
      answer: yesNo(recallRedisCalls === 1),
      measured: `${recallRedisCalls} upstream calls`,
    });
    if (bentoGet) {
      const calls = await stampede(bentoGet, 2_000_000);
      report.behaviours.push({
        cache: "bentocache (redis)",
        behaviour: "stampede: 200 identical misses make 1 upstream call",
        answer: yesNo(calls === 1),
        measured: `${calls} upstream calls`,
      });
    }
  } finally {
    await keyv.clear().catch(() => {});
    await keyv.disconnect().catch(() => {});
    if (bento) {
      await bento.clear().catch(() => {});
      await bento.disconnectAll().catch(() => {});
    }
  }
  return report;
}
