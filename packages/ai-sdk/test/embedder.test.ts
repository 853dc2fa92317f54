import { createOpenAI } from "@ai-sdk/openai";
import { createCache, RecallError } from "@recall/core";
import { hashEmbedding, type MockOpenAIServer, startMockOpenAI } from "@recall/mock-openai";
import { embedderSuite } from "@recall/test-suite";
import { generateText, wrapLanguageModel } from "ai";
import { MockEmbeddingModelV4 } from "ai/test";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { aiSdkEmbedder, recallMiddleware } from "../src/index.js";
import { mockModel, recallOf } from "./mock-model.js";

let server: MockOpenAIServer;
let openai: ReturnType<typeof createOpenAI>;

beforeAll(async () => {
  server = await startMockOpenAI();
  openai = createOpenAI({ baseURL: server.url, apiKey: "sk-test" });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const chat = (question: string) => ({
  model: { provider: "openai", id: "gpt-4.1-mini" },
  messages: [{ role: "user" as const, content: question }],
});

const norm = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

// The embedder conformance suite, over the mock server's /v1/embeddings.
embedderSuite("aiSdkEmbedder (dimensions learnt)", () =>
  aiSdkEmbedder(openai.embedding("text-embedding-3-small")),
);
embedderSuite("aiSdkEmbedder (64 dimensions asked)", () =>
  aiSdkEmbedder(openai.embedding("text-embedding-3-small"), { dimensions: 64 }),
);

describe("aiSdkEmbedder over the server's /v1/embeddings", () => {
  it("names the model, learns the dimensions on the first call, returns unit vectors in order", async () => {
    const embedder = aiSdkEmbedder(openai.embedding("text-embedding-3-small"));
    expect(embedder.id).toBe("ai-sdk:openai.embedding:text-embedding-3-small");
    expect(embedder.dimensions).toBe(0);
    const texts = ["How do I reset my password?", "What is the capital of France?"];
    const vectors = await embedder.embed(texts);
    expect(embedder.dimensions).toBe(256);
    expect(vectors).toHaveLength(2);
    for (const [i, v] of vectors.entries()) {
      expect(v).toBeInstanceOf(Float32Array);
      expect(norm(v)).toBeCloseTo(1, 5);
      const expected = hashEmbedding(texts[i]!);
      expect(v[7]).toBeCloseTo(expected[7]!, 5);
    }
    expect(server.count("embeddings")).toBe(1);
    expect(server.requests[0]!.body.input).toEqual(texts);
  });

  it("asks the model for the given dimensions, and they enter the id", async () => {
    const embedder = aiSdkEmbedder(openai.embedding("text-embedding-3-small"), { dimensions: 64 });
    expect(embedder.dimensions).toBe(64);
    expect(embedder.id).toBe("ai-sdk:openai.embedding:text-embedding-3-small:64d");
    const [v] = await embedder.embed(["hello"]);
    expect(v).toHaveLength(64);
    expect(server.requests[0]!.body.dimensions).toBe(64);
  });

  it("normalizes vectors a model returns unnormalized, and refuses a size that changes", async () => {
    let size = 3;
    const model = new MockEmbeddingModelV4({
      provider: "test",
      modelId: "raw",
      doEmbed: async ({ values }) => ({
        embeddings: values.map(() => Array.from({ length: size }, () => 2)),
        warnings: [],
      }),
    });
    const embedder = aiSdkEmbedder(model);
    const [v] = await embedder.embed(["a"]);
    expect(Array.from(v!).map((x) => Number(x.toFixed(4)))).toEqual([0.5774, 0.5774, 0.5774]);
    size = 4;
    await expect(embedder.embed(["b"])).rejects.toThrow(/4 dimensions, expected 3/);
    expect(await embedder.embed([])).toEqual([]);
  });

  it("a failing embedding call leaves the cache exact-only, the LLM call unharmed", async () => {
    const cache = createCache({
      semantic: { embedder: aiSdkEmbedder(openai.embedding("text-embedding-3-small")) },
    });
    const errors: string[] = [];
    cache.on("error", (e) => errors.push(e.error.code));
    const model = mockModel();
    const wrapped = wrapLanguageModel({ model, middleware: recallMiddleware({ cache }) });
    server.failNext(500, "embeddings are down", 10);
    const first = await generateText({ model: wrapped, prompt: "Q" });
    expect(first.text).toBe("Answer to: Q");
    expect(errors).toContain("RECALL_SEMANTIC_ERROR");
    expect(recallOf((await generateText({ model: wrapped, prompt: "Q" })).providerMetadata)?.status).toBe(
      "hit",
    );
  });

  it("embeds concurrent lookups together, in fewer calls than questions", async () => {
    const embedder = aiSdkEmbedder(openai.embedding("text-embedding-3-small"), { concurrency: 2 });
    const cache = createCache({ semantic: { embedder } });
    const questions = Array.from({ length: 12 }, (_, i) => `Question number ${i} about shipping`);
    const lookups = await Promise.all(questions.map((q) => cache.lookup({ ...chat(q) })));
    const calls = server.requests.filter((r) => r.endpoint === "embeddings");
    expect(lookups.every((l) => !l.hit)).toBe(true);
    expect(calls.length).toBeLessThan(questions.length);
    expect(calls.flatMap((r) => r.body.input as string[]).sort()).toEqual([...questions].sort());
    for (const l of lookups) if (!l.hit) l.fail();
    await cache.close();
  });

  it.each([
    [undefined, { concurrency: 0 }, /concurrency/],
    [{}, {}, /embedding model/],
    [null, {}, /embedding model/],
    ["openai/text-embedding-3-small", {}, /embedding model/],
    [undefined, { dimensions: 0 }, /dimensions/],
    [undefined, { dimensions: 1.5 }, /dimensions/],
    [undefined, { maxRetries: -1 }, /maxRetries/],
  ])("throws a coded error for model %j with options %j", (model, options, message) => {
    let thrown: unknown;
    try {
      aiSdkEmbedder(
        (model === undefined ? openai.embedding("text-embedding-3-small") : model) as never,
        options,
      );
    } catch (error) {
      thrown = error;
    }
    expect(RecallError.isInstance(thrown)).toBe(true);
    expect((thrown as RecallError).code).toBe("RECALL_INVALID_OPTION");
    expect(String(thrown)).toMatch(message);
  });
});
