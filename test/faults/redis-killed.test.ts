import type { CacheResponse, RecallCache } from "@recall/core";
import { fakeClock } from "@recall/core/testing";
import type { RedisRecall } from "@recall/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ask, createApp } from "../support/app.js";
import { type RedisServer, sleep, startRedisServer, until } from "../support/processes.js";

const UPSTREAM_MS = 20;
const STORE_TIMEOUT_MS = 100;
const COOLDOWN_MS = 1_000;

/** An upstream model that always answers, after UPSTREAM_MS. */
async function model(question: string): Promise<CacheResponse> {
  await sleep(UPSTREAM_MS);
  return {
    body: { answer: `about ${question}` },
    text: `about ${question}`,
    finishReason: "stop",
    usage: { inputTokens: 9, outputTokens: 9 },
  };
}

describe("Redis killed mid-run, then restarted", () => {
  let redis: RedisServer;
  const apps: Array<{ cache: RecallCache; redis: RedisRecall }> = [];
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    for (const app of apps) {
      await app.cache.close();
      await app.redis.close();
    }
    await redis?.stop();
  });

  it("keeps every call succeeding, with no more added latency than the store timeout, and resumes caching", async () => {
    const config = {
      redisUrl: redis.url,
      prefix: "killed",
      storeTimeoutMs: STORE_TIMEOUT_MS,
      semantic: true,
    };
    // The lock breaker's cooldown runs on this clock: the test moves it instead of waiting it out.
    const clock = fakeClock();
    const extra = { clock, breaker: { cooldownMs: COOLDOWN_MS } };
    const a = createApp(config, extra);
    const b = createApp(config, extra);
    apps.push(a, b);
    await Promise.all([a.cache.ready(), b.cache.ready()]);
    const errors: string[] = [];
    a.cache.on("error", (e) => errors.push(e.error.code));
    const opened = () => errors.filter((code) => code === "RECALL_LOCK_UNAVAILABLE").length;
    const storeOpened = () => errors.filter((code) => code === "RECALL_STORE_UNAVAILABLE").length;

    expect((await a.cache.run(ask("warm-up"), () => model("warm-up"))).status).toBe("miss");
    expect((await a.cache.run(ask("warm-up"), () => model("warm-up"))).status).toBe("hit");

    // Calls run back to back in the background while Redis dies and comes back.
    const calls: Array<{ at: number; ms: number; status: string; phase: string }> = [];
    const failures: unknown[] = [];
    let phase = "up";
    let stop = false;
    const questions = ["q1", "q2", "q3", "warm-up"];
    const loop = (async () => {
      for (let i = 0; !stop; i++) {
        const q = questions[i % questions.length]!;
        // A call belongs to the phase it started in: one that began before the kill may still hit.
        const callPhase = phase;
        const started = performance.now();
        try {
          const outcome = await a.cache.run(ask(q), () => model(q));
          calls.push({
            at: Date.now(),
            ms: performance.now() - started,
            status: outcome.status,
            phase: callPhase,
          });
        } catch (error) {
          failures.push(error);
        }
        await sleep(5);
      }
    })();

    expect(await until(() => calls.length >= 3, 10_000)).toBe(true);
    await redis.kill();
    phase = "down";
    const down = () => calls.filter((c) => c.phase === "down");
    // Commands fail at once while disconnected: the store's and the lock's, until five failures in a
    // row open each one's breaker (the store's failures arrive as Keyv error events); calls go on.
    expect(await until(() => opened() >= 1 && storeOpened() >= 1 && down().length > 5, 10_000)).toBe(true);
    // Past the cooldown one call probes the dead lock, which opens the breaker again.
    clock.advance(COOLDOWN_MS);
    expect(await until(() => opened() >= 2 && down().length > 10, 10_000)).toBe(true);
    phase = "restarting";
    await redis.restart();
    const restartedAt = Date.now();
    // Caching resumes on the same connection objects, once they have reconnected (within their
    // reconnect backoff) and a probe past the breakers' cooldown finds the store back: a stored
    // answer is hit again.
    const resumed = await until(() => {
      clock.advance(COOLDOWN_MS);
      return calls.some((c) => c.at > restartedAt && c.status === "hit");
    }, 10_000);
    phase = "back";
    stop = true;
    await loop;

    expect(failures).toEqual([]);
    const whileDown = down();
    expect(whileDown.length).toBeGreaterThan(10);
    // Served upstream while Redis is gone, each call at most the store timeout slower than the model
    // (plus scheduling slack for a busy 2-core machine).
    expect(whileDown.filter((c) => c.status === "miss").length).toBe(whileDown.length);
    const slowest = Math.max(...whileDown.map((c) => c.ms));
    expect(slowest).toBeLessThan(UPSTREAM_MS + STORE_TIMEOUT_MS + 150);
    expect(resumed).toBe(true);

    // The bus came back too: a semantic entry stored by one instance reaches the other.
    const learned = await until(
      async () => {
        await a.cache.run(ask("How do I reset my password?"), () => model("reset"));
        const o = await b.cache.run(ask("How can I change my password?"), () => model("change"), {
          noStore: true,
        });
        return o.status === "semantic-hit";
      },
      10_000,
      100,
    );
    expect(learned).toBe(true);
  });
});
