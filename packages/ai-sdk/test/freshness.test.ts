import { createCache, createMemoryLock, createMemoryStore } from "@recall/core";
import { fakeClock } from "@recall/core/testing";
import { generateText, streamText, wrapLanguageModel } from "ai";
import { describe, expect, it } from "vitest";
import { recallMiddleware } from "../src/index.js";
import { generated, mockModel, recallOf, streamOf } from "./mock-model.js";

const TTL = 60_000;
const prompt = "What are your opening hours?";

function setup(cacheOptions: Parameters<typeof createCache>[0], failFrom = Number.POSITIVE_INFINITY) {
  const clock = fakeClock();
  let calls = 0;
  const model = mockModel({
    answer: (_o, n) => {
      calls++;
      if (calls > failFrom) throw new Error("503 Service Unavailable");
      return generated(`hours v${n + 1}`, { response: { modelId: n === 0 ? "gpt-4.1-old" : "gpt-4.1-new" } });
    },
    stream: (_o, n) => {
      calls++;
      if (calls > failFrom) throw new Error("503 Service Unavailable");
      return streamOf(`streamed v${n + 1}`);
    },
  });
  const cache = createCache({ clock, ttl: TTL, ...cacheOptions });
  const wrapped = wrapLanguageModel({ model, middleware: recallMiddleware({ cache }) });
  return { clock, model, cache, wrapped };
}

describe("AI SDK: stale-while-revalidate", () => {
  it("generate: serves the stale answer as `stale`, refreshes once in the background, then hits the new one", async () => {
    const { clock, model, cache, wrapped } = setup({ staleWhileRevalidate: 30_000 });
    await generateText({ model: wrapped, prompt });
    clock.advance(TTL + 1);
    const [a, b] = await Promise.all([
      generateText({ model: wrapped, prompt }),
      generateText({ model: wrapped, prompt }),
    ]);
    for (const stale of [a, b]) {
      expect(stale.text).toBe("hours v1");
      expect(recallOf(stale.providerMetadata)).toMatchObject({
        status: "stale",
        cached: true,
        staleReason: "revalidating",
      });
    }
    await cache.drain();
    expect(model.doGenerateCalls).toHaveLength(2);
    const fresh = await generateText({ model: wrapped, prompt });
    expect(fresh.text).toBe("hours v2");
    expect(recallOf(fresh.providerMetadata)?.status).toBe("hit");
  });

  it("stream: replays the stale answer as `stale` and refreshes it with a plain generate call", async () => {
    const { clock, model, cache, wrapped } = setup({ staleWhileRevalidate: 30_000 });
    await (await streamText({ model: wrapped, prompt })).consumeStream();
    clock.advance(TTL + 1);
    const stale = streamText({ model: wrapped, prompt });
    expect(await stale.text).toBe("streamed v1");
    expect(recallOf(await stale.providerMetadata)).toMatchObject({ status: "stale", cached: true });
    await cache.drain();
    expect(model.doGenerateCalls).toHaveLength(1);
    expect(model.doStreamCalls).toHaveLength(1);
    const fresh = streamText({ model: wrapped, prompt });
    expect(await fresh.text).toBe("hours v1");
    expect(recallOf(await fresh.providerMetadata)?.status).toBe("hit");
  });

  it("keeps the stale answer when the refresh fails, and is a miss past the window", async () => {
    const { clock, model, cache, wrapped } = setup({ staleWhileRevalidate: 30_000 }, 1);
    await generateText({ model: wrapped, prompt });
    clock.advance(TTL + 1);
    const stale = await generateText({ model: wrapped, prompt });
    await cache.drain();
    expect(recallOf(stale.providerMetadata)?.status).toBe("stale");
    expect(cache.stats.snapshot().total.refreshes.failed).toBe(1);
    expect(recallOf((await generateText({ model: wrapped, prompt })).providerMetadata)?.status).toBe("stale");
    await cache.drain();
    clock.advance(30_000);
    await expect(generateText({ model: wrapped, prompt, maxRetries: 0 })).rejects.toThrow("503");
    expect(model.doGenerateCalls).toHaveLength(4);
  });
});

describe("AI SDK: two instances sharing a store and a lock", () => {
  it("refresh a stale entry once between them, for generate and stream callers alike", async () => {
    const clock = fakeClock();
    const store = createMemoryStore({});
    const lock = createMemoryLock({ clock });
    const model = mockModel({ answer: (_o, n) => generated(`hours v${n + 1}`) });
    const instance = () => {
      const cache = createCache({ clock, store, lock, ttl: TTL, staleWhileRevalidate: 30_000 });
      return { cache, wrapped: wrapLanguageModel({ model, middleware: recallMiddleware({ cache }) }) };
    };
    const [a, b] = [instance(), instance()];
    await generateText({ model: a.wrapped, prompt });
    clock.advance(TTL + 1);
    const streamed = streamText({ model: b.wrapped, prompt });
    const [fromA, fromB] = await Promise.all([
      generateText({ model: a.wrapped, prompt }),
      generateText({ model: b.wrapped, prompt }),
    ]);
    expect(await streamed.text).toBe("hours v1");
    expect(recallOf(await streamed.providerMetadata)?.status).toBe("stale");
    expect([fromA, fromB].map((r) => recallOf(r.providerMetadata)?.status)).toEqual(["stale", "stale"]);
    await Promise.all([a.cache.drain(), b.cache.drain()]);
    expect(model.doGenerateCalls).toHaveLength(2);
    expect(model.doStreamCalls).toHaveLength(0);
    expect((await generateText({ model: b.wrapped, prompt })).text).toBe("hours v2");
  });
});

