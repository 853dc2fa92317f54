/**
 * Many instances on one Redis: what the stampede lock costs on a miss, how long a semantic entry
 * stored by one instance takes to be matched by another (through the bus), how many upstream calls
 * a cold stampede over instances makes, and what a memory tier in front of Redis would save per hit.
 * Needs Redis (REDIS_URL, default redis://127.0.0.1:6379); every key is under a prefix of its own
 * and deleted at the end.
 *   pnpm --filter @recall/redis bench [-- --quick]
 */
import { createClient } from "@keyv/redis";
import { type CacheRequest, type CacheResponse, createCache, type RecallCache } from "@recall/core";
import { fakeEmbedder } from "@recall/core/testing";
import { type BenchOptions, type Figure, percentile, round } from "../../core/bench/figures.js";
import { type RedisRecall, redisRecall } from "../src/index.js";

export type { BenchOptions, Figure };

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

const ask = (question: string): CacheRequest => ({
  model: { provider: "openai", id: "gpt-4.1-mini" },
  messages: [
    { role: "system", content: "You are the support assistant of Acme Cloud." },
    { role: "user", content: question },
  ],
});
const answer: CacheResponse = {
  body: { text: "Open Settings, then API keys, then Rotate." },
  text: "Open Settings, then API keys, then Rotate.",
  finishReason: "stop",
  usage: { inputTokens: 40, outputTokens: 12 },
};

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

