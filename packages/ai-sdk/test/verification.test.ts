import { type CacheOptions, createCache, RecallError } from "@recall/core";
import { IN_BAND, CLOSE as NEAR, ORIGINAL, paraphraseEmbedder as tableEmbedder } from "@recall/core/testing";
import { generateText, streamText, wrapLanguageModel } from "ai";
import { describe, expect, it } from "vitest";
import { llmJudge, recallMiddleware } from "../src/index.js";
import { generated, lastUserText, mockModel, recallOf } from "./mock-model.js";

/**
 * Verified matching through the middleware, with `llmJudge` over a `MockLanguageModelV4` as the
 * judge. The embedder gives each question a vector at a chosen cosine to the seeded one, so a test
 * says where a paraphrase falls: at the threshold (0.97) or in the verifier's band [0.8, 0.97).
 */

/** A judge model that says `decision` to every question it is asked. */
const judgeModel = (decision: "same" | "different" | "unsure" = "same") =>
  mockModel({
    modelId: "gpt-4.1-nano",
    answer: () => generated(JSON.stringify({ decision, reason: "test" })),
  });

function setup(verify: { mode?: "sync" | "async" } = {}, semantic: Partial<CacheOptions["semantic"]> = {}) {
  const judge = judgeModel();
  const cache = createCache({
    semantic: {
      embedder: tableEmbedder(),
      budgetMs: 60_000,
      guard: false,
      verify: { verifier: llmJudge({ model: judge }), budgetMs: 60_000, ...verify },
      ...semantic,
    },
  });
  const model = mockModel({ answer: (o) => generated(`Answer to: ${lastUserText(o)}`) });
  const wrapped = wrapLanguageModel({ model, middleware: recallMiddleware({ cache }) });
  const ask = (prompt: string, recall?: Record<string, unknown>) =>
    generateText({
      model: wrapped,
      prompt,
      ...(recall ? { providerOptions: { recall: recall as never } } : {}),
    });
  return { cache, judge, model, wrapped, ask };
}

/**
 * Lets the alias a sync verdict writes in the background land before feedback reads the entry
 * (`drain`, and a moment more: core's drain did not always wait for that write).
 */
const settle = async (cache: { drain(): Promise<void> }) => {
  await cache.drain();
  await new Promise((r) => setTimeout(r, 20));
};