describe("AI SDK: a refresh that fails validation", () => {
  it("keeps serving the stale answer when the refreshed one is cut off (finish reason length)", async () => {
    const clock = fakeClock();
    const model = mockModel({
      answer: (_o, n) =>
        n === 0
          ? generated("hours v1")
          : generated("hours v2, cut", { finishReason: { unified: "length", raw: "length" } }),
    });
    const cache = createCache({ clock, ttl: TTL, staleWhileRevalidate: 30_000 });
    const wrapped = wrapLanguageModel({ model, middleware: recallMiddleware({ cache }) });
    await generateText({ model: wrapped, prompt });
    clock.advance(TTL + 1);
    expect((await generateText({ model: wrapped, prompt })).text).toBe("hours v1");
    await cache.drain();
    expect(cache.stats.snapshot().total.refreshes.rejected).toBe(1);
    const again = await generateText({ model: wrapped, prompt });
    expect(again.text).toBe("hours v1");
    expect(recallOf(again.providerMetadata)?.status).toBe("stale");
  });
});

describe("AI SDK: grace on upstream failure", () => {
  it("generate: a failing model call is answered by the stale entry within grace", async () => {
    const { clock, wrapped } = setup({ grace: 3_600_000 }, 1);
    await generateText({ model: wrapped, prompt });
    clock.advance(TTL + 60_000);
    const result = await generateText({ model: wrapped, prompt, maxRetries: 0 });
    expect(result.text).toBe("hours v1");
    expect(recallOf(result.providerMetadata)).toMatchObject({
      status: "stale",
      staleReason: "upstream failed: 503 Service Unavailable",
    });
  });

  it("stream: a stream that cannot start is replayed from the stale entry within grace", async () => {
    const { clock, wrapped } = setup({ grace: 3_600_000 }, 1);
    await (await streamText({ model: wrapped, prompt })).consumeStream();
    clock.advance(TTL + 60_000);
    const result = streamText({ model: wrapped, prompt, maxRetries: 0 });
    expect(await result.text).toBe("streamed v1");
    expect(recallOf(await result.providerMetadata)?.status).toBe("stale");
  });

  it("rethrows past grace, and with grace off", async () => {
    const past = setup({ grace: 60_000 }, 1);
    await generateText({ model: past.wrapped, prompt });
    past.clock.advance(TTL + 60_000);
    await expect(generateText({ model: past.wrapped, prompt, maxRetries: 0 })).rejects.toThrow("503");

    const off = setup({}, 1);
    await generateText({ model: off.wrapped, prompt });
    off.clock.advance(TTL + 1);
    await expect(generateText({ model: off.wrapped, prompt, maxRetries: 0 })).rejects.toThrow("503");
  });

  it("takes grace per call in providerOptions.recall", async () => {
    const { clock, wrapped } = setup({}, 1);
    await generateText({ model: wrapped, prompt, providerOptions: { recall: { grace: 3_600_000 } } });
    clock.advance(TTL + 1);
    const result = await generateText({
      model: wrapped,
      prompt,
      maxRetries: 0,
      providerOptions: { recall: { grace: 3_600_000 } },
    });
    expect(recallOf(result.providerMetadata)?.status).toBe("stale");
  });
});

describe("AI SDK: invalidation when the model changes", () => {
  it("reads an entry made by another version of the model (the response's model id) as a miss", async () => {
    const model = mockModel({
      answer: (_o, n) =>
        generated(`v${n + 1}`, {
          response: { modelId: n === 0 ? "gpt-4.1-2025-04-14" : "gpt-4.1-2026-01-01" },
        }),
    });
    const store = createMemoryStore({});
    const before = wrapLanguageModel({
      model,
      middleware: recallMiddleware({ cache: createCache({ store }) }),
    });
    await generateText({ model: before, prompt });
    expect(recallOf((await generateText({ model: before, prompt })).providerMetadata)?.status).toBe("hit");

    const cache = createCache({ store, invalidate: { models: { "gpt-4.1": "gpt-4.1-2026-01-01" } } });
    const after = wrapLanguageModel({ model, middleware: recallMiddleware({ cache }) });
    const replaced = await generateText({ model: after, prompt });
    expect(replaced.text).toBe("v2");
    expect(recallOf(replaced.providerMetadata)).toMatchObject({ status: "miss", stored: true });
    const hit = await generateText({ model: after, prompt });
    expect(hit.text).toBe("v2");
    expect(recallOf(hit.providerMetadata)?.status).toBe("hit");
    expect(model.doGenerateCalls).toHaveLength(2);
  });
});
