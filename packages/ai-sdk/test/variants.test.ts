import { type CacheOptions, createCache } from "@recall/core";
import { mulberry32 } from "@recall/core/testing";
import { generateText, streamText, wrapLanguageModel } from "ai";
import { describe, expect, it } from "vitest";
import { recallMiddleware } from "../src/index.js";
import { generated, mockModel, recallOf, streamOf } from "./mock-model.js";

const prompt = "Write a tagline for a coffee shop";

function setup(cacheOptions: CacheOptions = {}) {
  const model = mockModel({
    answer: (_o, n) => generated(`tagline ${n + 1}`),
    stream: (_o, n) => streamOf(`streamed ${n + 1}`),
  });
  const cache = createCache({ random: mulberry32(42), ...cacheOptions });
  const wrapped = wrapLanguageModel({ model, middleware: recallMiddleware({ cache }) });
  return { model, cache, wrapped };
}

describe("AI SDK: answer variants", () => {
  it("generate: the first N calls go upstream and are kept, then hits draw every variant", async () => {
    const { model, wrapped } = setup({ variants: 3 });
    for (let i = 1; i <= 3; i++) {
      const miss = await generateText({ model: wrapped, prompt });
      expect(miss.text).toBe(`tagline ${i}`);
      expect(recallOf(miss.providerMetadata)).toMatchObject({
        status: "miss",
        stored: true,
        variant: i,
        variants: i,
      });
    }
    const seen = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const hit = await generateText({ model: wrapped, prompt });
      const recall = recallOf(hit.providerMetadata);
      expect(recall).toMatchObject({ status: "hit", cached: true, variants: 3 });
      expect(hit.text).toBe(`tagline ${recall?.variant}`);
      seen.add(hit.text);
    }
    expect([...seen].sort()).toEqual(["tagline 1", "tagline 2", "tagline 3"]);
    expect(model.doGenerateCalls).toHaveLength(3);
  });

  it("stream: recorded streams are the variants, and a replay plays back the one drawn", async () => {
    const { model, wrapped } = setup({ variants: 2 });
    for (let i = 1; i <= 2; i++) {
      const miss = streamText({ model: wrapped, prompt });
      expect(await miss.text).toBe(`streamed ${i}`);
      expect(recallOf(await miss.providerMetadata)).toMatchObject({
        status: "miss",
        variant: i,
        variants: i,
      });
    }
    const seen = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const replay = streamText({ model: wrapped, prompt });
      const text = await replay.text;
      const recall = recallOf(await replay.providerMetadata);
      expect(recall).toMatchObject({ status: "hit", variants: 2 });
      expect(text).toBe(`streamed ${recall?.variant}`);
      seen.add(text);
    }
    expect(seen.size).toBe(2);
    expect(model.doStreamCalls).toHaveLength(2);
    // A plain call shares the entry: it draws among the recorded streams too.
    const plain = await generateText({ model: wrapped, prompt });
    expect(plain.text).toMatch(/^streamed [12]$/);
    expect(model.doGenerateCalls).toHaveLength(0);
  });

  it("per call through providerOptions.recall.variants, whatever the temperature", async () => {
    const { model, wrapped } = setup();
    const ask = () =>
      generateText({ model: wrapped, prompt, temperature: 0, providerOptions: { recall: { variants: 2 } } });
    expect(recallOf((await ask()).providerMetadata)).toMatchObject({ status: "miss", variant: 1 });
    expect(recallOf((await ask()).providerMetadata)).toMatchObject({ status: "miss", variant: 2 });
    expect(recallOf((await ask()).providerMetadata)).toMatchObject({ status: "hit", variants: 2 });
    // Without the option the cache keeps one answer: the entry's first.
    const one = await generateText({ model: wrapped, prompt, temperature: 0 });
    expect(one.text).toBe("tagline 1");
    expect(recallOf(one.providerMetadata)).not.toHaveProperty("variant");
    expect(model.doGenerateCalls).toHaveLength(2);
  });

  it("an answer that fails validation is not appended", async () => {
    const { model, wrapped } = setup({ variants: 2, validate: (r) => r.text !== "tagline 2" || "no" });
    await generateText({ model: wrapped, prompt });
    const refused = await generateText({ model: wrapped, prompt });
    expect(recallOf(refused.providerMetadata)).toMatchObject({ status: "miss", stored: false });
    const third = await generateText({ model: wrapped, prompt });
    expect(recallOf(third.providerMetadata)).toMatchObject({ status: "miss", variant: 2, stored: true });
    for (let i = 0; i < 20; i++)
      expect((await generateText({ model: wrapped, prompt })).text).not.toBe("tagline 2");
    expect(model.doGenerateCalls).toHaveLength(3);
  });

  it("refuses a bad per-call variants with RECALL_INVALID_OPTION", async () => {
    const { wrapped } = setup();
    await expect(
      generateText({ model: wrapped, prompt, maxRetries: 0, providerOptions: { recall: { variants: 99 } } }),
    ).rejects.toThrow(/providerOptions\.recall\.variants must be an integer from 1 to 32/);
  });
});
