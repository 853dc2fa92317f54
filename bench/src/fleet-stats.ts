/**
 * What fleet stats add to an exact hit on Redis (issue 16): the same hits through two caches on one
 * Redis store from @recall/redis, one with `fleetStats` listening, timed alternately in one run (each
 * goes first every other round, so neither always pays for the other's leftovers). The fleet cache
 * flushes every 2 s (its default) during the run, on the same connection, as it would in production.
 *   pnpm bench --only=fleet     or     pnpm --filter @recall/bench exec tsx src/fleet-stats.ts [--quick]
 */
import { createCache, type RecallCache } from "@recall/core";
import { createRedisStore, fleetStats, redisRecall } from "@recall/redis";
import { benchArgs, QUICK } from "../../packages/core/bench/args.js";
import { request, response } from "../../packages/core/bench/exact-workload.js";
import {
  type BenchOptions,
  comparedFigure,
  type Figure,
  percentile,
  printFigures,
  round,
} from "../../packages/core/bench/figures.js";
import { REDIS_URL } from "./load-redis.js";

const ENTRIES = 1_000;

const never = async () => {
  throw new Error("a hit must not call upstream");
};

async function hit(cache: RecallCache, i: number): Promise<number> {
  const start = process.hrtime.bigint();
  const out = await cache.run(request(i % ENTRIES), never);
  const us = Number(process.hrtime.bigint() - start) / 1_000;
  if (out.status !== "hit") throw new Error(`expected a hit, got ${out.status}`);
  return us;
}

export async function run({ quick, progress }: BenchOptions): Promise<Figure[]> {
  const count = quick ? 10_000 : 50_000;
  const tag = `recall-bench-fleet-${process.pid}`;
  const redis = redisRecall({ url: REDIS_URL });
  const stores = [`${tag}-plain`, `${tag}-fleet`].map((namespace) =>
    createRedisStore({ client: redis.client, namespace }),
  );
  const plain = createCache({ store: stores[0]! });
  const counted = createCache({ store: stores[1]! });
  const errors: string[] = [];
  const fleet = fleetStats(counted, { redis, prefix: tag, onError: (e) => errors.push(e.message) });
  try {
    progress(`${ENTRIES} entries in each cache on ${REDIS_URL}`);
    for (let i = 0; i < ENTRIES; i++) {
      await plain.run(request(i), async () => response);
      await counted.run(request(i), async () => response);
    }
    progress(`${count} exact hits through each, alternately (fleet stats flushing every 2 s)`);
    const base: number[] = [];
    const withFleet: number[] = [];
    const warmup = Math.min(500, count);
    for (let i = 0; i < warmup + count; i++) {
      let plainUs: number;
      let fleetUs: number;
      if (i % 2 === 0) {
        plainUs = await hit(plain, i);
        fleetUs = await hit(counted, i);
      } else {
        fleetUs = await hit(counted, i);
        plainUs = await hit(plain, i);
      }
      if (i < warmup) continue;
      base.push(plainUs);
      withFleet.push(fleetUs);
    }
    await fleet.flush();
    const seen = (await fleet.snapshot()).total.hits;
    if (seen !== warmup + count) throw new Error(`fleet stats counted ${seen} hits of ${warmup + count}`);
    if (errors.length) throw new Error(`fleet stats reported: ${errors[0]}`);
    const baseFigure: Figure = {
      name: "fleet_exact_hit_redis_p50_us",
      value: round(percentile(base, 50)),
      unit: "us",
    };
    const fleetP50 = round(percentile(withFleet, 50));
    return [
      baseFigure,
      comparedFigure("exact_hit_redis_fleet_stats_p50_us", fleetP50, "us", baseFigure),
      {
        name: "exact_hit_redis_fleet_stats_added_p50_us",
        value: round(fleetP50 - baseFigure.value),
        unit: "us",
      },
      { name: "fleet_exact_hit_redis_p99_us", value: round(percentile(base, 99)), unit: "us" },
      { name: "exact_hit_redis_fleet_stats_p99_us", value: round(percentile(withFleet, 99)), unit: "us" },
    ];
  } finally {
    await fleet.close();
    await plain.close();
    await counted.close();
    for (const store of stores) await store.clear();
    // The fleet's buckets and sequence key.
    const client = redis.client as { sendCommand(args: string[]): Promise<unknown> };
    let cursor = "0";
    do {
      const [next, keys] = (await client.sendCommand([
        "SCAN",
        cursor,
        "MATCH",
        `{${tag}:fleet}*`,
        "COUNT",
        "1000",
      ])) as [string, string[]];
      cursor = next;
      if (keys.length) await client.sendCommand(["DEL", ...keys]);
    } while (cursor !== "0");
    await redis.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await run({
    ...benchArgs("Usage: pnpm --filter @recall/bench exec tsx src/fleet-stats.ts [--quick]", QUICK),
    progress: (m) => console.error(`… ${m}`),
  });
  printFigures("Fleet stats on an exact hit (Redis)", figures);
  const [base, fleet] = figures;
  console.log(
    `\nexact hit on Redis, p50: ${base!.value} µs without fleet stats, ${fleet!.value} µs with them: ratio ${fleet!.ratio}x`,
  );
}