describe("verified matching through providerOptions and providerMetadata.recall", () => {
  it("sync: a paraphrase in the band is served once the judge says same, with its id and decidedBy", async () => {
    const { cache, judge, model, ask } = setup({ mode: "sync" });
    await ask(ORIGINAL);
    const paraphrase = await ask(IN_BAND);
    expect(paraphrase.text).toBe(`Answer to: ${ORIGINAL}`);
    expect(recallOf(paraphrase.providerMetadata)).toMatchObject({
      status: "semantic-hit",
      cached: true,
      decidedBy: "verifier",
      matchedQuestion: ORIGINAL,
      id: expect.stringMatching(/^rh1\./),
    });
    expect(recallOf(paraphrase.providerMetadata)?.similarity).toBeCloseTo(0.9, 3);
    expect(judge.doGenerateCalls).toHaveLength(1);
    expect(model.doGenerateCalls).toHaveLength(1);
    expect(cache.stats.snapshot().total.verify).toMatchObject({ calls: 1, same: 1 });
    await cache.close();
  });

  it("async: a paraphrase in the band misses, and once verified the same wording hits through its alias", async () => {
    const { cache, judge, model, ask } = setup({ mode: "async" });
    await ask(ORIGINAL);
    // noStore: the paraphrase's own answer would otherwise make the next ask an exact hit.
    const first = await ask(IN_BAND, { noStore: true });
    expect(recallOf(first.providerMetadata)).toMatchObject({ status: "miss", cached: false });
    expect(recallOf(first.providerMetadata)?.id).toBeUndefined();
    expect(first.text).toBe(`Answer to: ${IN_BAND}`);
    await cache.drain();
    expect(judge.doGenerateCalls).toHaveLength(1);
    const again = await ask(IN_BAND);
    expect(recallOf(again.providerMetadata)).toMatchObject({
      status: "semantic-hit",
      decidedBy: "alias",
      id: expect.stringMatching(/^rh1\./),
    });
    expect(again.text).toBe(`Answer to: ${ORIGINAL}`);
    expect(judge.doGenerateCalls).toHaveLength(1);
    expect(model.doGenerateCalls).toHaveLength(2);
    await cache.close();
  });

  it("shadow: nothing is served by meaning, and stats.shadow counts what would have been", async () => {
    const { cache, judge, model, ask } = setup({}, { mode: "shadow" });
    await ask(ORIGINAL);
    const near = await ask(NEAR);
    const inBand = await ask(IN_BAND);
    expect(recallOf(near.providerMetadata)?.status).toBe("miss");
    expect(recallOf(inBand.providerMetadata)?.status).toBe("miss");
    expect(recallOf((await ask(ORIGINAL)).providerMetadata)?.status).toBe("hit");
    await cache.drain();
    expect(judge.doGenerateCalls).toHaveLength(2);
    expect(model.doGenerateCalls).toHaveLength(3);
    const total = cache.stats.snapshot().total;
    expect(total.shadow).toMatchObject({ candidates: 2, wouldHit: 2, judgedSame: 2 });
    expect(total.semanticHits).toBe(0);
    await cache.close();
  });

  it("feedback: the id from providerMetadata.recall, reported wrong, makes the next ask miss", async () => {
    const { cache, judge, model, ask } = setup({ mode: "sync" });
    await ask(ORIGINAL);
    const served = await ask(IN_BAND);
    const id = recallOf(served.providerMetadata)?.id;
    expect(id).toMatch(/^rh1\./);
    await settle(cache);
    expect(await cache.feedback(id!, { wrong: true })).toEqual({ action: "unpaired" });
    const next = await ask(IN_BAND, { noStore: true });
    expect(recallOf(next.providerMetadata)?.status).toBe("miss");
    expect(next.text).toBe(`Answer to: ${IN_BAND}`);
    expect(judge.doGenerateCalls).toHaveLength(1);
    expect(model.doGenerateCalls).toHaveLength(2);
    expect(cache.stats.snapshot().total.feedback.wrong).toBe(1);
    await cache.close();
  });

  it("feedback on a streamed exact hit: its id is on the finish part, and a wrong one deletes the entry", async () => {
    const { cache, wrapped, ask } = setup({ mode: "sync" });
    await ask(ORIGINAL);
    const streamed = streamText({ model: wrapped, prompt: ORIGINAL });
    await streamed.text;
    const recall = recallOf(await streamed.providerMetadata);
    expect(recall).toMatchObject({ status: "hit", id: expect.stringMatching(/^rh1\./) });
    expect(recall?.decidedBy).toBeUndefined();
    expect(await cache.feedback(recall!.id!, { wrong: true })).toEqual({ action: "deleted" });
    expect(recallOf((await ask(ORIGINAL)).providerMetadata)?.status).toBe("miss");
    await cache.close();
  });
});

describe("providerOptions.recall.verify", () => {
  it("overrides the cache's mode per call: sync serves now, false never asks the judge", async () => {
    const { cache, judge, ask } = setup({ mode: "async" });
    await ask(ORIGINAL);
    const off = await ask(IN_BAND, { verify: false, noStore: true });
    expect(recallOf(off.providerMetadata)?.status).toBe("miss");
    await cache.drain();
    expect(judge.doGenerateCalls).toHaveLength(0);
    const now = await ask(IN_BAND, { verify: "sync" });
    expect(recallOf(now.providerMetadata)).toMatchObject({ status: "semantic-hit", decidedBy: "verifier" });
    expect(judge.doGenerateCalls).toHaveLength(1);
    await cache.close();
  });

  it("refuses a bad value, naming it and where it was given", async () => {
    const { cache, ask } = setup();
    const error = await ask(ORIGINAL, { verify: "always" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecallError);
    expect((error as RecallError).code).toBe("RECALL_INVALID_OPTION");
    expect((error as Error).message).toMatch(
      /providerOptions\.recall\.verify must be "sync", "async" or false, got "always"/,
    );
    await cache.close();
  });
});
