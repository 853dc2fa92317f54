import type { LanguageModelV4StreamPart } from "@ai-sdk/provider";
import { createCache } from "@recall/core";
import { stepCountIs, streamObject, streamText, tool, wrapLanguageModel } from "ai";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { RecallMiddlewareOptions } from "../src/index.js";
import { recallMiddleware } from "../src/index.js";
import { collect, mockModel, recallOf, streamOf, TIMESTAMP } from "./mock-model.js";

function setup(
  options: Parameters<typeof mockModel>[0] = {},
  middleware: Partial<RecallMiddlewareOptions> = {},
) {
  const model = mockModel(options);
  const cache = createCache();
  const wrapped = wrapLanguageModel({ model, middleware: recallMiddleware({ cache, ...middleware }) });
  return { model, cache, wrapped };
}

const params = (text: string) => ({
  prompt: [{ role: "user" as const, content: [{ type: "text" as const, text }] }],
});

/** The parts without our metadata, to compare a replay with the recording. */
const withoutRecall = (parts: LanguageModelV4StreamPart[]) =>
  parts.map((p) => {
    if (p.type !== "finish") return p;
    const { recall: _recall, ...rest } = p.providerMetadata ?? {};
    return { ...p, providerMetadata: rest };
  });

describe("wrapStream: record and replay", () => {
  it("replays every part of the stream: metadata, reasoning, text, tool input, tool call, finish", async () => {
    const { model, wrapped } = setup({
      stream: () => streamOf("Paris is the capital of France.", { toolCall: true }),
    });
    const fresh = await collect((await wrapped.doStream(params("Capital of France?"))).stream);
    const replay = await collect((await wrapped.doStream(params("Capital of France?"))).stream);
    expect(model.doStreamCalls).toHaveLength(1);
    expect(withoutRecall(replay)).toEqual(withoutRecall(fresh));
    expect(replay.map((p) => p.type)).toEqual(
      expect.arrayContaining([
        "stream-start",
        "response-metadata",
        "reasoning-delta",
        "text-delta",
        "tool-input-delta",
        "tool-call",
        "finish",
      ]),
    );
    const meta = replay.find((p) => p.type === "response-metadata") as { timestamp: Date };
    expect(meta.timestamp).toBeInstanceOf(Date);
    expect(meta.timestamp.getTime()).toBe(TIMESTAMP.getTime());
    const finishOf = (parts: LanguageModelV4StreamPart[]) =>
      parts.at(-1) as Extract<LanguageModelV4StreamPart, { type: "finish" }>;
    expect(finishOf(fresh).providerMetadata?.recall).toMatchObject({ status: "miss", stored: true });
    expect(finishOf(replay).providerMetadata?.recall).toMatchObject({
      status: "hit",
      cached: true,
      saved: { inputTokens: 12, outputTokens: 8 },
    });
    expect(finishOf(replay).providerMetadata?.openai).toEqual({ responseId: "resp_s" });
  });

  it("streamText: text, reasoning, usage and provider metadata from a replay", async () => {
    const { model, wrapped } = setup();
    const run = async () => {
      const result = streamText({ model: wrapped, prompt: "Why is the sky blue?" });
      const chunks: string[] = [];
      for await (const chunk of result.textStream) chunks.push(chunk);
      return {
        chunks,
        text: await result.text,
        reasoning: await result.reasoningText,
        usage: await result.usage,
        meta: await result.providerMetadata,
        response: await result.response,
      };
    };
    const fresh = await run();
    const replay = await run();
    expect(model.doStreamCalls).toHaveLength(1);
    expect(replay.text).toBe("Answer to: Why is the sky blue?");
    expect(replay.chunks).toEqual(fresh.chunks);
    expect(replay.chunks.length).toBeGreaterThan(3);
    expect(replay.reasoning).toBe("Thinking it over.");
    expect(replay.usage).toEqual(fresh.usage);
    expect(replay.response.timestamp.getTime()).toBe(TIMESTAMP.getTime());
    expect(fresh.meta?.recall).toMatchObject({ status: "miss" });
    expect(replay.meta?.recall).toMatchObject({ status: "hit" });
  });

  it("streamObject: replays a streamed JSON object", async () => {
    const { model, wrapped } = setup({ stream: () => streamOf('{"city":"Paris","population":2102650}') });
    const schema = z.object({ city: z.string(), population: z.number() });
    const run = async () => {
      const result = streamObject({ model: wrapped, schema, prompt: "Largest city of France?" });
      const partials: unknown[] = [];
      for await (const partial of result.partialObjectStream) partials.push(partial);
      return { object: await result.object, partials, meta: await result.providerMetadata };
    };
    const fresh = await run();
    const replay = await run();
    expect(model.doStreamCalls).toHaveLength(1);
    expect(replay.object).toEqual({ city: "Paris", population: 2102650 });
    expect(replay.partials).toEqual(fresh.partials);
    expect(replay.meta?.recall).toMatchObject({ status: "hit" });
  });

  it("streamText: a multi-step tool loop is replayed step by step", async () => {
    const { model, wrapped } = setup({
      stream: (o) => {
        const last = o.prompt[o.prompt.length - 1]!;
        if (last.role === "tool") return streamOf("Found it: the answer is 42.");
        return streamOf("Let me look that up.", { toolCall: true });
      },
    });
    let executions = 0;
    const tools = {
      lookup: tool({
        inputSchema: z.object({ q: z.string() }),
        execute: async ({ q }) => {
          executions++;
          return { q, answer: 42 };
        },
      }),
    };
    const run = async () => {
      const result = streamText({ model: wrapped, tools, stopWhen: stepCountIs(4), prompt: "Look up paris" });
      const text = await result.text;
      const steps = await result.steps;
      return {
        text,
        statuses: steps.map((s) => recallOf(s.providerMetadata)?.status),
        toolCalls: steps[0]!.toolCalls,
      };
    };
    const fresh = await run();
    expect(model.doStreamCalls).toHaveLength(2);
    const replay = await run();
    expect(model.doStreamCalls).toHaveLength(2);
    expect(executions).toBe(2);
    expect(replay.text).toBe(fresh.text);
    expect(replay.text).toContain("the answer is 42");
    expect(replay.statuses).toEqual(["hit", "hit"]);
    expect(replay.toolCalls[0]).toMatchObject({ toolName: "lookup", input: { q: "paris" } });
  });

  it("replays instantly by default, or at the original pace when asked", async () => {
    const { wrapped, cache } = setup({ delayMs: 25, stream: () => streamOf("0123456789abcdef") });
    const timed = async (model: typeof wrapped) => {
      const t0 = performance.now();
      const { stream } = await model.doStream(params("Count"));
      const reader = stream.getReader();
      await reader.read();
      const first = performance.now() - t0;
      while (!(await reader.read()).done);
      return { first, end: performance.now() - t0 };
    };
    const original = await timed(wrapped); // the miss: ~13 parts 25 ms apart
    const instant = await timed(wrapped);
    const pacedModel = wrapLanguageModel({
      model: mockModel(),
      middleware: recallMiddleware({ cache, pace: "original" }),
    });
    // Another model object with the same provider and id shares the entry.
    const paced = await timed(pacedModel);
    expect(original.end).toBeGreaterThan(250);
    expect(instant.end).toBeLessThan(original.end / 4);
    expect(paced.first).toBeGreaterThan(15);
    expect(paced.end).toBeGreaterThan(original.end * 0.8);
    // A speed factor per call: 4x faster than the original.
    const t0 = performance.now();
    await collect(
      (await pacedModel.doStream({ ...params("Count"), providerOptions: { recall: { pace: 4 } } })).stream,
    );
    const fast = performance.now() - t0;
    expect(fast).toBeLessThan(original.end * 0.6);
    expect(fast).toBeGreaterThan(original.end * 0.15);
  });
});

