/**
 * What serving a stale answer costs (stale-while-revalidate): a lookup that finds an entry past its
 * TTL, answers it at once and starts the one background refresh, on the in-memory store, beside an
 * exact hit on a fresh entry measured in the same run, alternately, over the same 1,000 entries.
 * The refresh itself (an instant upstream call, validation, the write) runs between timed lookups,
 * so neither figure carries it.
 *   pnpm --filter @recall/core exec tsx bench/swr.ts [--quick]
 */
import { createCache } from "../src/cache.js";
import { fakeClock } from "../src/testing/fake-clock.js";
import { benchArgs, QUICK } from "./args.js";
import { request, response } from "./exact-workload.js";
import {
  type BenchOptions,
  comparedFigure,
  type Figure,
  percentile,
  printFigures,
  round,
} from "./figures.js";

const ENTRIES = 1_000;
const TTL = 60_000;
const upstream = async () => response;
const never = async (): Promise<typeof response> => {
  throw new Error("a hit must not call upstream");
};

function micros(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1_000;
}

export async function run({ quick, progress }: BenchOptions): Promise<Figure[]> {
  const count = quick ? 10_000 : 50_000;
  const clock = fakeClock();
  const fresh = createCache({ ttl: TTL });
  const stale = createCache({ clock, ttl: TTL, staleWhileRevalidate: Number.MAX_SAFE_INTEGER / 4 });
  for (let i = 0; i < ENTRIES; i++) {
    await fresh.run(request(i), upstream);
    await stale.run(request(i), upstream);
  }

  progress(`${count} exact hits and ${count} stale hits (each starting its refresh), alternately`);
  const exact: number[] = [];
  const staleHits: number[] = [];
  let refreshes = 0;
  stale.on("refresh", (e) => {
    if (e.result === "stored") refreshes++;
  });
  const warmup = Math.min(500, count);
  for (let i = 0; i < warmup + count; i++) {
    const req = request(i % ENTRIES);
    // Every entry is past its TTL again (the refreshes keep storing fresh ones).
    clock.advance(TTL + 1);
    let start = process.hrtime.bigint();
    const hit = await fresh.run(req, never);
    const exactUs = micros(start);
    start = process.hrtime.bigint();
    const served = await stale.run(req, upstream);
    const staleUs = micros(start);
    if (hit.status !== "hit" || served.status !== "stale")
      throw new Error(`expected a hit and a stale hit, got ${hit.status} and ${served.status}`);
    // The refresh runs here, untimed: the figure is the caller's wait, the refresh is background work.
    await stale.drain();
    if (i < warmup) continue;
    exact.push(exactUs);
    staleHits.push(staleUs);
  }
  if (refreshes < count) throw new Error(`expected a refresh per stale hit, got ${refreshes}`);

  const base: Figure = {
    name: "swr_exact_hit_memory_p50_us",
    value: round(percentile(exact, 50)),
    unit: "us",
  };
  return [
    base,
    comparedFigure("swr_stale_hit_p50_us", round(percentile(staleHits, 50)), "us", base),
    { name: "swr_stale_hit_p99_us", value: round(percentile(staleHits, 99)), unit: "us" },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await run({
    ...benchArgs("Usage: pnpm --filter @recall/core exec tsx bench/swr.ts [--quick]", QUICK),
    progress: (m) => console.error(`… ${m}`),
  });
  printFigures("Stale-while-revalidate", figures);
}
