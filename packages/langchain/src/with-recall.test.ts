import { AIMessage, type AIMessageChunk, HumanMessage } from "@langchain/core/messages";
import { StringOutputParser } from "@langchain/core/output_parsers";
import { ChatPromptTemplate } from "@langchain/core/prompts";
import { tool } from "@langchain/core/tools";
import { concat } from "@langchain/core/utils/stream";
import { FakeChatModel, FakeStreamingChatModel } from "@langchain/core/utils/testing";
import { createCache, RecallError } from "@recall/core";
import { fakeEmbedder } from "@recall/core/testing";
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { CountingChatModel, inspectableStore } from "../test/fake-models.js";
import type { RecallMetadata } from "./status.js";
import { withRecall } from "./with-recall.js";

const CAPITAL = "What is the capital of France?";
const PARAPHRASE = "Which city is the capital of France?";
const recallOf = (message: { response_metadata: Record<string, unknown> }) =>
  message.response_metadata.recall as RecallMetadata;

function setup(fields: { responses?: string[]; sleep?: number } = {}) {
  const upstream = new CountingChatModel({
    responses: fields.responses ?? ["The capital of France is Paris.", "Lyon?"],
    ...(fields.sleep !== undefined ? { sleep: fields.sleep } : {}),
  });
  const recall = createCache({ semantic: { embedder: fakeEmbedder({ synonyms: [[CAPITAL, PARAPHRASE]] }) } });
  return { upstream, recall, model: withRecall(upstream, { cache: recall }) };
}

async function collect(
  stream: AsyncIterable<AIMessageChunk>,
): Promise<{ chunks: AIMessageChunk[]; message: AIMessageChunk }> {
  const chunks: AIMessageChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return { chunks, message: chunks.reduce((a, b) => concat(a, b)) };
}

