/**
 * The cost of an exact hit on the in-memory store and on Redis (p50/p99 over ≥10,000 hits), and
 * what a miss adds on top of the upstream call.
 *   pnpm --filter @recall/core exec tsx bench/exact-hit.ts
 */
import KeyvRedis from "@keyv/redis";
import Keyv from "keyv";
import { createCache } from "../src/cache.js";
import { benchArgs, QUICK } from "./args.js";
import { request, response } from "./exact-workload.js";
import { type BenchOptions, type Figure, percentile, round, timeEach } from "./figures.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

const upstream = async () => response;

async function hits(
  cache: ReturnType<typeof createCache>,
  entries: number,
  count: number,
): Promise<number[]> {
  for (let i = 0; i < entries; i++) await cache.run(request(i), upstream);
  return timeEach(count, (i) =>
    cache.run(request(i % entries), () => {
      throw new Error("a hit must not call upstream");
    }),
  );
}

export async function run({ quick, progress }: BenchOptions): Promise<Figure[]> {
  const count = quick ? 10_000 : 50_000;
  const figures: Figure[] = [];

  progress(`exact hits, in-memory store: ${count} hits`);
  const memory = await hits(createCache(), 1_000, count);
  const memP50 = percentile(memory, 50);
  figures.push({ name: "exact_hit_memory_p50_us", value: round(memP50), unit: "us" });
  figures.push({ name: "exact_hit_memory_p99_us", value: round(percentile(memory, 99)), unit: "us" });

  progress(`exact hits, Redis store at ${REDIS_URL}: ${count} hits`);
  const namespace = `recall-bench-${process.pid}`;
  const keyv = new Keyv({ store: new KeyvRedis(REDIS_URL), namespace });
  try {
    const redis = await hits(createCache({ store: keyv, storeTimeoutMs: 1_000 }), 1_000, count);
    const p50 = percentile(redis, 50);
    figures.push({
      name: "exact_hit_redis_p50_us",
      value: round(p50),
      unit: "us",
      comparedWith: "exact_hit_memory_p50_us",
      ratio: round(p50 / memP50),
    });
    figures.push({ name: "exact_hit_redis_p99_us", value: round(percentile(redis, 99)), unit: "us" });
    // What a round trip to Redis costs by itself, to see the engine's share of a Redis hit.
    const raw = await timeEach(count, () => keyv.get("recall-bench-absent"));
    figures.push({ name: "redis_get_p50_us", value: round(percentile(raw, 50)), unit: "us" });
  } finally {
    await keyv.clear();
    await keyv.disconnect();
  }

  progress("miss overhead: a cache miss and store around an instant upstream call");
  const missCache = createCache({ maxEntries: 1_000_000 });
  let n = 0;
  const direct = await timeEach(count, () => upstream());
  const misses = await timeEach(count, () => missCache.run(request(1_000_000 + n++), upstream));
  const missP50 = percentile(misses, 50);
  const directP50 = percentile(direct, 50);
  figures.push({ name: "miss_overhead_memory_p50_us", value: round(missP50 - directP50), unit: "us" });
  return figures;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await run({
    ...benchArgs("Usage: pnpm --filter @recall/core exec tsx bench/exact-hit.ts [--quick]", QUICK),
    progress: (m) => console.error(`… ${m}`),
  });
  console.table(figures);
}
