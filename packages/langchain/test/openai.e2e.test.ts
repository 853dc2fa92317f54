/**
 * The real ChatOpenAI (@langchain/openai) against the local OpenAI-compatible server: what a user
 * runs, minus the network. Counts the requests that reach "OpenAI".
 */
import type { AIMessage, AIMessageChunk } from "@langchain/core/messages";
import { StringOutputParser } from "@langchain/core/output_parsers";
import { ChatPromptTemplate } from "@langchain/core/prompts";
import { tool } from "@langchain/core/tools";
import { concat } from "@langchain/core/utils/stream";
import { ChatOpenAI } from "@langchain/openai";
import { createCache, type RecallCache } from "@recall/core";
import { fakeEmbedder } from "@recall/core/testing";
import { type MockOpenAIServer, startMockOpenAI } from "@recall/mock-openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { RecallLangChainCache, type RecallMetadata, withRecall } from "../src/index.js";
import { inspectableStore } from "./fake-models.js";

const API_KEY = "sk-proj-e2e-DO-NOT-STORE-0123456789abcdef";
const CAPITAL = "What is the capital of France?";
const PARAPHRASE = "Which city is the capital of France?";
const recallOf = (message: { response_metadata: Record<string, unknown> }) =>
  message.response_metadata.recall as RecallMetadata;

