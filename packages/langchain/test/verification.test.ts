import type { BaseMessage } from "@langchain/core/messages";
import { llmJudge } from "@recall/ai-sdk";
import { type CallOptions, createCache, RecallError, type SemanticOptions } from "@recall/core";
import { IN_BAND, CLOSE as NEAR, ORIGINAL, paraphraseEmbedder as tableEmbedder } from "@recall/core/testing";
import { MockLanguageModelV4 } from "ai/test";
import { describe, expect, it } from "vitest";
import { RecallLangChainCache, type RecallMetadata, withRecall } from "../src/index.js";
import { CountingChatModel } from "./fake-models.js";

/**
 * Verified matching through both LangChain adapters, with `llmJudge` over the AI SDK's
 * `MockLanguageModelV4` as the judge. The embedder gives each question a vector at a chosen cosine
 * to the seeded one: at the threshold (0.97) or in the verifier's band [0.8, 0.97).
 */
const ANSWER = "Open Settings, then Reset password.";

/** An AI SDK mock model that, as the judge, says `same` to every question it is asked. */
function judgeModel(): MockLanguageModelV4 {
  return new MockLanguageModelV4({
    provider: "openai.chat",
    modelId: "gpt-4.1-nano",
    doGenerate: async () => ({
      content: [{ type: "text", text: JSON.stringify({ decision: "same", reason: "test" }) }],
      finishReason: { unified: "stop", raw: "stop" },
      usage: {
        inputTokens: { total: 90, noCache: 90, cacheRead: 0, cacheWrite: 0 },
        outputTokens: { total: 8, text: 8, reasoning: 0 },
      },
      warnings: [],
    }),
  });
}

const recallOf = (message: { response_metadata: Record<string, unknown> }) =>
  message.response_metadata.recall as RecallMetadata;

type Ask = (question: string, recall?: CallOptions) => Promise<BaseMessage>;

/** The two adapters over one Recall cache: per-call options go in `recall`, or in the cache's defaults. */
const adapters: Array<
  [string, (recall: ReturnType<typeof createCache>, upstream: CountingChatModel) => Ask]
> = [
  [
    "withRecall",
    (recall, upstream) => {
      const model = withRecall(upstream, { cache: recall });
      return (question, options) => model.invoke(question, options ? { recall: options } : {});
    },
  ],
  [
    "RecallLangChainCache",
    (recall, upstream) => (question, options) => {
      // LangChain's caches take no per-call options: the call options are the cache's defaults.
      upstream.cache = new RecallLangChainCache({ cache: recall, ...options });
      return upstream.invoke(question);
    },
  ],
];

