import { createClient } from "@keyv/redis";
import type { CacheResponse, RecallCache } from "@recall/core";
import type { RedisRecall } from "@recall/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ask, createApp } from "../support/app.js";
import { type RedisServer, startRedisServer } from "../support/processes.js";

async function model(question: string): Promise<CacheResponse> {
  return { body: { answer: question }, text: `about ${question}`, finishReason: "stop" };
}

describe("a bus connection that Redis drops", () => {
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

  it("reconnects, and the instance catches up on what is stored, since it may have missed messages", async () => {
    const [a, b] = [1, 2].map(() => createApp({ redisUrl: redis.url, prefix: "gap", semantic: true })) as [
      (typeof apps)[number],
      (typeof apps)[number],
    ];
    apps.push(a, b);
    await Promise.all([a.cache.ready(), b.cache.ready()]);
    await a.cache.run(ask("Where is my order?"), () => model("order"));

    const caughtUp = new Promise<{ entries: number }>((resolve) => b.cache.on("caught-up", resolve));
    const admin = createClient({ url: redis.url });
    admin.on("error", () => {});
    await admin.connect();
    const killed = await admin.sendCommand(["CLIENT", "KILL", "TYPE", "pubsub"]);
    admin.destroy();
    expect(killed).toBeGreaterThanOrEqual(2); // both instances' bus subscribers

    const event = await Promise.race([
      caughtUp,
      new Promise<undefined>((resolve) => setTimeout(resolve, 10_000, undefined)),
    ]);
    expect(event).toEqual({ entries: 1 });
    const hit = await b.cache.run(ask("Where's my package?"), () => model("package"), { noStore: true });
    expect(hit.status).toBe("semantic-hit");
  });
});
