import { type CacheOptions, createCache, RecallError } from "@recall/core";
import { fakeClock, fakeEmbedder, refusingStore } from "@recall/core/testing";
import { generateText, streamText, wrapLanguageModel } from "ai";
import { describe, expect, it } from "vitest";
import { recallMiddleware, toCacheRequest } from "../src/index.js";
import { generated, lastUserText, mockModel, recallOf } from "./mock-model.js";

function setup(cacheOptions: CacheOptions = {}, model = mockModel()) {
  const cache = createCache(cacheOptions);
  const wrapped = wrapLanguageModel({ model, middleware: recallMiddleware({ cache }) });
  return { model, cache, wrapped };
}

/** A model whose answers are numbered, to tell a fresh answer from a replay. */
const numbered = () => mockModel({ answer: (o, n) => generated(`Answer #${n + 1} to: ${lastUserText(o)}`) });

const ask = (
  wrapped: ReturnType<typeof setup>["wrapped"],
  prompt: string,
  recall?: Record<string, unknown>,
) =>
  generateText({
    model: wrapped,
    prompt,
    ...(recall ? { providerOptions: { recall: recall as never } } : {}),
  });

describe("per-call control through providerOptions.recall", () => {
  it("noCache skips the read but stores the fresh answer", async () => {
    const { wrapped, model } = setup({}, numbered());
    await ask(wrapped, "Q");
    const bypass = await ask(wrapped, "Q", { noCache: true });
    expect(recallOf(bypass.providerMetadata)).toMatchObject({ status: "bypass", stored: true });
    expect(bypass.text).toBe("Answer #2 to: Q");
    expect((await ask(wrapped, "Q")).text).toBe("Answer #2 to: Q");
    expect(model.doGenerateCalls).toHaveLength(2);
  });

  it("noStore answers fresh and keeps nothing", async () => {
    const { wrapped, model } = setup({}, numbered());
    const first = await ask(wrapped, "Q", { noStore: true });
    expect(recallOf(first.providerMetadata)).toMatchObject({ status: "miss", stored: false });
    const second = await ask(wrapped, "Q");
    expect(recallOf(second.providerMetadata)?.status).toBe("miss");
    expect(model.doGenerateCalls).toHaveLength(2);
  });

  it("forceRefresh replaces the cached answer", async () => {
    const { wrapped } = setup({}, numbered());
    await ask(wrapped, "Q");
    const refreshed = await ask(wrapped, "Q", { forceRefresh: true });
    expect(refreshed.text).toBe("Answer #2 to: Q");
    const after = await ask(wrapped, "Q");
    expect(after.text).toBe("Answer #2 to: Q");
    expect(recallOf(after.providerMetadata)?.status).toBe("hit");
  });

  it("ttl sets the life of this entry", async () => {
    const clock = fakeClock();
    const { wrapped, model } = setup({ clock }, numbered());
    await ask(wrapped, "short", { ttl: 60 });
    await ask(wrapped, "long");
    clock.advance(59);
    expect(recallOf((await ask(wrapped, "short")).providerMetadata)?.status).toBe("hit");
    clock.advance(1);
    expect(recallOf((await ask(wrapped, "short")).providerMetadata)?.status).toBe("miss");
    expect(recallOf((await ask(wrapped, "long")).providerMetadata)?.status).toBe("hit");
    expect(model.doGenerateCalls).toHaveLength(3);
  });

  it("namespace keeps tenants apart", async () => {
    const { wrapped, model } = setup({}, numbered());
    const a = await ask(wrapped, "Q", { namespace: "tenant-a" });
    const b = await ask(wrapped, "Q", { namespace: "tenant-b" });
    const a2 = await ask(wrapped, "Q", { namespace: "tenant-a" });
    expect(recallOf(b.providerMetadata)).toMatchObject({ status: "miss", namespace: "tenant-b" });
    expect(a2.text).toBe(a.text);
    expect(recallOf(a2.providerMetadata)).toMatchObject({ status: "hit", namespace: "tenant-a" });
    expect(model.doGenerateCalls).toHaveLength(2);
  });

  it("middleware defaults apply, and a call overrides them", async () => {
    const model = numbered();
    const cache = createCache();
    const wrapped = wrapLanguageModel({
      model,
      middleware: recallMiddleware({ cache, callOptions: { namespace: "app" } }),
    });
    const first = await ask(wrapped, "Q");
    expect(recallOf(first.providerMetadata)?.namespace).toBe("app");
    expect(recallOf((await ask(wrapped, "Q", { namespace: "other" })).providerMetadata)?.status).toBe("miss");
  });

  it("throws a coded error for a per-call option of the wrong type", async () => {
    const { wrapped, model } = setup();
    const error = await ask(wrapped, "Q", { ttl: "1h" }).catch((e: unknown) => e);
    expect(RecallError.isInstance(error)).toBe(true);
    expect((error as RecallError).code).toBe("RECALL_INVALID_OPTION");
    expect(String(error)).toMatch(/ttl/);
    expect(model.doGenerateCalls).toHaveLength(0);
  });

  it("refuses a member it does not know, naming where it was given", async () => {
    const { wrapped, model } = setup();
    const error = await ask(wrapped, "Q", { noCahce: true }).catch((e: unknown) => e);
    expect((error as RecallError).code).toBe("RECALL_INVALID_OPTION");
    expect(String(error)).toMatch(/providerOptions\.recall\.noCahce is not a Recall option/);
    expect(model.doGenerateCalls).toHaveLength(0);
  });

  it("throws a coded error for a pace that is not one", async () => {
    const { wrapped } = setup();
    const error = await ask(wrapped, "Q", { pace: 0 }).catch((e: unknown) => e);
    expect((error as RecallError).code).toBe("RECALL_INVALID_OPTION");
    expect(String(error)).toMatch(/providerOptions\.recall\.pace must be/);
  });
});