let server: MockOpenAIServer;
beforeAll(async () => {
  server = await startMockOpenAI({ apiKey: API_KEY });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => server.reset());

function openai(fields: ConstructorParameters<typeof ChatOpenAI>[0] = {}) {
  return new ChatOpenAI({
    model: "gpt-4o-mini",
    temperature: 0,
    apiKey: API_KEY,
    configuration: { baseURL: server.url },
    ...fields,
  });
}

function recallCache() {
  const inspect = inspectableStore();
  const cache: RecallCache = createCache({
    store: inspect.store,
    semantic: { embedder: fakeEmbedder({ synonyms: [[CAPITAL, PARAPHRASE]] }) },
  });
  return { cache, ...inspect };
}

async function collect(stream: AsyncIterable<AIMessageChunk>) {
  const chunks: AIMessageChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return { chunks, message: chunks.reduce((a, b) => concat(a, b)) };
}

describe("RecallLangChainCache with ChatOpenAI", () => {
  it("invoke: a repeated and a paraphrased question make one upstream request", async () => {
    const { cache, dump } = recallCache();
    const model = openai({ cache: new RecallLangChainCache({ cache: cache }) });
    const first = (await model.invoke(CAPITAL)) as AIMessage;
    const repeated = (await model.invoke(CAPITAL)) as AIMessage;
    const paraphrased = (await model.invoke(PARAPHRASE)) as AIMessage;
    expect(server.count("chat")).toBe(1);
    expect(repeated.content).toBe(first.content);
    expect(paraphrased.content).toBe(first.content);
    expect([first, repeated, paraphrased].map((m) => recallOf(m).status)).toEqual([
      "miss",
      "hit",
      "semantic-hit",
    ]);
    // Usage metadata survives the hit; the saving is reported.
    expect(first.usage_metadata?.output_tokens).toBeGreaterThan(0);
    expect(repeated.usage_metadata).toEqual(first.usage_metadata);
    expect(recallOf(paraphrased).saved).toMatchObject({
      inputTokens: first.usage_metadata!.input_tokens,
      outputTokens: first.usage_metadata!.output_tokens,
    });
    expect(recallOf(paraphrased).saved!.usd).toBeGreaterThan(0);
    expect(dump()).not.toContain(API_KEY);
  });

  it("tools and a chain: tool calls round-trip, and no stored byte holds the API key", async () => {
    const { cache, dump, map } = recallCache();
    const weather = tool(async () => "sunny", {
      name: "weather",
      description: "Weather in a city",
      schema: z.object({ city: z.string() }),
    });
    const model = openai({ cache: new RecallLangChainCache({ cache: cache }) }).bindTools([weather]);
    const first = await model.invoke("Use the weather tool for Paris");
    const hit = await model.invoke("Use the weather tool for Paris");
    expect(first.tool_calls?.length).toBe(1);
    expect(hit.tool_calls).toEqual(first.tool_calls);
    expect(recallOf(hit).status).toBe("hit");

    const chain = ChatPromptTemplate.fromMessages([
      ["system", "You are terse."],
      ["human", "{question}"],
    ])
      .pipe(openai({ cache: new RecallLangChainCache({ cache: cache }) }))
      .pipe(new StringOutputParser());
    const answer = await chain.invoke({ question: CAPITAL });
    expect(await chain.invoke({ question: CAPITAL })).toBe(answer);
    expect(server.count("chat")).toBe(2);
    expect(map.size).toBeGreaterThan(0);
    expect(dump()).not.toContain(API_KEY);
    expect(dump()).not.toContain(server.url);
  });
});

describe("withRecall with ChatOpenAI", () => {
  it("stream: a repeated and a paraphrased question make one upstream request, replayed as chunks", async () => {
    const { cache, dump } = recallCache();
    const model = withRecall(openai(), { cache });
    const fresh = await collect(await model.stream(CAPITAL));
    const repeated = await collect(await model.stream(CAPITAL));
    const paraphrased = await collect(await model.stream(PARAPHRASE));
    expect(server.count("chat")).toBe(1);
    expect(server.requests[0]?.stream).toBe(true);
    for (const { chunks, message } of [repeated, paraphrased]) {
      expect(chunks.length).toBeGreaterThan(3);
      expect(message.content).toBe(fresh.message.content);
      expect(message.usage_metadata).toEqual(fresh.message.usage_metadata);
    }
    expect(fresh.message.usage_metadata?.output_tokens).toBeGreaterThan(0);
    expect(recallOf(fresh.message)).toMatchObject({ status: "miss", stored: true });
    expect(recallOf(repeated.message).status).toBe("hit");
    expect(recallOf(paraphrased.message)).toMatchObject({ status: "semantic-hit", matchedQuestion: CAPITAL });
    expect(dump()).not.toContain(API_KEY);
  });

  it("invoke, then stream and batch of the same question: one upstream request", async () => {
    const { cache, dump } = recallCache();
    const model = withRecall(openai(), { cache });
    const first = await model.invoke(CAPITAL);
    const streamed = await collect(await model.stream(PARAPHRASE));
    const batch = await model.batch([CAPITAL, PARAPHRASE]);
    expect(server.count("chat")).toBe(1);
    expect(streamed.message.content).toBe(first.content);
    expect(batch.map((m) => m.content)).toEqual([first.content, first.content]);
    expect((batch[0] as AIMessage).usage_metadata).toEqual((first as AIMessage).usage_metadata);
    expect(dump()).not.toContain(API_KEY);
  });

  it("streams through a chain, and a cut stream is not stored", async () => {
    const { cache } = recallCache();
    const chain = ChatPromptTemplate.fromMessages([["human", "{question}"]])
      .pipe(withRecall(openai(), { cache }))
      .pipe(new StringOutputParser());
    server.cutNextStream(2);
    await expect(
      (async () => {
        for await (const _piece of await chain.stream({ question: CAPITAL }));
      })(),
    ).rejects.toThrow();
    let streamed = "";
    for await (const piece of await chain.stream({ question: CAPITAL })) streamed += piece;
    let replayed = "";
    for await (const piece of await chain.stream({ question: CAPITAL })) replayed += piece;
    expect(replayed).toBe(streamed);
    expect(server.count("chat")).toBe(2);
  });

  it("withStructuredOutput goes through the cache (tool calling)", async () => {
    const { cache } = recallCache();
    const extract = withRecall(openai(), { cache }).withStructuredOutput(z.object({ city: z.string() }), {
      name: "extract_city",
    });
    const first = await extract.invoke("Extract the city: I live in Paris");
    const again = await extract.invoke("Extract the city: I live in Paris");
    expect(typeof first.city).toBe("string");
    expect(again).toEqual(first);
    expect(server.count("chat")).toBe(1);
  });
});

describe("tools bound on ChatOpenAI", () => {
  it("enter the key however they were bound (ChatOpenAI keeps them on a new model, not a binding)", async () => {
    const { cache } = recallCache();
    const weather = tool(async () => "sunny", {
      name: "weather",
      description: "Weather in a city",
      schema: z.object({ city: z.string() }),
    });
    const plain = withRecall(openai(), { cache });
    const question = "Use the weather tool for Paris";
    const untooled = await plain.invoke(question);
    const tooled = await plain.bindTools([weather]).invoke(question);
    expect(untooled.tool_calls ?? []).toEqual([]);
    expect(tooled.tool_calls?.length).toBe(1);
    expect(recallOf(tooled).status).toBe("miss");
    const boundFirst = withRecall(openai().bindTools([weather]), { cache });
    const again = await boundFirst.invoke(question);
    expect(recallOf(again).status).toBe("hit");
    expect(again.tool_calls).toEqual(tooled.tool_calls);
    expect(server.count("chat")).toBe(2);
  });
});

describe("both ways together", () => {
  it("share entries: a conversation cached through the BaseCache is a hit for withRecall's stream", async () => {
    const { cache } = recallCache();
    const viaCache = openai({ cache: new RecallLangChainCache({ cache: cache }) });
    const viaWrapper = withRecall(openai(), { cache });
    const first = await viaCache.invoke([
      ["system", "You are terse."],
      ["human", CAPITAL],
    ]);
    const streamed = await collect(
      await viaWrapper.stream([
        ["system", "You are terse."],
        ["human", CAPITAL],
      ]),
    );
    expect(recallOf(streamed.message).status).toBe("hit");
    expect(streamed.message.content).toBe(first.content);
    expect(server.count("chat")).toBe(1);
  });
});
