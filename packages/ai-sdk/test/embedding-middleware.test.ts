import { createOpenAI } from "@ai-sdk/openai";
import { type CacheOptions, createCache, type RecallCache } from "@recall/core";
import { refusingStore } from "@recall/core/testing";
import { type MockOpenAIServer, startMockOpenAI } from "@recall/mock-openai";
import { embed, embedMany, wrapEmbeddingModel } from "ai";
import Keyv from "keyv";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type RecallEmbeddingMetadata, recallEmbeddingMiddleware } from "../src/index.js";

const API_KEY = "sk-test-embedding-secret-key";

let server: MockOpenAIServer;
let openai: ReturnType<typeof createOpenAI>;

beforeAll(async () => {
  // A little latency, so concurrent calls really overlap upstream.
  server = await startMockOpenAI({ embedLatencyMs: 30 });
  openai = createOpenAI({ baseURL: server.url, apiKey: API_KEY });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

/** The values each upstream embeddings request carried, in order. */
const sent = () =>
  server.requests.filter((r) => r.endpoint === "embeddings").map((r) => r.body.input as string[]);

const recallOf = (metadata: unknown) =>
  (metadata as { recall?: RecallEmbeddingMetadata } | undefined)?.recall;

function setup(options: CacheOptions = {}, modelId = "text-embedding-3-small") {
  const cache = createCache(options);
  const errors: string[] = [];
  cache.on("error", (e) => errors.push(e.error.code));
  const model = wrapEmbeddingModel({
    model: openai.embedding(modelId),
    middleware: recallEmbeddingMiddleware({ cache }),
  });
  return { cache, model, errors };
}

/** What the model answers without any cache. */
async function uncached(values: string[], dimensions?: number) {
  const { embeddings } = await embedMany({
    model: openai.embedding("text-embedding-3-small"),
    values,
    dimensions,
  });
  server.reset();
  return embeddings;
}

describe("recallEmbeddingMiddleware over @ai-sdk/openai", () => {
  it("stores each value on a miss; a repeat (embed or embedMany) makes no request", async () => {
    const { model } = setup();
    const first = await embedMany({ model, values: ["alpha", "beta"] });
    expect(sent()).toEqual([["alpha", "beta"]]);
    expect(recallOf(first.providerMetadata)).toMatchObject({
      status: "miss",
      cached: false,
      values: 2,
      hits: 0,
      misses: 2,
      sent: 2,
      stored: 2,
    });
    expect(first.usage.tokens).toBeGreaterThan(0);

    const again = await embedMany({ model, values: ["alpha", "beta"] });
    const one = await embed({ model, value: "beta" });
    expect(sent()).toHaveLength(1);
    expect(again.embeddings).toEqual(first.embeddings);
    expect(one.embedding).toEqual(first.embeddings[1]);
    expect(recallOf(again.providerMetadata)).toMatchObject({ status: "hit", cached: true, hits: 2, sent: 0 });
    expect(recallOf(again.providerMetadata)?.saved?.inputTokens).toBe(first.usage.tokens);
    expect(again.usage.tokens).toBe(0);
    expect(recallOf(one.providerMetadata)?.keys).toEqual([recallOf(first.providerMetadata)?.keys[1]]);
  });

  it("a partial hit sends one request with only the missing values, and merges them in order", async () => {
    const values = ["one", "two", "three", "four", "two"];
    const expected = await uncached(values);
    const { model } = setup();
    await embedMany({ model, values: ["two", "four"] });
    server.reset();

    const result = await embedMany({ model, values });
    expect(sent()).toEqual([["one", "three"]]);
    expect(result.embeddings).toEqual(expected);
    expect(recallOf(result.providerMetadata)).toMatchObject({
      status: "partial",
      cached: false,
      values: 5,
      hits: 3,
      misses: 2,
      sent: 2,
      stored: 2,
    });
    server.reset();
    const smaller = await embedMany({
      model: openai.embedding("text-embedding-3-small"),
      values: ["one", "three"],
    });
    expect(result.usage.tokens).toBe(smaller.usage.tokens);
  });

  it("another model or other dimensions miss", async () => {
    const { cache } = setup();
    const wrap = (id: string) =>
      wrapEmbeddingModel({ model: openai.embedding(id), middleware: recallEmbeddingMiddleware({ cache }) });
    const small = wrap("text-embedding-3-small");
    await embed({ model: small, value: "hello" });
    await embed({ model: wrap("text-embedding-3-large"), value: "hello" });
    const short = await embed({ model: small, value: "hello", dimensions: 64 });
    expect(sent()).toHaveLength(3);
    expect(short.embedding).toHaveLength(64);
    expect(server.requests[2]!.body.dimensions).toBe(64);
    const again = await embed({ model: small, value: "hello", dimensions: 64 });
    expect(recallOf(again.providerMetadata)?.status).toBe("hit");
    expect(again.embedding).toEqual(short.embedding);
    expect(sent()).toHaveLength(3);
  });

  it("concurrent identical embedMany calls make one upstream call", async () => {
    const { model } = setup();
    const values = ["x", "y", "z"];
    const results = await Promise.all([1, 2, 3, 4].map(() => embedMany({ model, values })));
    expect(sent()).toEqual([values]);
    for (const r of results) expect(r.embeddings).toEqual(results[0]!.embeddings);
    const statuses = results.map((r) => recallOf(r.providerMetadata)?.status).sort();
    expect(statuses).toEqual(["hit", "hit", "hit", "miss"]);
  });

  it("concurrent batches that overlap in different orders embed each value once, without waiting on each other", async () => {
    const { model } = setup();
    const start = performance.now();
    const [a, b, c] = await Promise.all([
      embedMany({ model, values: ["p", "q", "r"] }),
      embedMany({ model, values: ["r", "q", "p", "s"] }),
      embedMany({ model, values: ["s", "p"] }),
    ]);
    expect(performance.now() - start).toBeLessThan(2_000);
    expect(sent().flat().sort()).toEqual(["p", "q", "r", "s"]);
    const expected = await uncached(["p", "q", "r", "s"]);
    expect(a.embeddings).toEqual(expected.slice(0, 3));
    expect(b.embeddings).toEqual([expected[2], expected[1], expected[0], expected[3]]);
    expect(c.embeddings).toEqual([expected[3], expected[0]]);
  });

  it("an upstream error propagates unchanged, stores nothing, and a waiter calls itself", async () => {
    const { model } = setup();
    server.failNext(500, "embeddings are down", 1);
    const [failed, waiter] = await Promise.allSettled([
      embedMany({ model, values: ["m", "n"], maxRetries: 0 }),
      embedMany({ model, values: ["n"], maxRetries: 0 }),
    ]);
    expect(failed.status).toBe("rejected");
    expect(String((failed as PromiseRejectedResult).reason)).toMatch(/embeddings are down/);
    expect(waiter.status).toBe("fulfilled");
    const after = await embedMany({ model, values: ["m"] });
    expect(recallOf(after.providerMetadata)?.status).toBe("miss");
  });

  it("fails open: a store whose get throws still returns correct vectors, plus an error event", async () => {
    const broken = refusingStore();
    const values = ["fail", "open"];
    const expected = await uncached(values);
    const { model, errors } = setup({ store: broken });
    const result = await embedMany({ model, values });
    expect(result.embeddings).toEqual(expected);
    expect(sent()).toEqual([values]);
    expect(errors).toContain("RECALL_STORE_ERROR");
    expect(recallOf(result.providerMetadata)).toMatchObject({ status: "miss", stored: 0 });
  });

  it("a cache fault sends the whole call upstream, reported as an error event", async () => {
    const { cache, model, errors } = setup();
    (cache as unknown as { keyOf: () => never }).keyOf = () => {
      throw new Error("boom");
    };
    const result = await embedMany({ model, values: ["a", "b"] });
    expect(result.embeddings).toEqual(await uncached(["a", "b"]));
    expect(errors).toContain("RECALL_ADAPTER_ERROR");
    expect(recallOf(result.providerMetadata)).toMatchObject({
      status: "bypass",
      reason: "cache lookup failed",
    });
  });

  it("never keys or stores the API key or credential headers", async () => {
    const map = new Map<string, unknown>();
    const { model } = setup({ store: new Keyv({ store: map }) });
    const secretHeader = "Bearer sk-header-secret-0123456789";
    const result = await embedMany({
      model,
      values: ["secret-free"],
      headers: { authorization: secretHeader },
    });
    expect(server.requests[0]!.headers.authorization).toBe(secretHeader);
    expect(recallOf(result.providerMetadata)?.stored).toBe(1);
    const everything = JSON.stringify([...map.entries()]);
    expect(map.size).toBeGreaterThan(0);
    expect(everything).not.toContain(API_KEY);
    expect(everything).not.toContain("sk-header-secret");
    // The key is the same without the header: credentials do not enter it.
    const bare = await embedMany({ model, values: ["secret-free"] });
    expect(recallOf(bare.providerMetadata)?.status).toBe("hit");
  });

  it("per-call options: noCache calls upstream (and stores), noStore stores nothing, namespace separates", async () => {
    const { model } = setup();
    await embed({ model, value: "v" });
    const fresh = await embed({ model, value: "v", providerOptions: { recall: { noCache: true } } });
    expect(sent()).toHaveLength(2);
    expect(recallOf(fresh.providerMetadata)).toMatchObject({ status: "bypass", cached: false, sent: 1 });

    await embed({ model, value: "w", providerOptions: { recall: { noStore: true } } });
    const w = await embed({ model, value: "w" });
    expect(recallOf(w.providerMetadata)?.status).toBe("miss");

    const other = await embed({ model, value: "v", providerOptions: { recall: { namespace: "tenant-b" } } });
    expect(recallOf(other.providerMetadata)).toMatchObject({ status: "miss", namespace: "tenant-b" });
    expect(sent()).toHaveLength(5);
  });

  it("forceRefresh re-embeds and stores anew", async () => {
    const { model } = setup();
    await embed({ model, value: "v" });
    const refreshed = await embed({ model, value: "v", providerOptions: { recall: { forceRefresh: true } } });
    expect(recallOf(refreshed.providerMetadata)).toMatchObject({ status: "bypass", stored: 1 });
    const hit = await embed({ model, value: "v" });
    expect(recallOf(hit.providerMetadata)?.status).toBe("hit");
    expect(sent()).toHaveLength(2);
  });

  it("refuses bad options before the model is called, and bad configuration at once", async () => {
    const { model } = setup();
    await expect(
      embed({ model, value: "v", providerOptions: { recall: { noCahce: true } } }),
    ).rejects.toMatchObject({ code: "RECALL_INVALID_OPTION" });
    expect(sent()).toHaveLength(0);
    expect(() => recallEmbeddingMiddleware({ cache: {} as RecallCache })).toThrow(/Recall cache/);
  });
});