describe("withRecall", () => {
  it("invoke: a repeated and a paraphrased question make one upstream call", async () => {
    const { upstream, model } = setup();
    const first = await model.invoke(CAPITAL);
    const repeated = await model.invoke(CAPITAL);
    const paraphrased = await model.invoke(PARAPHRASE);
    expect(upstream.calls).toBe(1);
    expect([first, repeated, paraphrased].map((m) => m.content)).toEqual(
      Array(3).fill("The capital of France is Paris."),
    );
    expect([first, repeated, paraphrased].map((m) => recallOf(m).status)).toEqual([
      "miss",
      "hit",
      "semantic-hit",
    ]);
    expect(recallOf(first).stored).toBe(true);
    expect(recallOf(paraphrased).matchedQuestion).toBe(CAPITAL);
  });

  it("stream: a repeated and a paraphrased question make one upstream call, replayed as chunks", async () => {
    const { upstream, model } = setup();
    const fresh = await collect(await model.stream(CAPITAL));
    const repeated = await collect(await model.stream(CAPITAL));
    const paraphrased = await collect(await model.stream(PARAPHRASE));
    expect(upstream.counter).toMatchObject({ stream: 1, generate: 0 });
    for (const { chunks, message } of [fresh, repeated, paraphrased]) {
      expect(chunks.length).toBeGreaterThan(3);
      expect(message.content).toBe("The capital of France is Paris.");
      expect(message.usage_metadata?.output_tokens).toBe(31);
    }
    expect(recallOf(fresh.message)).toMatchObject({ status: "miss", stored: true });
    expect(recallOf(repeated.message).status).toBe("hit");
    expect(recallOf(paraphrased.message).status).toBe("semantic-hit");
    // Replayed in the pieces the model streamed.
    expect(repeated.chunks.map((c) => c.content).filter(Boolean)).toEqual(
      fresh.chunks.map((c) => c.content).filter(Boolean),
    );
  });

  it("shares entries between invoke and stream", async () => {
    const { upstream, model } = setup();
    await model.invoke(CAPITAL);
    const streamed = await collect(await model.stream(CAPITAL));
    expect(streamed.chunks.length).toBeGreaterThan(1);
    expect(streamed.message.content).toBe("The capital of France is Paris.");
    await collect(await model.stream("Another question"));
    expect((await model.invoke("Another question")).content).toBe("Lyon?");
    expect(upstream.calls).toBe(2);
  });

  it("replays tool calls, response metadata and usage so the chunks add up to the original message", async () => {
    const original = new AIMessage({
      content: "",
      tool_calls: [{ id: "call_1", name: "weather", args: { city: "Paris" }, type: "tool_call" }],
      response_metadata: { model_name: "fake", finish_reason: "tool_calls" },
      usage_metadata: { input_tokens: 9, output_tokens: 4, total_tokens: 13 },
    });
    const upstream = new FakeStreamingChatModel({ responses: [original] });
    let calls = 0;
    const generate = upstream._generate.bind(upstream);
    upstream._generate = async (...args) => {
      calls++;
      const result = await generate(...args);
      result.generations[0]!.message = original;
      return result;
    };
    const model = withRecall(upstream, { cache: createCache() });
    const fresh = await model.invoke("Weather in Paris?");
    expect(fresh.tool_calls?.[0]?.args).toEqual({ city: "Paris" });
    const { message } = await collect(await model.stream("Weather in Paris?"));
    expect(calls).toBe(1);
    expect(message.tool_calls).toEqual(original.tool_calls);
    expect(message.usage_metadata).toEqual(original.usage_metadata);
    expect(message.response_metadata).toMatchObject({ model_name: "fake", finish_reason: "tool_calls" });
    expect(recallOf(message).saved).toMatchObject({ inputTokens: 9, outputTokens: 4 });
  });

  it("stores nothing from a stream the consumer abandons, or that fails", async () => {
    const { upstream, model } = setup({ sleep: 1 });
    for await (const _chunk of await model.stream(CAPITAL)) break;
    const controller = new AbortController();
    const aborted = await model.stream(CAPITAL, { signal: controller.signal });
    await expect(
      (async () => {
        for await (const _chunk of aborted) controller.abort();
      })(),
    ).rejects.toThrow();
    upstream.counter.failNext = 1;
    await expect((async () => collect(await model.stream(CAPITAL)))()).rejects.toThrow("upstream failed");
    const complete = await collect(await model.stream(CAPITAL));
    expect(recallOf(complete.message).status).toBe("miss");
    expect(upstream.counter.stream).toBe(4);
    expect(recallOf((await collect(await model.stream(CAPITAL))).message).status).toBe("hit");
  });

  it("coalesces identical concurrent calls in a batch", async () => {
    const { upstream, model } = setup({ sleep: 5 });
    const answers = await model.batch([CAPITAL, CAPITAL, CAPITAL]);
    expect(upstream.calls).toBe(1);
    expect(answers.map((m) => recallOf(m).status).sort()).toEqual(["coalesced", "coalesced", "miss"]);
  });

  it("works in a chain (prompt | model | parser) for invoke and stream", async () => {
    const { upstream, model } = setup();
    const chain = ChatPromptTemplate.fromMessages([
      ["system", "You answer geography questions."],
      ["human", "{question}"],
    ])
      .pipe(model)
      .pipe(new StringOutputParser());
    expect(await chain.invoke({ question: CAPITAL })).toBe("The capital of France is Paris.");
    const pieces: string[] = [];
    for await (const piece of await chain.stream({ question: PARAPHRASE })) pieces.push(piece);
    expect(pieces.join("")).toBe("The capital of France is Paris.");
    expect(pieces.length).toBeGreaterThan(1);
    expect(upstream.calls).toBe(1);
  });

  it("takes per-call options, directly or through a chain's configurable", async () => {
    const { upstream, model } = setup();
    await model.invoke(CAPITAL);
    const bypassed = await model.invoke(CAPITAL, { recall: { noCache: true } });
    expect(recallOf(bypassed).status).toBe("bypass");
    const chain = ChatPromptTemplate.fromMessages([["human", "{q}"]]).pipe(model);
    const other = await chain.invoke({ q: CAPITAL }, { configurable: { recall: { namespace: "tenant-b" } } });
    expect(recallOf(other)).toMatchObject({ status: "miss", namespace: "tenant-b" });
    expect(upstream.calls).toBe(3);
  });

  it("keeps tools in the key: bound tools are cached, other tools are a different entry", async () => {
    const { upstream, model } = setup();
    const weather = tool(async () => "sunny", {
      name: "weather",
      description: "Weather in a city",
      schema: z.object({ city: z.string() }),
    });
    const time = tool(async () => "noon", {
      name: "time",
      description: "Time in a city",
      schema: z.object({ city: z.string() }),
    });
    const withWeather = model.bindTools([weather]);
    await withWeather.invoke(CAPITAL);
    expect(recallOf(await withWeather.invoke(CAPITAL)).status).toBe("hit");
    expect(recallOf(await model.bindTools([time]).invoke(CAPITAL)).status).toBe("miss");
    expect(recallOf(await model.invoke(CAPITAL)).status).toBe("miss");
    // A model whose tools were bound before wrapping works the same.
    const wrappedBound = withRecall(upstream.bindTools([weather]), { cache: model.recall });
    expect(recallOf((await wrappedBound.invoke(CAPITAL)) as AIMessageChunk).status).toBe("hit");
    expect(upstream.calls).toBe(3);
  });

  it("sends stream events for replayed answers", async () => {
    const { model } = setup();
    await model.invoke(CAPITAL);
    const tokens: string[] = [];
    for await (const event of model.streamEvents(CAPITAL, { version: "v2" })) {
      if (event.event === "on_chat_model_stream") tokens.push(event.data.chunk.content);
    }
    expect(tokens.join("")).toBe("The capital of France is Paris.");
  });

  it("streams a model that cannot stream as one chunk, then replays it word by word", async () => {
    const upstream = new FakeChatModel({});
    const generate = vi.spyOn(upstream, "_generate");
    const model = withRecall(upstream, { cache: createCache() });
    const fresh = await collect(await model.stream("Echo these four words"));
    const replay = await collect(await model.stream("Echo these four words"));
    expect(generate).toHaveBeenCalledOnce();
    expect(fresh.chunks.filter((c) => c.content).length).toBe(1);
    expect(replay.chunks.filter((c) => c.content).map((c) => c.content)).toEqual([
      "Echo ",
      "these ",
      "four ",
      "words",
    ]);
    expect(replay.message.content).toBe(fresh.message.content);
  });

  it("never stores the API key", async () => {
    const secret = "sk-test-0123456789abcdefghij";
    const { store, dump } = inspectableStore();
    const upstream = new CountingChatModel({ responses: ["Paris."], apiKey: secret });
    const model = withRecall(upstream, { cache: createCache({ store }) });
    await model.invoke(CAPITAL);
    await collect(await model.stream("Other"));
    expect(dump()).toContain("Paris.");
    expect(dump()).not.toContain(secret);
  });

  it("does not store an answer that repeats the API key, even one with characters JSON escapes", async () => {
    const secret = 'sk-test-"quoted"\\0123456789';
    const upstream = new CountingChatModel({ responses: [`the key is ${secret}`], apiKey: secret });
    const model = withRecall(upstream, { cache: createCache() });
    const first = await model.invoke("What is my key?");
    expect(first.content).toBe(`the key is ${secret}`);
    expect(recallOf(first)).toMatchObject({ status: "miss", stored: false });
    expect(recallOf(first).rejectedBecause).toMatch(/credential/);
    expect(recallOf(await model.invoke("What is my key?")).status).toBe("miss");
  });

  it("does not cache a conversation that quotes the API key", async () => {
    const secret = "sk-test-0123456789abcdefghij";
    const upstream = new CountingChatModel({ responses: ["ok"], apiKey: secret });
    const model = withRecall(upstream, { cache: createCache() });
    await model.invoke([new HumanMessage(`my key is ${secret}`)]);
    const again = await model.invoke([new HumanMessage(`my key is ${secret}`)]);
    expect(recallOf(again)).toMatchObject({ status: "bypass", reason: "a message contains a credential" });
    expect(upstream.calls).toBe(2);
  });

  it("does not cache content parts that quote an API key JSON would escape", async () => {
    const secret = 'sk-test-"quoted"\\0123456789';
    const upstream = new CountingChatModel({ responses: ["ok"], apiKey: secret });
    const model = withRecall(upstream, { cache: createCache() });
    const ask = () =>
      model.invoke([new HumanMessage({ content: [{ type: "text", text: `key: ${secret}` }] })]);
    await ask();
    expect(recallOf(await ask())).toMatchObject({
      status: "bypass",
      reason: "a message contains a credential",
    });
  });

  it("refuses a misspelled option, given to withRecall or per call, naming it", async () => {
    const upstream = new CountingChatModel({ responses: ["x"] });
    expect(() => withRecall(upstream, { cache: createCache(), onError: () => {} } as never)).toThrow(
      /withRecall options\.onError is not a Recall option/,
    );
    const model = withRecall(upstream, { cache: createCache() });
    await expect(model.invoke("hi", { recall: { noCahce: true } as never })).rejects.toThrow(
      /recall\.noCahce is not a Recall option/,
    );
    expect(upstream.calls).toBe(0);
  });

  it("refuses what it cannot wrap, with a coded error", () => {
    expect(() => withRecall(new StringOutputParser() as never, { cache: createCache() })).toThrow(
      RecallError,
    );
    expect(() =>
      withRecall(new CountingChatModel({ responses: ["x"] }), { cache: undefined as never }),
    ).toThrow(/cache must be a Recall cache/);
  });
});
