import { createOpenAI } from "@ai-sdk/openai";
import { ChatOpenAI, OpenAIEmbeddings } from "@langchain/openai";
import { embedMany, generateText, Output, stepCountIs, streamText, tool } from "ai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { answerIdFor, answerTextFor, startMockOpenAI } from "./index";
import type { MockOpenAIServer } from "./types";

let server: MockOpenAIServer;
let openai: ReturnType<typeof createOpenAI>;

beforeAll(async () => {
  server = await startMockOpenAI();
  openai = createOpenAI({ baseURL: server.url, apiKey: "sk-test" });
});
afterAll(() => server.close());
afterEach(() => server.reset());

const QUESTION = "How do tides work?";

const weather = tool({
  description: "Current weather for a city",
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => ({ city, celsius: 21 }),
});

describe.each([
  ["chat completions", () => openai.chat("gpt-4o-mini"), "chat"],
  ["responses API", () => openai("gpt-4o-mini"), "responses"],
] as const)("AI SDK with %s", (_name, model, endpoint) => {
  it("generateText gets the answer, usage and finish reason", async () => {
    const r = await generateText({ model: model(), prompt: QUESTION });
    expect(r.text).toBe(answerTextFor(QUESTION));
    expect(r.finishReason).toBe("stop");
    expect(r.usage.outputTokens).toBe(Math.ceil(r.text.length / 4));
    expect(r.usage.inputTokens).toBeGreaterThan(0);
    expect(server.count(endpoint)).toBe(1);
  });

  it("streamText streams the same answer with usage", async () => {
    const r = streamText({ model: model(), prompt: QUESTION });
    const parts: string[] = [];
    for await (const delta of r.textStream) parts.push(delta);
    expect(parts.length).toBeGreaterThan(10);
    expect(parts.join("")).toBe(answerTextFor(QUESTION));
    expect((await r.usage).outputTokens).toBe(Math.ceil(parts.join("").length / 4));
    expect(await r.finishReason).toBe("stop");
    expect(server.requests[0]?.stream).toBe(true);
  });

  it("runs a tool loop, plain and streamed", async () => {
    const r = await generateText({
      model: model(),
      prompt: "Weather in Oslo?",
      tools: { weather },
      stopWhen: stepCountIs(3),
    });
    expect(r.steps).toHaveLength(2);
    expect(r.steps[0]?.toolCalls[0]).toMatchObject({
      toolName: "weather",
      input: { city: "weather in oslo" },
    });
    expect(r.text).toContain(`[ans:${answerIdFor("Weather in Oslo?")}]`);
    expect(r.text).toContain('"celsius":21');

    const s = streamText({
      model: model(),
      prompt: "Weather in Oslo?",
      tools: { weather },
      stopWhen: stepCountIs(3),
    });
    let text = "";
    for await (const delta of s.textStream) text += delta;
    expect(text).toBe(r.text);
    expect(await s.steps).toHaveLength(2);
  });

  it("produces structured output that matches the schema", async () => {
    const r = await generateText({
      model: model(),
      prompt: "A pancake recipe",
      output: Output.object({
        schema: z.object({ name: z.string(), minutes: z.number(), steps: z.array(z.string()) }),
      }),
    });
    expect(r.output.name).toBe(answerTextFor("A pancake recipe"));
    expect(r.output.steps.length).toBeGreaterThan(0);
    expect(typeof r.output.minutes).toBe("number");
  });

  it("surfaces injected errors as API call errors", async () => {
    server.failNext(400, "bad request from the mock");
    await expect(generateText({ model: model(), prompt: "x", maxRetries: 0 })).rejects.toThrow(
      /bad request from the mock/,
    );
  });
});

describe("AI SDK stream failures", () => {
  it.each([
    ["chat", () => openai.chat("gpt-4o-mini")],
    ["responses", () => openai("gpt-4o-mini")],
  ] as const)("streamText reports a stream cut mid-way (%s)", async (_name, model) => {
    server.cutNextStream(4);
    const errors: unknown[] = [];
    const r = streamText({
      model: model(),
      prompt: QUESTION,
      onError: ({ error }) => void errors.push(error),
    });
    let text = "";
    try {
      for await (const part of r.fullStream) if (part.type === "text-delta") text += part.text;
    } catch (error) {
      errors.push(error);
    }
    expect(errors.length).toBeGreaterThan(0);
    expect(text.length).toBeGreaterThan(0);
    expect(text).not.toBe(answerTextFor(QUESTION));
  });
});

describe("AI SDK embeddings", () => {
  it("embedMany gets one float vector per value", async () => {
    const r = await embedMany({
      model: openai.embedding("text-embedding-3-small"),
      values: ["a cat", "a dog"],
    });
    expect(r.embeddings).toHaveLength(2);
    expect(r.embeddings[0]).toHaveLength(256);
    expect(server.requests[0]?.body.encoding_format).toBe("float");
  });
});

describe("LangChain ChatOpenAI", () => {
  it.each([false, true])("invoke and stream work (useResponsesApi: %s)", async (useResponsesApi) => {
    const llm = new ChatOpenAI({
      model: "gpt-4o-mini",
      apiKey: "sk-test",
      useResponsesApi,
      configuration: { baseURL: server.url },
    });
    const msg = await llm.invoke(QUESTION);
    expect(msg.text).toBe(answerTextFor(QUESTION));
    expect(msg.usage_metadata?.output_tokens).toBe(Math.ceil(msg.text.length / 4));
    let streamed = "";
    for await (const chunk of await llm.stream(QUESTION)) streamed += chunk.text;
    expect(streamed).toBe(answerTextFor(QUESTION));
    expect(server.count(useResponsesApi ? "responses" : "chat")).toBe(2);
  });

  it.each([false, true])(
    "structured output and bound tools work (useResponsesApi: %s)",
    async (useResponsesApi) => {
      const llm = new ChatOpenAI({
        model: "gpt-4o-mini",
        apiKey: "sk-test",
        useResponsesApi,
        configuration: { baseURL: server.url },
      });
      const schema = z.object({ city: z.string(), population: z.number() });
      const viaSchema = await llm
        .withStructuredOutput(schema, { method: "jsonSchema" })
        .invoke("Biggest city?");
      expect(viaSchema).toEqual({ city: answerTextFor("Biggest city?"), population: 3.5 });
      const viaTool = await llm
        .withStructuredOutput(schema, { method: "functionCalling" })
        .invoke("Biggest city?");
      expect(viaTool).toEqual({ city: "biggest city", population: 3.5 });
      const msg = await llm
        .bindTools([
          {
            type: "function",
            function: {
              name: "lookup",
              parameters: { type: "object", properties: { q: { type: "string" } } },
            },
          },
        ])
        .invoke("Find X");
      expect(msg.tool_calls?.[0]).toMatchObject({ name: "lookup", args: { q: "find x" } });
    },
  );

  it("OpenAIEmbeddings embeds queries and documents", async () => {
    const emb = new OpenAIEmbeddings({
      model: "text-embedding-3-small",
      apiKey: "sk-test",
      configuration: { baseURL: server.url },
    });
    const [q, docs] = await Promise.all([emb.embedQuery("hello"), emb.embedDocuments(["a", "b", "c"])]);
    expect(q).toHaveLength(256);
    expect(docs).toHaveLength(3);
  });
});
