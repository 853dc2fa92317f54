import { type AIMessage, HumanMessage, SystemMessage } from "@langchain/core/messages";
import { StringOutputParser } from "@langchain/core/output_parsers";
import { ChatPromptTemplate } from "@langchain/core/prompts";
import { FakeLLM } from "@langchain/core/utils/testing";
import { type Clock, createCache, RecallError } from "@recall/core";
import { fakeClock, fakeEmbedder } from "@recall/core/testing";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { brokenStore, CountingChatModel, inspectableStore } from "../test/fake-models.js";
import { RecallLangChainCache } from "./recall-cache.js";
import type { RecallMetadata } from "./status.js";

const CAPITAL = "What is the capital of France?";
const PARAPHRASE = "Which city is the capital of France?";
const embedder = () => fakeEmbedder({ synonyms: [[CAPITAL, PARAPHRASE]] });
const recallOf = (message: { response_metadata: Record<string, unknown> }) =>
  message.response_metadata.recall as RecallMetadata;

function setup(
  options: { semantic?: boolean; ttl?: number; waitTimeoutMs?: number; sleep?: number; clock?: Clock } = {},
) {
  const recall = createCache({
    ...(options.semantic ? { semantic: { embedder: embedder() } } : {}),
    ...(options.ttl ? { ttl: options.ttl } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  // A call default: the adapter waits min(10 s, the cache's waitTimeoutMs) unless told.
  const cache = new RecallLangChainCache({
    cache: recall,
    ...(options.waitTimeoutMs ? { waitTimeoutMs: options.waitTimeoutMs } : {}),
  });
  const model = new CountingChatModel({
    responses: ["Paris.", "Lyon?", "Marseille?"],
    ...(options.sleep ? { sleep: options.sleep } : {}),
  });
  model.cache = cache;
  return { recall, cache, model };
}

describe("RecallLangChainCache", () => {
  it("answers a repeated question from cache: one upstream call, status on both answers", async () => {
    const { model } = setup();
    const first = await model.invoke(CAPITAL);
    const second = await model.invoke(`  ${CAPITAL} `);
    expect(model.calls).toBe(1);
    expect(second.content).toBe("Paris.");
    expect(recallOf(first)).toMatchObject({ status: "miss", stored: true });
    expect(recallOf(second).status).toBe("hit");
    expect(recallOf(second).stored).toBeUndefined();
    expect(recallOf(second).key).toBe(recallOf(first).key);
  });

  it("answers a paraphrase by meaning, and says which question it matched", async () => {
    const { model } = setup({ semantic: true });
    await model.invoke(CAPITAL);
    const paraphrased = await model.invoke(PARAPHRASE);
    expect(model.calls).toBe(1);
    expect(paraphrased.content).toBe("Paris.");
    expect(recallOf(paraphrased)).toMatchObject({ status: "semantic-hit", matchedQuestion: CAPITAL });
    expect(recallOf(paraphrased).similarity).toBeGreaterThan(0.9);
  });

  it("matches by meaning only within the same conversation before the last question", async () => {
    const { model } = setup({ semantic: true });
    await model.invoke([new SystemMessage("Answer in French."), new HumanMessage(CAPITAL)]);
    const other = await model.invoke([new SystemMessage("Answer in German."), new HumanMessage(PARAPHRASE)]);
    const same = await model.invoke([new SystemMessage("Answer in French."), new HumanMessage(PARAPHRASE)]);
    expect(recallOf(other).status).toBe("miss");
    expect(recallOf(same).status).toBe("semantic-hit");
    expect(model.calls).toBe(2);
  });

  it("keeps usage metadata through a hit and reports the tokens saved", async () => {
    const { model } = setup();
    const first = (await model.invoke(CAPITAL)) as AIMessage;
    const hit = (await model.invoke(CAPITAL)) as AIMessage;
    expect(first.usage_metadata?.output_tokens).toBe(6);
    expect(hit.usage_metadata).toEqual(first.usage_metadata);
    expect(recallOf(hit).saved).toMatchObject({
      inputTokens: first.usage_metadata!.input_tokens,
      outputTokens: 6,
    });
    // The property is a plain one again: user code can still set it.
    hit.usage_metadata = { input_tokens: 1, output_tokens: 1, total_tokens: 2 };
    expect(hit.usage_metadata.total_tokens).toBe(2);
  });

  it("reports zero usage on hits when asked to", async () => {
    const model = new CountingChatModel({ responses: ["Paris."] });
    model.cache = new RecallLangChainCache({ cache: createCache(), hitUsage: "zero" });
    await model.invoke(CAPITAL);
    const hit = (await model.invoke(CAPITAL)) as AIMessage;
    expect(hit.usage_metadata).toEqual({ input_tokens: 0, output_tokens: 0, total_tokens: 0 });
    expect(recallOf(hit).saved?.outputTokens).toBe(6);
  });

  it("runs a batch with repeats without waiting on itself", async () => {
    const { model } = setup();
    const started = Date.now();
    const answers = await model.batch([CAPITAL, CAPITAL, "Another question"]);
    expect(answers).toHaveLength(3);
    const again = await model.batch([CAPITAL, "Another question"]);
    expect(again.map((m) => recallOf(m).status)).toEqual(["hit", "hit"]);
    // One generate() with the same prompt twice: LangChain looks both up before it calls the model,
    // so the second must not wait for the first one's answer (the core's wait is 60 s).
    const result = await model.generate([[new HumanMessage("Repeated")], [new HumanMessage("Repeated")]]);
    expect(result.generations).toHaveLength(2);
    // Two prompts LangChain tells apart but the cache keys as one (white space is folded in prose).
    const folded = await model.generate([
      [new HumanMessage("Spaced  out")],
      [new HumanMessage("Spaced out")],
    ]);
    expect(folded.generations).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("works inside a chain: prompt template | model | output parser", async () => {
    const { model } = setup();
    const chain = ChatPromptTemplate.fromMessages([
      ["system", "You answer geography questions."],
      ["human", "{question}"],
    ])
      .pipe(model)
      .pipe(new StringOutputParser());
    expect(await chain.invoke({ question: CAPITAL })).toBe("Paris.");
    expect(await chain.invoke({ question: CAPITAL })).toBe("Paris.");
    expect(model.calls).toBe(1);
  });

  it("expires entries after their TTL", async () => {
    const clock = fakeClock();
    const { model } = setup({ ttl: 40, clock });
    await model.invoke(CAPITAL);
    clock.advance(39);
    expect(recallOf(await model.invoke(CAPITAL)).status).toBe("hit");
    clock.advance(1);
    expect(recallOf(await model.invoke(CAPITAL)).status).toBe("miss");
    expect(model.calls).toBe(2);
  });

  it("keeps namespaces apart and counts hits in the core's stats", async () => {
    const recall = createCache();
    const tenantA = new CountingChatModel({ responses: ["A"] });
    tenantA.cache = new RecallLangChainCache({ cache: recall, namespace: "tenant-a" });
    const tenantB = new CountingChatModel({ responses: ["B"] });
    tenantB.cache = new RecallLangChainCache({ cache: recall, namespace: "tenant-b" });
    await tenantA.invoke(CAPITAL);
    await tenantA.invoke(CAPITAL);
    expect((await tenantB.invoke(CAPITAL)).content).toBe("B");
    const stats = recall.stats.snapshot();
    expect(stats.namespaces["tenant-a"]).toMatchObject({ hits: 1, misses: 1 });
    expect(stats.namespaces["tenant-b"]).toMatchObject({ hits: 0, misses: 1 });
  });

  it("serves a cached prompt to every concurrent call: 50 invokes and a batch of 20, no upstream call", async () => {
    const { model, recall } = setup();
    await model.invoke(CAPITAL);
    const invoked = await Promise.all(Array.from({ length: 50 }, () => model.invoke(CAPITAL)));
    const batched = await model.batch(Array.from({ length: 20 }, () => CAPITAL));
    expect(model.calls).toBe(1);
    expect([...invoked, ...batched].map((m) => recallOf(m).status)).toEqual(Array(70).fill("hit"));
    expect([...invoked, ...batched].every((m) => m.content === "Paris.")).toBe(true);
    expect(recall.stats.snapshot().total.hits).toBe(70);
  });

  it("makes one upstream call for 50 concurrent identical cold calls, and serves the rest its answer", async () => {
    const { model } = setup({ sleep: 20 });
    const answers = await Promise.all(Array.from({ length: 50 }, () => model.invoke(CAPITAL)));
    expect(model.calls).toBe(1);
    expect(answers.every((m) => m.content === "Paris.")).toBe(true);
    expect(answers.filter((m) => recallOf(m).status === "miss")).toHaveLength(1);
  });

  it("property: any mix of concurrent invokes and batches of a few prompts calls upstream once per prompt", async () => {
    const prompts = ["Q1?", "Q2?", "Q3?"];
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.constantFrom(0, 1, 2),
            fc.array(fc.constantFrom(0, 1, 2), { minLength: 1, maxLength: 4 }),
          ),
          {
            minLength: 1,
            maxLength: 12,
          },
        ),
        async (plan) => {
          const model = new CountingChatModel({ responses: ["A."], sleep: 5 });
          model.cache = new RecallLangChainCache({ cache: createCache() });
          await Promise.all(
            plan.map((p) =>
              Array.isArray(p) ? model.batch(p.map((i) => prompts[i]!)) : model.invoke(prompts[p]!),
            ),
          );
          expect(model.calls).toBe(new Set(plan.flat()).size);
        },
      ),
      { numRuns: 30 },
    );
  });

  it("stores nothing when the call fails, and the next call stores its answer", async () => {
    // LangChain never tells a cache the call failed: the next call waits out the bound on the
    // lost leader first, 1 ms here.
    const { model } = setup({ waitTimeoutMs: 1 });
    model.counter.failNext = 1;
    await expect(model.invoke(CAPITAL)).rejects.toThrow("upstream failed");
    expect(recallOf(await model.invoke(CAPITAL)).status).toBe("miss");
    expect(recallOf(await model.invoke(CAPITAL)).status).toBe("hit");
    expect(model.calls).toBe(2);
  });

  it("waits for a lost answer at most 10 s, or less when the cache says so", async () => {
    const lookups: Array<number | undefined> = [];
    for (const recall of [createCache(), createCache({ waitTimeoutMs: 200 })]) {
      const spy = vi.spyOn(recall, "lookup");
      const model = new CountingChatModel({ responses: ["Paris."] });
      model.cache = new RecallLangChainCache({ cache: recall });
      await model.invoke(CAPITAL);
      lookups.push(spy.mock.calls[0]?.[1]?.waitTimeoutMs);
    }
    expect(lookups).toEqual([10_000, 200]);
  });

  it("fails open: a broken store means misses, never a failed call", async () => {
    const model = new CountingChatModel({ responses: ["Paris."] });
    const recall = createCache({ store: brokenStore() });
    const errors: unknown[] = [];
    recall.on("error", (e) => errors.push(e));
    model.cache = new RecallLangChainCache({ cache: recall });
    expect((await model.invoke(CAPITAL)).content).toBe("Paris.");
    expect((await model.invoke(CAPITAL)).content).toBe("Paris.");
    expect(model.calls).toBe(2);
    expect(errors.length).toBeGreaterThan(0);
  });

  it("does not cache prompts whose images LangChain shows only as [image]", async () => {
    const { model } = setup();
    const ask = (data: string) =>
      model.invoke([
        new HumanMessage({
          content: [
            { type: "text", text: "What is this?" },
            { type: "image_url", image_url: { url: `data:image/png;base64,${data}` } },
          ],
        }),
      ]);
    await ask("AAAA");
    await ask("BBBB");
    expect(model.calls).toBe(2);
  });

  it("passes an unreadable llmKey through uncached and reports it as the cache's error event", async () => {
    const recall = createCache();
    const onError = vi.fn();
    recall.on("error", onError);
    const cache = new RecallLangChainCache({ cache: recall });
    expect(await cache.lookup("Human: hi", "not an llm key")).toBeNull();
    expect(onError).toHaveBeenCalledOnce();
    expect(onError.mock.calls[0]![0].error).toBeInstanceOf(RecallError);
    expect(onError.mock.calls[0]![0].error.code).toBe("RECALL_ADAPTER_ERROR");
    expect(recall.stats.snapshot().total.errors).toBe(1);
  });

  it("never stores the API key that LangChain puts in the llmKey", async () => {
    const secret = "sk-test-0123456789abcdefghij";
    const { store, dump } = inspectableStore();
    const model = new CountingChatModel({ responses: ["Paris."], apiKey: secret });
    model.cache = new RecallLangChainCache({
      cache: createCache({ store, semantic: { embedder: embedder() } }),
    });
    await model.invoke(CAPITAL);
    expect(recallOf(await model.invoke(CAPITAL)).status).toBe("hit");
    expect(dump()).toContain("Paris.");
    expect(dump()).not.toContain(secret);
  });

  it("caches string LLMs too", async () => {
    const llm = new FakeLLM({});
    const call = vi.spyOn(llm, "_call");
    llm.cache = new RecallLangChainCache({ cache: createCache() });
    expect(await llm.invoke("Echo me")).toBe("Echo me");
    expect(await llm.invoke("Echo me")).toBe("Echo me");
    expect(call).toHaveBeenCalledOnce();
  });

  it("refuses bad options with a coded error", () => {
    expect(() => new RecallLangChainCache({} as never)).toThrow(RecallError);
    // A removed or misspelled option is refused, not ignored.
    expect(() => new RecallLangChainCache({ cache: createCache(), onError: () => {} } as never)).toThrow(
      /onError is not a Recall option/,
    );
    expect(() => new RecallLangChainCache({ cache: createCache(), hitUsage: "all" as never })).toThrow(
      /hitUsage/,
    );
    expect(() => new RecallLangChainCache({ cache: createCache(), pendingTimeoutMs: -1 })).toThrow(
      /pendingTimeoutMs/,
    );
  });
});