describe("wrapStream: paced replays and aborts", () => {
  it("a paced replay stops with an AbortError when the caller aborts", async () => {
    const { wrapped } = setup({ delayMs: 5, stream: () => streamOf("0123456789abcdef0123") });
    await collect((await wrapped.doStream(params("Count"))).stream);
    const controller = new AbortController();
    const { stream } = await wrapped.doStream({
      ...params("Count"),
      abortSignal: controller.signal,
      providerOptions: { recall: { pace: "original" } },
    });
    const reader = stream.getReader();
    await reader.read();
    // Mid-replay: the next part is still some 5 ms away.
    controller.abort();
    const error = await (async () => {
      for (;;) if ((await reader.read()).done) return undefined;
    })().catch((e: unknown) => e);
    expect((error as Error)?.name).toBe("AbortError");
  });
});

describe("wrapStream: only clean streams are stored", () => {
  it("does not store a stream the caller aborts", async () => {
    const { model, wrapped } = setup({ delayMs: 10 });
    const controller = new AbortController();
    const result = streamText({ model: wrapped, prompt: "Tell me a story", abortSignal: controller.signal });
    let chunks = 0;
    // Depending on timing the SDK ends the text stream early or rejects it; either way it is cut.
    await (async () => {
      for await (const _ of result.textStream) if (++chunks === 2) controller.abort();
    })().catch(() => {});
    expect(chunks).toBeLessThan(5);
    const again = streamText({ model: wrapped, prompt: "Tell me a story" });
    expect(await again.text).toBe("Answer to: Tell me a story");
    expect((await again.providerMetadata)?.recall).toMatchObject({ status: "miss", stored: true });
    expect(model.doStreamCalls).toHaveLength(2);
  });

  it("does not store a stream whose reader cancels it", async () => {
    const { model, wrapped } = setup({ delayMs: 5 });
    const { stream } = await wrapped.doStream(params("Tell me a story"));
    const reader = stream.getReader();
    await reader.read();
    await reader.read();
    await reader.cancel();
    await collect((await wrapped.doStream(params("Tell me a story"))).stream);
    expect(model.doStreamCalls).toHaveLength(2);
  });

  it("does not store a stream with an error part", async () => {
    const { model, wrapped } = setup({ stream: (_, n) => streamOf("Partial answ", { error: n === 0 }) });
    const first = await collect((await wrapped.doStream(params("Q"))).stream);
    expect(first.some((p) => p.type === "error")).toBe(true);
    expect(
      (first.at(-1) as { providerMetadata?: { recall?: unknown } }).providerMetadata?.recall,
    ).toMatchObject({ stored: false });
    const second = await collect((await wrapped.doStream(params("Q"))).stream);
    expect(second.some((p) => p.type === "error")).toBe(false);
    expect(model.doStreamCalls).toHaveLength(2);
  });

  it("does not store a stream that ends without a finish part", async () => {
    const { model, wrapped } = setup({
      stream: (_, n) => (n === 0 ? streamOf("Cut").slice(0, -1) : streamOf("Whole")),
    });
    await collect((await wrapped.doStream(params("Q"))).stream);
    await collect((await wrapped.doStream(params("Q"))).stream);
    await collect((await wrapped.doStream(params("Q"))).stream);
    expect(model.doStreamCalls).toHaveLength(2);
  });

  it("does not store a stream the provider reports as interrupted", async () => {
    const { model, wrapped } = setup({
      stream: () =>
        streamOf("Half an").map((p) =>
          p.type === "finish"
            ? { ...p, finishReason: { unified: "interrupted" as const, raw: undefined } }
            : p,
        ),
    });
    await collect((await wrapped.doStream(params("Q"))).stream);
    await collect((await wrapped.doStream(params("Q"))).stream);
    expect(model.doStreamCalls).toHaveLength(2);
  });

  it("does not store a truncated stream (finish reason length)", async () => {
    const { model, wrapped } = setup({
      stream: () =>
        streamOf("Cut short").map((p) =>
          p.type === "finish" ? { ...p, finishReason: { unified: "length" as const, raw: "length" } } : p,
        ),
    });
    const first = await collect((await wrapped.doStream(params("Q"))).stream);
    expect(
      (first.at(-1) as { providerMetadata?: { recall?: unknown } }).providerMetadata?.recall,
    ).toMatchObject({
      stored: false,
      rejectedBecause: expect.stringMatching(/truncated/),
    });
    await collect((await wrapped.doStream(params("Q"))).stream);
    expect(model.doStreamCalls).toHaveLength(2);
  });

  it("lets a failing doStream through and stores nothing", async () => {
    let calls = 0;
    const model = mockModel();
    const ok = model.doStream;
    model.doStream = async (o) => {
      if (calls++ === 0) throw new Error("connection refused");
      return ok(o);
    };
    const wrapped = wrapLanguageModel({ model, middleware: recallMiddleware({ cache: createCache() }) });
    await expect(wrapped.doStream(params("Q"))).rejects.toThrow(/connection refused/);
    const parts = await collect((await wrapped.doStream(params("Q"))).stream);
    expect(
      (parts.at(-1) as { providerMetadata?: { recall?: unknown } }).providerMetadata?.recall,
    ).toMatchObject({ status: "miss", stored: true });
  });
});
