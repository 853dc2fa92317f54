import { createCache } from "@recall/core";
import { generateObject, generateText, jsonSchema, Output, stepCountIs, tool, wrapLanguageModel } from "ai";
import { MockLanguageModelV3 } from "ai/test";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { recallMiddleware } from "../src/index.js";
import { generated, lastUserText, mockModel, recallOf, TIMESTAMP, usage } from "./mock-model.js";

function setup(options: Parameters<typeof mockModel>[0] = {}) {
  const model = mockModel(options);
  const cache = createCache();
  const wrapped = wrapLanguageModel({ model, middleware: recallMiddleware({ cache }) });
  return { model, cache, wrapped };
}

describe("wrapGenerate: generateText", () => {
  it("answers a repeat from the cache with the same result shape, dates revived", async () => {
    const { model, wrapped } = setup({
      answer: (o) =>
        generated([
          { type: "reasoning", text: "The user wants a capital." },
          { type: "text", text: `Paris (${lastUserText(o)})` },
        ]),
    });
    const fresh = await generateText({ model: wrapped, prompt: "What is the capital of France?" });
    const replay = await generateText({ model: wrapped, prompt: "What is the capital of France?" });

    expect(model.doGenerateCalls).toHaveLength(1);
    expect(replay.text).toBe(fresh.text);
    expect(replay.reasoningText).toBe("The user wants a capital.");
    expect(replay.finishReason).toBe("stop");
    expect(replay.usage).toEqual(fresh.usage);
    expect(replay.usage.inputTokens).toBe(12);
    expect(replay.response.id).toBe("resp_1");
    expect(replay.response.modelId).toBe("gpt-4.1-2025-04-14");
    expect(replay.response.timestamp).toBeInstanceOf(Date);
    expect(replay.response.timestamp.getTime()).toBe(TIMESTAMP.getTime());
    // The model's own provider metadata is kept; ours is added beside it.
    expect(replay.providerMetadata?.openai).toEqual({ responseId: "resp_1", serviceTier: "default" });
    expect(fresh.providerMetadata?.recall).toMatchObject({ status: "miss", cached: false, stored: true });
    expect(replay.providerMetadata?.recall).toMatchObject({
      status: "hit",
      cached: true,
      saved: { inputTokens: 12, outputTokens: 8 },
    });
    expect(recallOf(replay.providerMetadata)?.saved?.usd).toBeGreaterThan(0);
  });

  it("works with a V3 provider model too (ai@7 adapts it)", async () => {
    const v3 = new MockLanguageModelV3({
      provider: "legacy.chat",
      modelId: "old-model",
      doGenerate: async () => ({
        content: [{ type: "text", text: "From a V3 model." }],
        finishReason: { unified: "stop", raw: "stop" },
        usage: usage(3, 4),
        warnings: [],
      }),
    });
    const wrapped = wrapLanguageModel({ model: v3, middleware: recallMiddleware({ cache: createCache() }) });
    await generateText({ model: wrapped, prompt: "Hi" });
    const replay = await generateText({ model: wrapped, prompt: "Hi" });
    expect(replay.text).toBe("From a V3 model.");
    expect(recallOf(replay.providerMetadata)?.status).toBe("hit");
    expect(v3.doGenerateCalls).toHaveLength(1);
  });

  it("keeps generated files as bytes", async () => {
    const bytes = new Uint8Array([137, 80, 78, 71, 0, 255]);
    const { model, wrapped } = setup({
      answer: () =>
        generated([
          { type: "text", text: "Here is the chart." },
          { type: "file", mediaType: "image/png", data: { type: "data", data: bytes } },
        ]),
    });
    await generateText({ model: wrapped, prompt: "Draw a chart" });
    const replay = await generateText({ model: wrapped, prompt: "Draw a chart" });
    expect(model.doGenerateCalls).toHaveLength(1);
    expect(replay.files).toHaveLength(1);
    expect(replay.files[0]!.mediaType).toBe("image/png");
    expect(Array.from(replay.files[0]!.uint8Array)).toEqual(Array.from(bytes));
  });

  it("does not store an answer cut by the token limit", async () => {
    const { model, wrapped } = setup({
      answer: () => generated("Paris is the cap", { finishReason: { unified: "length", raw: "length" } }),
    });
    const first = await generateText({ model: wrapped, prompt: "Capital of France?" });
    expect(first.providerMetadata?.recall).toMatchObject({
      status: "miss",
      stored: false,
      rejectedBecause: expect.stringMatching(/truncated/),
    });
    await generateText({ model: wrapped, prompt: "Capital of France?" });
    expect(model.doGenerateCalls).toHaveLength(2);
  });

  it("lets a model error through and stores nothing", async () => {
    let calls = 0;
    const { model, wrapped } = setup({
      answer: () => {
        if (calls++ === 0) throw new Error("upstream 500");
        return generated("Paris.");
      },
    });
    await expect(generateText({ model: wrapped, prompt: "Capital?", maxRetries: 0 })).rejects.toThrow(
      /upstream 500/,
    );
    const second = await generateText({ model: wrapped, prompt: "Capital?", maxRetries: 0 });
    expect(second.text).toBe("Paris.");
    expect(second.providerMetadata?.recall).toMatchObject({ status: "miss", stored: true });
    expect(model.doGenerateCalls).toHaveLength(2);
  });
});

