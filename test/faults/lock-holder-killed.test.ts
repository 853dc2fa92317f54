import type { ChildProcess } from "node:child_process";
import { createClient } from "@keyv/redis";
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
    const raw = createClient({ url: redis.url });
    raw.on("error", () => {});
    await raw.connect();
    const locks = await raw.keys("holder-killed:lock:*");
    expect(locks).toHaveLength(1);
    const lockKey = locks[0]!;

    // A waiter that tries the lock (SET NX) or checks it (EXISTS) has found it held and waits on it.
    const monitor = createClient({ url: redis.url });
    monitor.on("error", () => {});
    await monitor.connect();
    const tried = new Set<string>();
    let bothWaiting!: () => void;
    const waiting = new Promise<void>((resolve) => (bothWaiting = resolve));
    await monitor.monitor((line: string) => {
      const client = /\[\d+ ([^\]]+)\] "(?:SET|EXISTS)" "([^"]+)"/i.exec(line);
      if (client?.[2] !== lockKey) return;
      tried.add(client[1]!);
      if (tried.size === waiters.length) bothWaiting();
    });

    const results = waiters.map((w) => nextMessage<Done>(w, (m) => m.type === "done", 20_000));
    let settled = 0;
    for (const r of results) r.then(() => settled++);
    for (const w of waiters) w.send({ type: "run", question, count: 5 });
    await waiting;
    monitor.destroy();
    // They wait on the live holder rather than call upstream themselves.
    expect(settled).toBe(0);
    expect(upstream.count("chat")).toBe(1);

    await killChild(holder);
    // Dead, the holder extends its lock no more: it would run out within its TTL. Make it run out now.
    const left = await raw.pTTL(lockKey);
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(LOCK_TTL_MS);
    const expiredAt = Date.now();
    await raw.pExpire(lockKey, 1);
    raw.destroy();
    const done = await Promise.all(results);
    const waited = Date.now() - expiredAt;

    // A poll and the quick upstream call after the expiry, not the 30 s wait bound.
    expect(waited).toBeLessThan(3_000);
    expect(upstream.count("chat")).toBe(2);
    const outcomes = done.flatMap((d) => d.outcomes);
    expect(outcomes).toHaveLength(10);
    expect(new Set(outcomes.map((o) => o.text)).size).toBe(1);
    expect(outcomes.filter((o) => o.status === "miss")).toHaveLength(1);
  });
});