export async function run({ quick, progress }: BenchOptions): Promise<Figure[]> {
  const prefix = `recall-bench:redis:${Math.random().toString(36).slice(2, 8)}`;
  const opened: RedisRecall[] = [];
  const caches: RecallCache[] = [];
  const trials = quick ? 30 : 200;
  const pairs = Array.from({ length: trials }, (_, i) => [
    `How do I rotate key ${i}?`,
    `How can I rotate the key number ${i}?`,
  ]);
  const embedder = fakeEmbedder({ synonyms: pairs, dimensions: 384 });
  /** One app instance with its own connections; `lock: false` leaves the stampede lock out. */
  const instance = (options: { lock?: boolean; semantic?: boolean } = {}) => {
    const redis = redisRecall({
      url: REDIS_URL,
      storeNamespace: `${prefix}:entries`,
      lockKeyPrefix: `${prefix}:lock:`,
      channel: `${prefix}:bus`,
      commandTimeoutMs: 2_000,
    });
    opened.push(redis);
    const cache = createCache({
      store: redis.store,
      bus: redis.bus,
      storeTimeoutMs: 2_000,
      ...(options.lock === false ? {} : { lock: redis.lock }),
      ...(options.semantic ? { semantic: { embedder, threshold: 0.95 } } : {}),
    });
    caches.push(cache);
    return cache;
  };
  const figures: Figure[] = [];

  try {
    // 1. The lock's cost on a miss: the same misses with and without it, interleaved.
    const misses = quick ? 500 : 3_000;
    progress(`lock cost: ${misses} misses with the lock, ${misses} without`);
    const withLock = instance();
    const withoutLock = instance({ lock: false });
    await Promise.all([withLock.ready(), withoutLock.ready()]);
    const upstream = async () => answer;
    const locked: number[] = [];
    const unlocked: number[] = [];
    for (let i = 0; i < misses + 100; i++) {
      let t = process.hrtime.bigint();
      await withLock.run(ask(`locked miss ${i}`), upstream);
      const a = ms(t);
      t = process.hrtime.bigint();
      await withoutLock.run(ask(`unlocked miss ${i}`), upstream);
      const b = ms(t);
      if (i >= 100) {
        locked.push(a);
        unlocked.push(b);
      }
    }
    const lockedP50 = percentile(locked, 50);
    const unlockedP50 = percentile(unlocked, 50);
    figures.push({ name: "miss_without_lock_p50_ms", value: round(unlockedP50, 3), unit: "ms" });
    figures.push({
      name: "miss_with_lock_p50_ms",
      value: round(lockedP50, 3),
      unit: "ms",
      comparedWith: "miss_without_lock_p50_ms",
      ratio: round(lockedP50 / unlockedP50, 2),
    });
    figures.push({ name: "lock_cost_on_miss_p50_ms", value: round(lockedP50 - unlockedP50, 3), unit: "ms" });

    // 2. Store in one instance → semantic hit in another, through the bus.
    progress(`bus: ${trials} semantic entries stored by instance A, polled for by instance B`);
    const a = instance({ semantic: true });
    const b = instance({ semantic: true, lock: false });
    await Promise.all([a.ready(), b.ready()]);
    const delays: number[] = [];
    let lookups = 0;
    for (let i = 0; i < trials; i++) {
      const [original, paraphrase] = pairs[i] as [string, string];
      await a.run(ask(original), upstream);
      const stored = process.hrtime.bigint();
      for (;;) {
        lookups++;
        const found = await b.lookup(ask(paraphrase), { noStore: true });
        if (found.hit && found.outcome.status === "semantic-hit") break;
        if (!found.hit) found.fail();
        if (ms(stored) > 5_000) throw new Error("instance B never matched the entry stored by A");
        await new Promise((r) => setImmediate(r));
      }
      delays.push(ms(stored));
    }
    figures.push({
      name: "bus_store_to_semantic_hit_ms",
      value: round(percentile(delays, 50), 3),
      unit: "ms",
    });
    figures.push({
      name: "bus_store_to_semantic_hit_p99_ms",
      value: round(percentile(delays, 99), 3),
      unit: "ms",
    });
    progress(`bus: ${lookups} lookups by B for ${trials} entries`);

    // 3. A cold stampede over 4 instances: 200 concurrent identical requests.
    const perInstance = 50;
    const stampede = async (lock: boolean) => {
      const fleet = [0, 1, 2, 3].map(() => instance({ lock }));
      await Promise.all(fleet.map((c) => c.ready()));
      let calls = 0;
      const slow = async () => {
        calls++;
        await new Promise((r) => setTimeout(r, 200));
        return answer;
      };
      const q = ask(`stampede ${lock ? "locked" : "unlocked"} ${Math.random()}`);
      const t = process.hrtime.bigint();
      await Promise.all(fleet.flatMap((c) => Array.from({ length: perInstance }, () => c.run(q, slow))));
      return { calls, ms: ms(t) };
    };
    progress("stampede: 4 instances x 50 identical cold requests, with and without the lock");
    const unlockedRun = await stampede(false);
    const lockedRun = await stampede(true);
    figures.push({ name: "stampede_upstream_calls_without_lock", value: unlockedRun.calls, unit: "calls" });
    figures.push({
      name: "stampede_upstream_calls",
      value: lockedRun.calls,
      unit: "calls",
      comparedWith: "stampede_upstream_calls_without_lock",
      ratio: round(lockedRun.calls / unlockedRun.calls, 2),
    });
    figures.push({ name: "stampede_all_answered_ms", value: round(lockedRun.ms, 1), unit: "ms" });

    // 4. Would a memory tier pay? A hit from Redis against a hit from process memory.
    const hits = quick ? 3_000 : 20_000;
    progress(`memory tier: ${hits} exact hits from Redis, ${hits} from memory`);
    const fromRedis = instance();
    const fromMemory = createCache();
    caches.push(fromMemory);
    await fromRedis.ready();
    const never = async (): Promise<CacheResponse> => {
      throw new Error("a hit must not call upstream");
    };
    for (let i = 0; i < 200; i++) {
      await fromRedis.run(ask(`hot ${i}`), upstream);
      await fromMemory.run(ask(`hot ${i}`), upstream);
    }
    const redisHits: number[] = [];
    const memoryHits: number[] = [];
    for (let i = 0; i < hits; i++) {
      let t = process.hrtime.bigint();
      await fromRedis.run(ask(`hot ${i % 200}`), never);
      redisHits.push(ms(t) * 1_000);
      t = process.hrtime.bigint();
      await fromMemory.run(ask(`hot ${i % 200}`), never);
      memoryHits.push(ms(t) * 1_000);
    }
    const redisP50 = percentile(redisHits, 50);
    const memoryP50 = percentile(memoryHits, 50);
    figures.push({ name: "hit_from_redis_p50_us", value: round(redisP50, 1), unit: "us" });
    figures.push({
      name: "hit_from_memory_p50_us",
      value: round(memoryP50, 1),
      unit: "us",
      comparedWith: "hit_from_redis_p50_us",
      ratio: round(memoryP50 / redisP50, 2),
    });
    figures.push({
      name: "memory_tier_saving_per_hit_us",
      value: round(redisP50 - memoryP50, 1),
      unit: "us",
    });
  } finally {
    for (const c of caches) await c.close();
    for (const r of opened) await r.close();
    await deleteKeys(`${prefix}*`);
  }
  return figures;
}

async function deleteKeys(pattern: string): Promise<void> {
  const client = createClient({ url: REDIS_URL });
  client.on("error", () => {});
  await client.connect();
  for await (const keys of client.scanIterator({ MATCH: pattern, COUNT: 1_000 })) {
    if (keys.length > 0) await client.del(keys);
  }
  client.destroy();
}
