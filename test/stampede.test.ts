import type { ChildProcess } from "node:child_process";
import { type MockOpenAIServer, startMockOpenAI } from "@recall/mock-openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { forkScript, nextMessage, type RedisServer, startRedisServer } from "./support/processes.js";

interface Done {
  type: "done";
  outcomes: Array<{ status: string; text: string }>;
  stats: { misses: number; coalesced: number; hits: number };
}

describe("4 processes, one Redis: a cold stampede", () => {
  let redis: RedisServer;
  let upstream: MockOpenAIServer;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    // Slow enough that every process asks while the first answer is still on its way.
    upstream = await startMockOpenAI({ latencyMs: 400 });
    const config = {
      redisUrl: redis.url,
      upstreamUrl: upstream.url,
      prefix: "stampede",
      commandTimeoutMs: 2_000,
    };
    for (let i = 0; i < 4; i++) workers.push(forkScript("./cache-worker.ts", config));
    await Promise.all(workers.map((w) => nextMessage(w, (m) => m.type === "ready")));
  });

  afterAll(async () => {
    for (const w of workers) w.kill("SIGKILL");
    await upstream?.close();
    await redis?.stop();
  });

  it("makes exactly 1 upstream call for 200 concurrent identical requests, and all 200 get the answer", async () => {
    const question = "What is the capital of Australia?";
    const results = workers.map((w) => nextMessage<Done>(w, (m) => m.type === "done" || m.type === "failed"));
    for (const w of workers) w.send({ type: "run", question, count: 50 });
    const done = await Promise.all(results);

    expect(done.every((d) => d.type === "done")).toBe(true);
    expect(upstream.count("chat")).toBe(1);
    const outcomes = done.flatMap((d) => d.outcomes);
    expect(outcomes).toHaveLength(200);
    const answer = outcomes.find((o) => o.status === "miss")!.text;
    expect(answer).toMatch(/Australia/i);
    expect(outcomes.every((o) => o.text === answer)).toBe(true);
    expect(outcomes.filter((o) => o.status === "miss")).toHaveLength(1);
    // The other 199 were served by the one call: waiting on it, in their process or through the lock.
    const coalesced = done.reduce((n, d) => n + d.stats.coalesced, 0);
    const hits = done.reduce((n, d) => n + d.stats.hits, 0);
    expect(coalesced + hits).toBe(199);
    expect(coalesced).toBeGreaterThanOrEqual(4 * 49);
  });
});
