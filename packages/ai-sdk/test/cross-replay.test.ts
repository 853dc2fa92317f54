import type { LanguageModelV4CallOptions, LanguageModelV4StreamPart } from "@ai-sdk/provider";
import { createCache } from "@recall/core";
import { generateText, stepCountIs, streamText, tool, wrapLanguageModel } from "ai";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { recallMiddleware } from "../src/index.js";
import { collect, generated, mockModel, recallOf, streamOf, TIMESTAMP, usage } from "./mock-model.js";

/** One model answering both ways, so a test can tell which call reached it. */
function setup(options: Parameters<typeof mockModel>[0] = {}, pace?: "original") {
  const model = mockModel(options);
  const cache = createCache();
  const wrapped = wrapLanguageModel({ model, middleware: recallMiddleware({ cache, pace }) });
  const calls = () => model.doGenerateCalls.length + model.doStreamCalls.length;
  return { model, wrapped, calls };
}

const params = (text: string): LanguageModelV4CallOptions => ({
  prompt: [{ role: "user", content: [{ type: "text", text }] }],
});

const tools = {
  lookup: tool({ inputSchema: z.object({ q: z.string() }), execute: async ({ q }) => ({ q, answer: 42 }) }),
};

describe("a streamed and a plain call of the same request share one entry", () => {
  it("generate, then stream: one model call; the stream carries the text, reasoning, usage and metadata", async () => {
    const { wrapped, calls } = setup({
      answer: () =>
        generated([
          { type: "reasoning", text: "Thinking it over." },
          { type: "text", text: "Paris is the capital of France." },
        ]),
    });
    const plain = await generateText({ model: wrapped, prompt: "Capital of France?" });
    const streamed = streamText({ model: wrapped, prompt: "Capital of France?" });
    const chunks: string[] = [];
    for await (const chunk of streamed.textStream) chunks.push(chunk);

    expect(calls()).toBe(1);
    expect(chunks.join("")).toBe("Paris is the capital of France.");
    expect(await streamed.text).toBe(plain.text);
    expect(await streamed.reasoningText).toBe("Thinking it over.");
    expect(await streamed.finishReason).toBe("stop");
    expect(await streamed.usage).toEqual(plain.usage);
    const response = await streamed.response;
    expect(response.id).toBe("resp_1");
    expect(response.modelId).toBe("gpt-4.1-2025-04-14");
    expect(response.timestamp.getTime()).toBe(TIMESTAMP.getTime());
    const meta = await streamed.providerMetadata;
    expect(meta?.openai).toEqual({ responseId: "resp_1", serviceTier: "default" });
    expect(recallOf(meta)).toMatchObject({ status: "hit", cached: true, saved: { inputTokens: 12 } });
  });

  it("generate, then stream: the parts a provider sends, in order", async () => {
    const { wrapped } = setup({
      answer: () =>
        generated([
          { type: "reasoning", text: "Hmm." },
          { type: "text", text: "Let me look." },
          { type: "tool-call", toolCallId: "call_1", toolName: "lookup", input: '{"q":"paris"}' },
        ]),
    });
    await wrapped.doGenerate(params("Look up paris"));
    const parts = await collect((await wrapped.doStream(params("Look up paris"))).stream);
    expect(parts.map((p) => p.type)).toEqual([
      "stream-start",
      "response-metadata",
      "reasoning-start",
      "reasoning-delta",
      "reasoning-end",
      "text-start",
      "text-delta",
      "text-end",
      "tool-input-start",
      "tool-input-delta",
      "tool-input-end",
      "tool-call",
      "finish",
    ]);
    expect(parts).toContainEqual({ type: "tool-input-start", id: "call_1", toolName: "lookup" });
    expect(parts).toContainEqual({ type: "tool-input-delta", id: "call_1", delta: '{"q":"paris"}' });
    const finish = parts.at(-1) as Extract<LanguageModelV4StreamPart, { type: "finish" }>;
    expect(finish.usage).toEqual(usage(12, 8));
    expect(finish.finishReason).toEqual({ unified: "tool-calls", raw: "tool_calls" });
  });

  it("stream, then generate: one model call; the result has the recorded content, in order", async () => {
    const { wrapped, calls } = setup({ stream: () => streamOf("Paris is the capital of France.") });
    const streamed = streamText({ model: wrapped, prompt: "Capital of France?" });
    const streamedText = await streamed.text;
    const plain = await generateText({ model: wrapped, prompt: "Capital of France?" });

    expect(calls()).toBe(1);
    expect(plain.text).toBe(streamedText);
    expect(plain.text).toBe("Paris is the capital of France.");
    expect(plain.reasoningText).toBe("Thinking it over.");
    expect(plain.content.map((p) => p.type)).toEqual(["reasoning", "text"]);
    expect(plain.finishReason).toBe("stop");
    expect(plain.usage).toEqual(await streamed.usage);
    expect(plain.response.id).toBe("resp_s");
    expect(plain.response.timestamp.getTime()).toBe(TIMESTAMP.getTime());
    expect(plain.providerMetadata?.openai).toEqual({ responseId: "resp_s" });
    expect(recallOf(plain.providerMetadata)).toMatchObject({ status: "hit", cached: true });
  });

  it("stream, then generate: tool calls, files and sources come back as content", async () => {
    const { wrapped } = setup({
      stream: () => {
        const parts = streamOf("Let me look that up.", { toolCall: true });
        parts.splice(
          -1, // before finish
          0,
          { type: "file", mediaType: "image/png", data: { type: "data", data: new Uint8Array([1, 2, 3]) } },
          { type: "source", sourceType: "url", id: "s1", url: "https://example.com", title: "Example" },
        );
        return parts;
      },
    });
    await collect((await wrapped.doStream(params("Look up paris"))).stream);
    const result = await wrapped.doGenerate(params("Look up paris"));
    expect(result.content.map((p) => p.type)).toEqual(["reasoning", "text", "tool-call", "file", "source"]);
    expect(result.content[2]).toEqual({
      type: "tool-call",
      toolCallId: "call_1",
      toolName: "lookup",
      input: '{"q":"paris"}',
    });
    const file = result.content[3] as { data: { data: unknown } };
    expect(file.data.data).toEqual(new Uint8Array([1, 2, 3]));
    expect(result.finishReason).toEqual({ unified: "tool-calls", raw: "tool_calls" });
    expect(result.usage).toEqual(usage(12, 8));
    expect(result.warnings).toEqual([]);
  });

  it("a tool loop run plainly, then streamed: every step from the cache, the same tool calls", async () => {
    const { wrapped, calls } = setup({
      answer: (o) =>
        o.prompt.at(-1)?.role === "tool"
          ? generated("Found it: the answer is 42.")
          : generated([
              { type: "text", text: "Let me look that up." },
              { type: "tool-call", toolCallId: "call_1", toolName: "lookup", input: '{"q":"paris"}' },
            ]),
    });
    const plain = await generateText({
      model: wrapped,
      tools,
      stopWhen: stepCountIs(4),
      prompt: "Look up paris",
    });
    expect(calls()).toBe(2);
    const streamed = streamText({ model: wrapped, tools, stopWhen: stepCountIs(4), prompt: "Look up paris" });
    expect(await streamed.text).toBe(plain.text);
    const steps = await streamed.steps;
    expect(calls()).toBe(2);
    expect(steps.map((s) => recallOf(s.providerMetadata)?.status)).toEqual(["hit", "hit"]);
    expect(steps[0]!.toolCalls[0]).toMatchObject({
      toolCallId: "call_1",
      toolName: "lookup",
      input: { q: "paris" },
    });
    expect(steps[0]!.toolResults[0]).toMatchObject({ output: { q: "paris", answer: 42 } });
  });

  it("a tool loop streamed, then run plainly: every step from the cache, the same tool calls", async () => {
    const { wrapped, calls } = setup({
      stream: (o) =>
        o.prompt.at(-1)?.role === "tool"
          ? streamOf("Found it: the answer is 42.")
          : streamOf("Let me look that up.", { toolCall: true }),
    });
    const streamed = streamText({ model: wrapped, tools, stopWhen: stepCountIs(4), prompt: "Look up paris" });
    const streamedText = await streamed.text;
    expect(calls()).toBe(2);
    const plain = await generateText({
      model: wrapped,
      tools,
      stopWhen: stepCountIs(4),
      prompt: "Look up paris",
    });
    expect(calls()).toBe(2);
    expect(plain.text).toBe(streamedText);
    expect(plain.steps.map((s) => recallOf(s.providerMetadata)?.status)).toEqual(["hit", "hit"]);
    expect(plain.steps[0]!.toolCalls[0]).toMatchObject({ toolName: "lookup", input: { q: "paris" } });
  });

  it("a generate call and a stream call in flight at once make one model call", async () => {
    const { wrapped, calls } = setup({ delayMs: 30 });
    const [plain, streamed] = await Promise.all([
      generateText({ model: wrapped, prompt: "Both at once" }),
      streamText({ model: wrapped, prompt: "Both at once" }).text,
    ]);
    expect(calls()).toBe(1);
    expect(streamed).toBe(plain.text);
  });

  it("a stream replayed from a generate result at the original pace comes after the original's time", async () => {
    const { wrapped } = setup({ delayMs: 120 }, "original");
    await wrapped.doGenerate(params("Slow one"));
    const t0 = performance.now();
    const parts = await collect((await wrapped.doStream(params("Slow one"))).stream);
    const paced = performance.now() - t0;
    expect(parts.at(-1)?.type).toBe("finish");
    expect(paced).toBeGreaterThan(80);
    const t1 = performance.now();
    await collect(
      (await wrapped.doStream({ ...params("Slow one"), providerOptions: { recall: { pace: "instant" } } }))
        .stream,
    );
    expect(performance.now() - t1).toBeLessThan(paced / 2);
  });

  it("replays the same shape as before: a generate result as itself, a recording part for part", async () => {
    const { wrapped } = setup();
    const fresh = await wrapped.doGenerate(params("Q"));
    const replay = await wrapped.doGenerate(params("Q"));
    expect(replay.content).toEqual(fresh.content);
    const other = setup();
    const recorded = await collect((await other.wrapped.doStream(params("Q"))).stream);
    const replayed = await collect((await other.wrapped.doStream(params("Q"))).stream);
    expect(replayed.map((p) => p.type)).toEqual(recorded.map((p) => p.type));
  });
});
