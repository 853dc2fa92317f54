import type { ChildProcess } from "node:child_process";
import { type MockOpenAIServer, startMockOpenAI } from "@recall/mock-openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  forkScript,
  killChild,
  nextMessage,
  type RedisServer,
  startRedisServer,
  until,
} from "../support/processes.js";

const LOCK_TTL_MS = 1_500;

interface Done {
  type: "done";
  outcomes: Array<{ status: string; text: string }>;
}

describe("a lock holder killed mid-call", () => {
  let redis: RedisServer;
  let upstream: MockOpenAIServer;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    let requests = 0;
    // The first request (the holder's) never gets its answer; later ones are quick.
    upstream = await startMockOpenAI({ latencyMs: () => (requests++ === 0 ? 120_000 : 50) });
    const config = {
      redisUrl: redis.url,
      upstreamUrl: upstream.url,
      prefix: "holder-killed",
      lockTtlMs: LOCK_TTL_MS,
      waitTimeoutMs: 30_000,
      commandTimeoutMs: 1_000,
    };
    for (let i = 0; i < 3; i++) workers.push(forkScript("../support/cache-worker.ts", config));
    await Promise.all(workers.map((w) => nextMessage(w, (m) => m.type === "ready")));
  });

  afterAll(async () => {
    for (const w of workers) w.kill("SIGKILL");
    await upstream?.close();
    await redis?.stop();
  });

  it("lets the waiters go on once the lock expires: one of them calls upstream, nothing hangs", async () => {
    const [holder, ...waiters] = workers as [ChildProcess, ChildProcess, ChildProcess];
    const question = "Summarize the quarterly report.";
    holder.send({ type: "run", question, count: 1 });
    // The holder has the lock and is waiting on the model.
    expect(await until(() => upstream.count("chat") === 1, 10_000)).toBe(true);

    const results = waiters.map((w) => nextMessage<Done>(w, (m) => m.type === "done", 20_000));
    let settled = 0;
    for (const r of results) r.then(() => settled++);
    for (const w of waiters) w.send({ type: "run", question, count: 5 });
    await new Promise((r) => setTimeout(r, 500));
    // They wait on the live holder rather than call upstream themselves.
    expect(settled).toBe(0);
    expect(upstream.count("chat")).toBe(1);

    const killedAt = Date.now();
    await killChild(holder);
    const done = await Promise.all(results);
    const waited = Date.now() - killedAt;

    // Within the lock's ttl (plus a poll and the quick upstream call), not the 30 s wait bound.
    expect(waited).toBeLessThan(LOCK_TTL_MS + 3_000);
    expect(upstream.count("chat")).toBe(2);
    const outcomes = done.flatMap((d) => d.outcomes);
    expect(outcomes).toHaveLength(10);
    expect(new Set(outcomes.map((o) => o.text)).size).toBe(1);
    expect(outcomes.filter((o) => o.status === "miss")).toHaveLength(1);
  });
});
