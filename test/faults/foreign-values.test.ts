import { createClient } from "@keyv/redis";
import type { CacheResponse, RecallCache } from "@recall/core";
import type { RedisRecall } from "@recall/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ask, createApp } from "../support/app.js";
import { type RedisServer, startRedisServer, until } from "../support/processes.js";

const model = async (text: string): Promise<CacheResponse> => ({
  body: { text },
  text,
  finishReason: "stop",
  usage: { inputTokens: 3, outputTokens: 3 },
});

describe("corrupted or foreign values under our keys", () => {
  let redis: RedisServer;
  let app: { cache: RecallCache; redis: RedisRecall };
  let raw: ReturnType<typeof createClient>;
  const errors: string[] = [];
  const redisKey = (key: string) => `foreign:entries::${key}`;

  beforeAll(async () => {
    redis = await startRedisServer();
    app = createApp({ redisUrl: redis.url, prefix: "foreign", semantic: true, storeTimeoutMs: 500 });
    app.cache.on("error", (e) => errors.push(e.error.code));
    await app.cache.ready();
    raw = createClient({ url: redis.url });
    raw.on("error", () => {});
    await raw.connect();
  });
  afterAll(async () => {
    raw?.destroy();
    await app?.cache.close();
    await app?.redis.close();
    await redis?.stop();
  });

  const tampering: Array<[string, (key: string) => Promise<unknown>]> = [
    ["bytes that are not JSON", (k) => raw.set(k, Buffer.from([0xff, 0xfe, 0x00, 0x7b]))],
    ["JSON of someone else", (k) => raw.set(k, JSON.stringify({ user: 42, answer: "forged" }))],
    ["a Keyv value that is not an entry", (k) => raw.set(k, JSON.stringify({ value: "forged" }))],
    [
      "an entry missing its response",
      (k) => raw.set(k, JSON.stringify({ value: { v: 1, namespace: "default" } })),
    ],
  ];

  for (const [name, tamper] of tampering) {
    it(`reads ${name} as a miss, removes it, never serves it`, async () => {
      const q = `Question about ${name}`;
      const first = await app.cache.run(ask(q), () => model("real"));
      await tamper(redisKey(first.key));
      const before = errors.length;
      const second = await app.cache.run(ask(q), () => model("fresh"), { noStore: true });
      expect(second.status).toBe("miss");
      expect(second.response.text).toBe("fresh");
      expect(errors.slice(before)).toContain("RECALL_DECODE_ERROR");
      expect(await until(async () => (await raw.exists(redisKey(first.key))) === 0, 2_000)).toBe(true);
    });
  }

  it("never serves a corrupted entry to a paraphrase either", async () => {
    const stored = await app.cache.run(ask("How do I reset my password?"), () => model("real"));
    expect(
      (await app.cache.run(ask("How can I change my password?"), () => model("x"), { noStore: true })).status,
    ).toBe("semantic-hit");
    await raw.set(redisKey(stored.key), "{{{ corrupted");
    const o = await app.cache.run(ask("How can I change my password?"), () => model("fresh"), {
      noStore: true,
    });
    expect(o.status).toBe("miss");
    expect(o.response.text).toBe("fresh");
    expect(await until(async () => (await raw.exists(redisKey(stored.key))) === 0, 2_000)).toBe(true);
  });

  it("answers a key holding another Redis type from upstream and replaces it", async () => {
    const q = "A key someone made a hash";
    const first = await app.cache.run(ask(q), () => model("real"));
    await raw.del(redisKey(first.key));
    await raw.hSet(redisKey(first.key), { answer: "forged" });
    const second = await app.cache.run(ask(q), () => model("fresh"));
    expect(second.status).toBe("miss");
    expect(second.response.text).toBe("fresh");
    expect(await raw.type(redisKey(first.key))).toBe("string");
    expect((await app.cache.run(ask(q), () => model("x"))).status).toBe("hit");
  });
});