describe("wrapGenerate: generateObject (JSON output)", () => {
  const schema = z.object({ city: z.string(), population: z.number() });

  it("replays a structured answer", async () => {
    const { model, wrapped } = setup({ answer: () => generated('{"city":"Paris","population":2102650}') });
    const fresh = await generateObject({ model: wrapped, schema, prompt: "Largest city of France?" });
    const replay = await generateObject({ model: wrapped, schema, prompt: "Largest city of France?" });
    expect(model.doGenerateCalls).toHaveLength(1);
    expect(model.doGenerateCalls[0]!.responseFormat).toMatchObject({ type: "json" });
    expect(replay.object).toEqual({ city: "Paris", population: 2102650 });
    expect(replay.object).toEqual(fresh.object);
    expect(replay.providerMetadata?.recall).toMatchObject({ status: "hit" });
  });

  it("replays generateText with Output.object (the v7 way)", async () => {
    const { model, wrapped } = setup({ answer: () => generated('{"city":"Lyon","population":522250}') });
    const run = () =>
      generateText({ model: wrapped, output: Output.object({ schema }), prompt: "Third city of France?" });
    const fresh = await run();
    const replay = await run();
    expect(model.doGenerateCalls).toHaveLength(1);
    expect(replay.output).toEqual({ city: "Lyon", population: 522250 });
    expect(replay.output).toEqual(fresh.output);
  });

  it("does not store JSON that misses its schema", async () => {
    const { model, wrapped } = setup({ answer: () => generated('{"city":"Paris","population":"many"}') });
    await expect(generateObject({ model: wrapped, schema, prompt: "Largest city?" })).rejects.toThrow();
    await expect(generateObject({ model: wrapped, schema, prompt: "Largest city?" })).rejects.toThrow();
    expect(model.doGenerateCalls).toHaveLength(2);
  });

  it("keys on the schema: another schema is another entry", async () => {
    const { model, wrapped } = setup({ answer: () => generated('{"city":"Paris","population":1}') });
    await generateObject({ model: wrapped, schema, prompt: "Largest city?" });
    await generateObject({
      model: wrapped,
      schema: jsonSchema<{ city: string }>({
        type: "object",
        properties: { city: { type: "string" } },
        required: ["city"],
      }),
      prompt: "Largest city?",
    });
    expect(model.doGenerateCalls).toHaveLength(2);
  });
});

describe("wrapGenerate: tool calls and multi-step loops", () => {
  const weatherModel = () =>
    setup({
      answer: (o) => {
        const last = o.prompt[o.prompt.length - 1]!;
        if (last.role === "tool") {
          const result = last.content[0]!;
          const out =
            result.type === "tool-result" && result.output.type === "json" ? result.output.value : null;
          return generated(`It is ${(out as { sky: string }).sky} in Paris.`, { usage: usage(30, 9) });
        }
        return generated([
          { type: "tool-call", toolCallId: "call_42", toolName: "weather", input: '{"city":"Paris"}' },
        ]);
      },
    });

  it("replays every step of a tool loop; the tools still run on the client", async () => {
    const { model, wrapped } = weatherModel();
    let executions = 0;
    const tools = {
      weather: tool({
        description: "Current weather of a city",
        inputSchema: z.object({ city: z.string() }),
        execute: async ({ city }) => {
          executions++;
          return { city, sky: "sunny" };
        },
      }),
    };
    const run = () =>
      generateText({ model: wrapped, tools, stopWhen: stepCountIs(4), prompt: "Weather in Paris?" });
    const fresh = await run();
    expect(model.doGenerateCalls).toHaveLength(2);
    const replay = await run();
    expect(model.doGenerateCalls).toHaveLength(2);
    expect(executions).toBe(2);
    expect(replay.text).toBe("It is sunny in Paris.");
    expect(replay.text).toBe(fresh.text);
    expect(replay.steps).toHaveLength(2);
    expect(replay.steps[0]!.toolCalls[0]).toMatchObject({
      toolCallId: "call_42",
      toolName: "weather",
      input: { city: "Paris" },
    });
    expect(replay.steps.map((s) => recallOf(s.providerMetadata)?.status)).toEqual(["hit", "hit"]);
    expect(replay.totalUsage.inputTokens).toBe(fresh.totalUsage.inputTokens);
  });

  it("a different tool result is a different step-2 entry", async () => {
    const { model, wrapped } = weatherModel();
    const toolsWith = (sky: string) => ({
      weather: tool({
        inputSchema: z.object({ city: z.string() }),
        execute: async ({ city }) => ({ city, sky }),
      }),
    });
    await generateText({
      model: wrapped,
      tools: toolsWith("sunny"),
      stopWhen: stepCountIs(4),
      prompt: "Weather in Paris?",
    });
    const rainy = await generateText({
      model: wrapped,
      tools: toolsWith("rainy"),
      stopWhen: stepCountIs(4),
      prompt: "Weather in Paris?",
    });
    expect(rainy.text).toBe("It is rainy in Paris.");
    // Step 1 was a hit (same prompt and tools); step 2 saw another tool result.
    expect(model.doGenerateCalls).toHaveLength(3);
  });
});
