/**
 * End to end with the real local embedder (all-MiniLM-L6-v2 on transformers.js, built offline):
 * a real paraphrase, not a synonym list, answered from cache through both adapters.
 */
import type { AIMessageChunk } from "@langchain/core/messages";
import { concat } from "@langchain/core/utils/stream";
import { ChatOpenAI } from "@langchain/openai";
import { createCache } from "@recall/core";
import { type MockOpenAIServer, startMockOpenAI } from "@recall/mock-openai";
import { createLocalEmbedder, type LocalEmbedder } from "@recall/transformers";
import { afterAll, beforeAll, expect, it } from "vitest";
import { RecallLangChainCache, type RecallMetadata, withRecall } from "../src/index.js";

const recallOf = (message: { response_metadata: Record<string, unknown> }) =>
  message.response_metadata.recall as RecallMetadata;

let server: MockOpenAIServer;
let embedder: LocalEmbedder;
beforeAll(async () => {
  server = await startMockOpenAI();
  embedder = createLocalEmbedder();
  await embedder.load();
}, 300_000);
afterAll(async () => {
  await server.close();
  await embedder.dispose();
});

const openai = () =>
  new ChatOpenAI({
    model: "gpt-4o-mini",
    apiKey: "sk-local-test-key-0123456789",
    configuration: { baseURL: server.url },
  });

it("answers a paraphrase from cache with real embeddings, and an unrelated question upstream", async () => {
  server.reset();
  // This test checks matching, not load: on a busy machine no lookup may be shed for time (budgetMs).
  const cache = createCache({ semantic: { embedder, budgetMs: 60_000 } });
  const model = openai();
  model.cache = new RecallLangChainCache({ cache: cache });
  const first = await model.invoke("What is the capital of France?");
  const paraphrased = await model.invoke("What is France's capital?");
  const unrelated = await model.invoke("How do I bake sourdough bread?");
  expect(recallOf(paraphrased).status).toBe("semantic-hit");
  expect(recallOf(paraphrased).similarity).toBeGreaterThan(0.9);
  expect(paraphrased.content).toBe(first.content);
  expect(recallOf(unrelated).status).toBe("miss");
  expect(server.count("chat")).toBe(2);

  const streaming = withRecall(openai(), { cache });
  const chunks: AIMessageChunk[] = [];
  for await (const chunk of await streaming.stream("What's the capital of France?")) chunks.push(chunk);
  const message = chunks.reduce((a, b) => concat(a, b));
  expect(recallOf(message).status).toBe("semantic-hit");
  expect(server.count("chat")).toBe(2);
});