describe("semantic matching", () => {
  const synonyms = [["How do I reset my password?", "How can I change my password?"]];

  it("answers a paraphrase and says so, with the similarity and the matched question", async () => {
    const { wrapped, model } = setup({ semantic: { embedder: fakeEmbedder({ synonyms }) } }, numbered());
    const first = await ask(wrapped, "How do I reset my password?");
    const para = await ask(wrapped, "How can I change my password?");
    expect(model.doGenerateCalls).toHaveLength(1);
    expect(para.text).toBe(first.text);
    const meta = recallOf(para.providerMetadata);
    expect(meta).toMatchObject({
      status: "semantic-hit",
      cached: true,
      matchedQuestion: "How do I reset my password?",
    });
    expect(meta?.similarity).toBeGreaterThan(0.99);
    expect(meta?.saved?.inputTokens).toBe(12);
  });

  it("works for streams too", async () => {
    const { wrapped, model } = setup({ semantic: { embedder: fakeEmbedder({ synonyms }) } });
    const first = streamText({ model: wrapped, prompt: "How do I reset my password?" });
    const firstText = await first.text;
    const para = streamText({ model: wrapped, prompt: "How can I change my password?" });
    expect(await para.text).toBe(firstText);
    expect(recallOf(await para.providerMetadata)?.status).toBe("semantic-hit");
    expect(model.doStreamCalls).toHaveLength(1);
  });

  it("a per-call threshold can demand a closer match", async () => {
    // Bag of words: these two share 6 of 7 words (cosine ~0.93).
    const { wrapped, model } = setup({ semantic: { embedder: fakeEmbedder(), threshold: 0.9 } }, numbered());
    await ask(wrapped, "what is the capital of france");
    const strict = await ask(wrapped, "what is the capital city of france", { threshold: 0.99 });
    expect(recallOf(strict.providerMetadata)?.status).toBe("miss");
    const loose = await ask(wrapped, "what is the capital city of france please", {
      threshold: 0.8,
      noStore: true,
    });
    expect(recallOf(loose.providerMetadata)?.status).toBe("semantic-hit");
    expect(model.doGenerateCalls).toHaveLength(2);
  });

  it("semantic: false keeps a call exact", async () => {
    const { wrapped, model } = setup({ semantic: { embedder: fakeEmbedder({ synonyms }) } });
    await ask(wrapped, "How do I reset my password?");
    const exact = await ask(wrapped, "How can I change my password?", { semantic: false });
    expect(recallOf(exact.providerMetadata)?.status).toBe("miss");
    expect(model.doGenerateCalls).toHaveLength(2);
  });
});

