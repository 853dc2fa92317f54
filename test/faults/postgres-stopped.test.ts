import type { ChildProcess } from "node:child_process";
import type { CacheResponse, RecallCache } from "@recall/core";
import { fakeEmbedder } from "@recall/core/testing";
import { createPgVectorIndex, type PgVectorIndex } from "@recall/pgvector";
import type { RedisRecall } from "@recall/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ask, createApp, PARAPHRASES } from "../support/app.js";
import {
  forkScript,
  freePort,
  killChild,
  nextMessage,
  type RedisServer,
  sleep,
  startRedisServer,
  until,
} from "../support/processes.js";

const UPSTREAM_MS = 20;
const PG_TIMEOUT_MS = 1_000;

async function model(question: string): Promise<CacheResponse> {
  await sleep(UPSTREAM_MS);
  return {
    body: { answer: question },
    text: `about ${question}`,
    finishReason: "stop",
    usage: { inputTokens: 9, outputTokens: 9 },
  };
}

describe("Postgres (PGlite server) stopped", () => {
  let redis: RedisServer;
  let postgres: ChildProcess;
  let port: number;
  let index: PgVectorIndex;
  let app: { cache: RecallCache; redis: RedisRecall };
  const errors: string[] = [];

  const startPostgres = async () => {
    postgres = forkScript("../support/pglite-server.ts", { port });
    await nextMessage(postgres, (m) => m.type === "ready", 60_000);
  };

  beforeAll(async () => {
    redis = await startRedisServer();
    port = await freePort();
    await startPostgres();
    index = createPgVectorIndex({
      connectionString: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
      timeoutMs: PG_TIMEOUT_MS,
    });
    // The app's cache, with the shared pgvector index instead of the in-process one.
    app = createApp(
      { redisUrl: redis.url, prefix: "pg-stopped" },
      { semantic: { embedder: fakeEmbedder({ synonyms: PARAPHRASES }), index, threshold: 0.95 } },
    );
    app.cache.on("error", (e) => errors.push(e.error.code));
    await app.cache.ready();
  });

  afterAll(async () => {
    await app?.cache.close();
    await app?.redis.close();
    await index?.close();
    if (postgres) await killChild(postgres);
    await redis?.stop();
  });

  it("misses semantically while Postgres is gone; exact caching and calls go on; semantic returns with it", async () => {
    const { cache } = app;
    await cache.run(ask("How do I reset my password?"), () => model("reset"));
    // PGlite (WebAssembly) can be slow on its first queries on a busy machine: allow it to warm up.
    const warm = await until(
      async () => {
        const o = await cache.run(ask("How can I change my password?"), () => model("x"), { noStore: true });
        return o.status === "semantic-hit";
      },
      10_000,
      100,
    );
    expect(warm).toBe(true);

    await killChild(postgres);

    const started = performance.now();
    const paraphrase = await cache.run(ask("How can I change my password?"), () => model("change"), {
      noStore: true,
    });
    expect(paraphrase.status).toBe("miss");
    expect(paraphrase.response.text).toBe("about change");
    expect(performance.now() - started).toBeLessThan(UPSTREAM_MS + PG_TIMEOUT_MS + 500);
    expect(errors).toContain("RECALL_SEMANTIC_ERROR");

    // Exact repeats still hit, new answers are still stored and hit.
    expect((await cache.run(ask("How do I reset my password?"), () => model("x"))).status).toBe("hit");
    const fresh = await cache.run(ask("Where is my order?"), () => model("order"));
    expect(fresh.status).toBe("miss");
    expect(fresh.stored).toBe(true);
    expect((await cache.run(ask("Where is my order?"), () => model("x"))).status).toBe("hit");

    // A fresh Postgres on the same port (empty: PGlite here keeps no data): the index recreates its
    // table on the next add and matches paraphrases again.
    await startPostgres();
    const back = await until(
      async () => {
        await cache.run(ask("Where is my order?"), () => model("order"), { forceRefresh: true });
        const o = await cache.run(ask("Where's my package?"), () => model("x"), { noStore: true });
        return o.status === "semantic-hit";
      },
      10_000,
      100,
    );
    expect(back).toBe(true);
  });
});
