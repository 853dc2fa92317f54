import { createClient } from "@keyv/redis";
import type { CacheResponse, RecallCache } from "@recall/core";
import { fakeClock } from "@recall/core/testing";
import type { RedisRecall } from "@recall/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ask, createApp } from "../support/app.js";
import { type RedisServer, sleep, startRedisServer, until } from "../support/processes.js";

const UPSTREAM_MS = 20;
const TIMEOUT_MS = 100;
const COOLDOWN_MS = 1_000;
/**
 * On a miss the engine waits on Redis at most four times in a row (read, lock, write, release),
 * each bounded by the timeout; the rest is slack for a busy 2-core machine.
 */
const BOUND_MS = UPSTREAM_MS + 4 * TIMEOUT_MS + 300;

async function model(question: string): Promise<CacheResponse> {
  await sleep(UPSTREAM_MS);
  return {
    body: { answer: question },
    text: `about ${question}`,
    finishReason: "stop",
    usage: { inputTokens: 9, outputTokens: 9 },
  };
}

describe("a Redis that answers slowly", () => {
  let redis: RedisServer;
  let app: { cache: RecallCache; redis: RedisRecall };
  const errors: string[] = [];
  const opened = () => errors.filter((code) => code === "RECALL_STORE_UNAVAILABLE").length;
  // The breakers' cooldowns run on this clock: the tests move it instead of waiting them out.
  const clock = fakeClock();

  beforeAll(async () => {
    redis = await startRedisServer();
    app = createApp(
      {
        redisUrl: redis.url,
        prefix: "slow",
        storeTimeoutMs: TIMEOUT_MS,
        commandTimeoutMs: TIMEOUT_MS,
      },
      { clock, breaker: { cooldownMs: COOLDOWN_MS } },
    );
    app.cache.on("error", (e) => errors.push(e.error.code));
    await app.cache.ready();
  });
  afterAll(async () => {
    redis?.resume();
    await app?.cache.close();
    await app?.redis.close();
    await redis?.stop();
  });

  /** Runs calls back to back until `done(calls made)` (or 10 s); returns their statuses and durations. */
  async function callsUntil(done: (made: number) => boolean, label: string) {
    const out: Array<{ status: string; ms: number }> = [];
    const end = Date.now() + 10_000;
    for (let i = 0; !done(i) && Date.now() < end; i++) {
      const q = `${label} ${i % 3}`;
      const started = performance.now();
      const outcome = await app.cache.run(ask(q), () => model(q));
      out.push({ status: outcome.status, ms: performance.now() - started });
    }
    return out;
  }

  /** Once a cooldown is past, a probe finds the store back: a stored answer is hit again. */
  const resumes = (q: string) =>
    until(
      async () => {
        clock.advance(COOLDOWN_MS);
        await app.cache.run(ask(q), () => model(q));
        return (await app.cache.run(ask(q), () => model(q))).status === "hit";
      },
      5_000,
      50,
    );

  it("paused process (SIGSTOP): timeouts fire, calls go on, caching resumes after", async () => {
    await app.cache.run(ask("before"), () => model("before"));
    expect((await app.cache.run(ask("before"), () => model("before"))).status).toBe("hit");

    redis.pause();
    // After five store timeouts in a row the breaker opens: calls stop waiting on the store.
    const during = await callsUntil(() => opened() >= 1, "paused");
    during.push(...(await callsUntil((made) => made === 2, "paused")));
    // Past the cooldown one call probes the store, which is still stalled: the breaker opens again.
    clock.advance(COOLDOWN_MS);
    during.push(...(await callsUntil(() => opened() >= 2, "paused")));
    redis.resume();

    expect(during.length).toBeGreaterThan(2);
    expect(during.every((c) => c.status === "miss")).toBe(true);
    expect(Math.max(...during.map((c) => c.ms))).toBeLessThan(BOUND_MS);
    expect(errors).toContain("RECALL_STORE_TIMEOUT");
    expect(opened()).toBe(2);

    expect(await resumes("after")).toBe(true);
  });

  it("DEBUG SLEEP: the same", async () => {
    const admin = createClient({ url: redis.url });
    admin.on("error", () => {});
    await admin.connect();
    const sleeping = admin.sendCommand(["DEBUG", "SLEEP", "1"]);
    await sleep(50);
    // Redis owns this stall: calls for 600 ms of its 1 s.
    const end = Date.now() + 600;
    const during = await callsUntil(() => Date.now() >= end, "sleeping");
    await sleeping;
    admin.destroy();

    expect(during.length).toBeGreaterThan(1);
    expect(during.every((c) => c.status === "miss")).toBe(true);
    expect(Math.max(...during.map((c) => c.ms))).toBeLessThan(BOUND_MS);

    expect(await resumes("after sleep")).toBe(true);
  });
});