describe("concurrent identical calls", () => {
  it("generate: one model call, the others wait for it", async () => {
    const { wrapped, model } = setup({}, mockModel({ delayMs: 5 }));
    const results = await Promise.all(Array.from({ length: 5 }, () => ask(wrapped, "Same question")));
    expect(model.doGenerateCalls).toHaveLength(1);
    expect(new Set(results.map((r) => r.text)).size).toBe(1);
    const statuses = results.map((r) => recallOf(r.providerMetadata)?.status).sort();
    expect(statuses).toEqual(["coalesced", "coalesced", "coalesced", "coalesced", "miss"]);
  });

  it("stream: one model call, every caller gets the whole stream", async () => {
    const { wrapped, model } = setup({}, mockModel({ delayMs: 5 }));
    const run = async () => {
      const result = streamText({ model: wrapped, prompt: "Same streamed question" });
      const chunks: string[] = [];
      for await (const chunk of result.textStream) chunks.push(chunk);
      return { text: chunks.join(""), status: recallOf(await result.providerMetadata)?.status };
    };
    const results = await Promise.all([run(), run(), run()]);
    expect(model.doStreamCalls).toHaveLength(1);
    expect(results.map((r) => r.text)).toEqual(Array(3).fill("Answer to: Same streamed question"));
    expect(results.map((r) => r.status).sort()).toEqual(["coalesced", "coalesced", "miss"]);
  });

  it("a failed leader lets the others call the model themselves", async () => {
    let calls = 0;
    const model = mockModel({
      delayMs: 5,
      answer: (o) => {
        if (calls++ === 0) throw new Error("upstream 503");
        return generated(`Answer to: ${lastUserText(o)}`);
      },
    });
    const { wrapped } = setup({}, model);
    const results = await Promise.allSettled(
      [1, 2, 3].map(() => generateText({ model: wrapped, prompt: "Q", maxRetries: 0 })),
    );
    expect(results.filter((r) => r.status === "rejected")).toHaveLength(1);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(2);
  });
});

describe("fail open", () => {
  it("answers from the model when the store is down, generate and stream", async () => {
    const { wrapped, cache } = setup({ store: refusingStore() });
    const errors: string[] = [];
    cache.on("error", (e) => errors.push(e.error.code));
    const generatedText = await ask(wrapped, "Q");
    expect(generatedText.text).toBe("Answer to: Q");
    expect(recallOf(generatedText.providerMetadata)).toMatchObject({ status: "miss", stored: false });
    const streamed = streamText({ model: wrapped, prompt: "Q" });
    expect(await streamed.text).toBe("Answer to: Q");
    expect(errors).toContain("RECALL_STORE_ERROR");
  });

  it("answers from the model, uncached, if the engine itself throws", async () => {
    const { wrapped, cache, model } = setup();
    // Core's lookup never rejects: a fault inside the engine is an error event and a pass-through.
    (cache as unknown as { find: () => Promise<never> }).find = async () => {
      throw new Error("engine bug");
    };
    const result = await ask(wrapped, "Q");
    expect(result.text).toBe("Answer to: Q");
    expect(recallOf(result.providerMetadata)).toMatchObject({
      status: "bypass",
      cached: false,
      stored: false,
      reason: "cache lookup failed",
    });
    const streamed = streamText({ model: wrapped, prompt: "Q" });
    expect(await streamed.text).toBe("Answer to: Q");
    expect(recallOf(await streamed.providerMetadata)?.status).toBe("bypass");
    expect(model.doGenerateCalls).toHaveLength(1);
  });

  it("answers from the model when a cached entry is not one of ours", async () => {
    const { wrapped, cache, model } = setup();
    const first = await ask(wrapped, "Q");
    const key = recallOf(first.providerMetadata)!.key!;
    // Another writer stored something else under the key (e.g. an older format).
    await cache.delete(key);
    const request = toCacheRequest(
      { provider: "openai.chat", modelId: "gpt-4.1" },
      model.doGenerateCalls[0]!,
    );
    await cache.run(request, async () => ({ body: { foreign: true }, text: "x", finishReason: "stop" }));
    const again = await ask(wrapped, "Q");
    expect(again.text).toBe("Answer to: Q");
    expect(recallOf(again.providerMetadata)).toMatchObject({
      status: "bypass",
      reason: expect.stringMatching(/not a recorded AI SDK generate result/),
    });
    expect(model.doGenerateCalls).toHaveLength(2);
  });

  it("answers from the model when the embedder fails", async () => {
    const embedder = {
      id: "broken",
      dimensions: 4,
      embed: async () => Promise.reject(new Error("model missing")),
    };
    const { wrapped } = setup({ semantic: { embedder } });
    expect((await ask(wrapped, "Q")).text).toBe("Answer to: Q");
    expect(recallOf((await ask(wrapped, "Q")).providerMetadata)?.status).toBe("hit");
  });
});

describe("creation", () => {
  it.each([
    [undefined, /needs options/],
    [{}, /cache/],
    [{ cache: {} }, /cache/],
    [{ cache: createCache(), pace: "slow" }, /pace/],
  ])("throws a coded error for %j", (options, message) => {
    let thrown: unknown;
    try {
      recallMiddleware(options as never);
    } catch (error) {
      thrown = error;
    }
    expect(RecallError.isInstance(thrown)).toBe(true);
    expect((thrown as RecallError).code).toBe("RECALL_INVALID_OPTION");
    expect(String(thrown)).toMatch(message);
  });
});