describe.each(adapters)("%s: verified matching", (_name, adapter) => {
  function setup(verify: { mode?: "sync" | "async" } = {}, semantic: Partial<SemanticOptions> = {}) {
    const judge = judgeModel();
    const recall = createCache({
      semantic: {
        embedder: tableEmbedder(),
        budgetMs: 60_000,
        guard: false,
        verify: { verifier: llmJudge({ model: judge }), budgetMs: 60_000, ...verify },
        ...semantic,
      },
    });
    const upstream = new CountingChatModel({ responses: [ANSWER, "fresh 2", "fresh 3", "fresh 4"] });
    return { recall, judge, upstream, ask: adapter(recall, upstream) };
  }

  it("sync: a paraphrase in the band is served once the judge says same, with its id and decidedBy", async () => {
    const { recall, judge, upstream, ask } = setup({ mode: "sync" });
    await ask(ORIGINAL);
    const paraphrase = await ask(IN_BAND);
    expect(paraphrase.content).toBe(ANSWER);
    expect(recallOf(paraphrase)).toMatchObject({
      status: "semantic-hit",
      decidedBy: "verifier",
      matchedQuestion: ORIGINAL,
      id: expect.stringMatching(/^rh1\./),
    });
    expect(judge.doGenerateCalls).toHaveLength(1);
    expect(upstream.calls).toBe(1);
    await recall.close();
  });

  it("async: a paraphrase in the band misses, and once verified the same wording hits through its alias", async () => {
    const { recall, judge, upstream, ask } = setup({ mode: "async" });
    await ask(ORIGINAL);
    // noStore: the paraphrase's own answer would otherwise make the next ask an exact hit.
    const first = await ask(IN_BAND, { noStore: true });
    expect(recallOf(first)).toMatchObject({ status: "miss", stored: false });
    expect(first.content).toBe("fresh 2");
    await recall.drain();
    expect(judge.doGenerateCalls).toHaveLength(1);
    const again = await ask(IN_BAND);
    expect(recallOf(again)).toMatchObject({ status: "semantic-hit", decidedBy: "alias" });
    expect(again.content).toBe(ANSWER);
    expect(upstream.calls).toBe(2);
    await recall.close();
  });

  it("shadow: nothing is served by meaning, and stats.shadow counts what would have been", async () => {
    const { recall, judge, upstream, ask } = setup({}, { mode: "shadow" });
    await ask(ORIGINAL);
    expect(recallOf(await ask(NEAR)).status).toBe("miss");
    expect(recallOf(await ask(IN_BAND)).status).toBe("miss");
    await recall.drain();
    expect(judge.doGenerateCalls).toHaveLength(2);
    expect(upstream.calls).toBe(3);
    const total = recall.stats.snapshot().total;
    expect(total.shadow).toMatchObject({ candidates: 2, wouldHit: 2, judgedSame: 2 });
    expect(total.semanticHits).toBe(0);
    await recall.close();
  });

  it("feedback: the id from response_metadata.recall, reported wrong, makes the next ask miss", async () => {
    const { recall, judge, upstream, ask } = setup({ mode: "sync" });
    await ask(ORIGINAL);
    const served = await ask(IN_BAND);
    const { id } = recallOf(served);
    expect(id).toMatch(/^rh1\./);
    // The alias the verdict writes in the background lands first (drain, and a moment more:
    // core's drain did not always wait for that write).
    await recall.drain();
    await new Promise((r) => setTimeout(r, 20));
    expect(await recall.feedback(id!, { wrong: true })).toEqual({ action: "unpaired" });
    const next = await ask(IN_BAND, { noStore: true });
    expect(recallOf(next).status).toBe("miss");
    expect(next.content).toBe("fresh 2");
    expect(judge.doGenerateCalls).toHaveLength(1);
    expect(upstream.calls).toBe(2);
    await recall.close();
  });

  it("verify per call: false never asks the judge, sync serves at once over the cache's async", async () => {
    const { recall, judge, ask } = setup({ mode: "async" });
    await ask(ORIGINAL);
    expect(recallOf(await ask(IN_BAND, { verify: false, noStore: true })).status).toBe("miss");
    await recall.drain();
    expect(judge.doGenerateCalls).toHaveLength(0);
    const now = await ask(IN_BAND, { verify: "sync" });
    expect(recallOf(now)).toMatchObject({ status: "semantic-hit", decidedBy: "verifier" });
    expect(judge.doGenerateCalls).toHaveLength(1);
    await recall.close();
  });
});

describe("a bad verify value", () => {
  const recall = createCache();
  const upstream = () => new CountingChatModel({ responses: ["x"] });

  it("is refused per call by withRecall, naming where it was given", async () => {
    const model = withRecall(upstream(), { cache: recall });
    const error = await model.invoke("q", { recall: { verify: "always" as never } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecallError);
    expect((error as Error).message).toMatch(/recall\.verify must be "sync", "async" or false, got "always"/);
  });

  it("is refused at construction by both adapters", () => {
    expect(() => withRecall(upstream(), { cache: recall, verify: true as never })).toThrow(
      /withRecall options\.verify must be "sync", "async" or false/,
    );
    expect(() => new RecallLangChainCache({ cache: recall, verify: "now" as never })).toThrow(
      /RecallLangChainCache options\.verify must be "sync", "async" or false/,
    );
  });
});
