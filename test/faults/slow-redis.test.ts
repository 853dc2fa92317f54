import { createClient } from "@keyv/redis";
import type { CacheResponse, RecallCache } from "@recall/core";
import type { RedisRecall } from "@recall/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ask, createApp } from "../support/app.js";
import { type RedisServer, sleep, startRedisServer, until } from "../support/processes.js";

const UPSTREAM_MS = 20;
const TIMEOUT_MS = 100;
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

  beforeAll(async () => {
    redis = await startRedisServer();
    app = createApp({
      redisUrl: redis.url,
      prefix: "slow",
      storeTimeoutMs: TIMEOUT_MS,
      commandTimeoutMs: TIMEOUT_MS,
    });
    app.cache.on("error", (e) => errors.push(e.error.code));
    await app.cache.ready();
  });
  afterAll(async () => {
    redis?.resume();
    await app?.cache.close();
    await app?.redis.close();
    await redis?.stop();
  });

  /** Runs calls back to back for `ms`; returns their statuses and durations. */
  async function callsFor(ms: number, label: string) {
    const out: Array<{ status: string; ms: number }> = [];
    const end = Date.now() + ms;
    for (let i = 0; Date.now() < end; i++) {
      const q = `${label} ${i % 3}`;
      const started = performance.now();
      const outcome = await app.cache.run(ask(q), () => model(q));
      out.push({ status: outcome.status, ms: performance.now() - started });
    }
    return out;
  }

  it("paused process (SIGSTOP): timeouts fire, calls go on, caching resumes after", async () => {
    await app.cache.run(ask("before"), () => model("before"));
    expect((await app.cache.run(ask("before"), () => model("before"))).status).toBe("hit");

    redis.pause();
    const during = await callsFor(1_500, "paused");
    redis.resume();

    expect(during.length).toBeGreaterThan(2);
    expect(during.every((c) => c.status === "miss")).toBe(true);
    expect(Math.max(...during.map((c) => c.ms))).toBeLessThan(BOUND_MS);
    expect(errors).toContain("RECALL_STORE_TIMEOUT");
    // After five store timeouts in a row the breaker opens: calls stop waiting on the store.
    expect(errors).toContain("RECALL_STORE_UNAVAILABLE");

    const resumed = await until(
      async () => {
        await app.cache.run(ask("after"), () => model("after"));
        return (await app.cache.run(ask("after"), () => model("after"))).status === "hit";
      },
      5_000,
      50,
    );
    expect(resumed).toBe(true);
  });

  it("DEBUG SLEEP: the same", async () => {
    const admin = createClient({ url: redis.url });
    admin.on("error", () => {});
    await admin.connect();
    const sleeping = admin.sendCommand(["DEBUG", "SLEEP", "1.5"]);
    await sleep(50);
    const during = await callsFor(1_000, "sleeping");
    await sleeping;
    admin.destroy();

    expect(during.length).toBeGreaterThan(1);
    expect(during.every((c) => c.status === "miss")).toBe(true);
    expect(Math.max(...during.map((c) => c.ms))).toBeLessThan(BOUND_MS);

    const resumed = await until(
      async () => {
        await app.cache.run(ask("after sleep"), () => model("after sleep"));
        return (await app.cache.run(ask("after sleep"), () => model("after sleep"))).status === "hit";
      },
      5_000,
      50,
    );
    expect(resumed).toBe(true);
  });
});
