import type { AIMessageChunk } from "@langchain/core/messages";
import { concat } from "@langchain/core/utils/stream";
import { createCache, createMemoryLock, createMemoryStore } from "@recall/core";
import { fakeClock } from "@recall/core/testing";
import { describe, expect, it } from "vitest";
import { CountingChatModel } from "../test/fake-models.js";
import { RecallLangChainCache } from "./recall-cache.js";
import type { RecallMetadata } from "./status.js";
import { withRecall } from "./with-recall.js";

const HOURS = "What are your opening hours?";
const TTL = 60_000;
const recallOf = (message: { response_metadata: Record<string, unknown> }) =>
  message.response_metadata.recall as RecallMetadata;

function setup(options: Parameters<typeof createCache>[0] = {}) {
  const clock = fakeClock();
  const upstream = new CountingChatModel({ responses: ["9 to 5", "8 to 6", "7 to 7"] });
  const cache = createCache({ clock, ttl: TTL, ...options });
  return { clock, upstream, cache, model: withRecall(upstream, { cache }) };
}

async function streamed(stream: AsyncIterable<AIMessageChunk>): Promise<AIMessageChunk> {
  const chunks: AIMessageChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks.reduce((a, b) => concat(a, b));
}

describe("withRecall: stale-while-revalidate", () => {
  it("invoke: serves stale (response_metadata.recall.status), refreshes once, then hits the new answer", async () => {
    const { clock, upstream, cache, model } = setup({ staleWhileRevalidate: 30_000 });
    await model.invoke(HOURS);
    clock.advance(TTL + 1);
    const stale = await Promise.all([model.invoke(HOURS), model.invoke(HOURS), model.invoke(HOURS)]);
    for (const m of stale) {
      expect(m.content).toBe("9 to 5");
      expect(recallOf(m)).toMatchObject({ status: "stale", cached: true, staleReason: "revalidating" });
    }
    await cache.drain();
    expect(upstream.calls).toBe(2);
    const fresh = await model.invoke(HOURS);
    expect(fresh.content).toBe("8 to 6");
    expect(recallOf(fresh).status).toBe("hit");
  });

  it("stream: replays the stale answer, status on the last chunk, and refreshes it", async () => {
    const { clock, upstream, cache, model } = setup({ staleWhileRevalidate: 30_000 });
    await streamed(await model.stream(HOURS));
    clock.advance(TTL + 1);
    const stale = await streamed(await model.stream(HOURS));
    expect(stale.content).toBe("9 to 5");
    expect(recallOf(stale).status).toBe("stale");
    await cache.drain();
    expect(upstream.counter).toMatchObject({ stream: 1, generate: 1 });
    expect((await streamed(await model.stream(HOURS))).content).toBe("8 to 6");
  });

  it("keeps the stale answer when the refresh fails; past the window it is a miss", async () => {
    const { clock, upstream, cache, model } = setup({ staleWhileRevalidate: 30_000 });
    await model.invoke(HOURS);
    clock.advance(TTL + 1);
    upstream.counter.failNext = 1;
    expect(recallOf(await model.invoke(HOURS)).status).toBe("stale");
    await cache.drain();
    expect(cache.stats.snapshot().total.refreshes.failed).toBe(1);
    clock.advance(30_000);
    const miss = await model.invoke(HOURS);
    expect(recallOf(miss)).toMatchObject({ status: "miss", stored: true });
  });
});

describe("withRecall: two instances sharing a store and a lock", () => {
  it("refresh a stale entry once between them", async () => {
    const clock = fakeClock();
    const store = createMemoryStore({});
    const lock = createMemoryLock({ clock });
    const upstream = new CountingChatModel({ responses: ["9 to 5", "8 to 6", "7 to 7"] });
    const instance = () => {
      const cache = createCache({ clock, store, lock, ttl: TTL, staleWhileRevalidate: 30_000 });
      return { cache, model: withRecall(upstream, { cache }) };
    };
    const [a, b] = [instance(), instance()];
    await a.model.invoke(HOURS);
    clock.advance(TTL + 1);
    const answers = await Promise.all([a.model.invoke(HOURS), b.model.invoke(HOURS), b.model.invoke(HOURS)]);
    expect(answers.map((m) => recallOf(m).status)).toEqual(["stale", "stale", "stale"]);
    await Promise.all([a.cache.drain(), b.cache.drain()]);
    expect(upstream.calls).toBe(2);
    expect((await a.model.invoke(HOURS)).content).toBe("8 to 6");
  });
});

describe("withRecall: a refresh that fails validation", () => {
  it("keeps serving the stale answer when the refreshed one is refused", async () => {
    const { clock, cache, model } = setup({
      staleWhileRevalidate: 30_000,
      validate: (response) => (response.text === "8 to 6" ? "not the hours we publish" : true),
    });
    await model.invoke(HOURS);
    clock.advance(TTL + 1);
    expect((await model.invoke(HOURS)).content).toBe("9 to 5");
    await cache.drain();
    expect(cache.stats.snapshot().total.refreshes.rejected).toBe(1);
    const again = await model.invoke(HOURS);
    expect(again.content).toBe("9 to 5");
    expect(recallOf(again).status).toBe("stale");
  });
});

describe("withRecall: grace on upstream failure", () => {
  it("invoke and stream: a failing model call is answered by the stale entry within grace", async () => {
    const { clock, upstream, model } = setup({ grace: 3_600_000 });
    await model.invoke(HOURS);
    clock.advance(TTL + 60_000);
    upstream.counter.failNext = 2;
    const invoked = await model.invoke(HOURS);
    expect(invoked.content).toBe("9 to 5");
    expect(recallOf(invoked)).toMatchObject({
      status: "stale",
      staleReason: "upstream failed: upstream failed",
    });
    const stream = await streamed(await model.stream(HOURS));
    expect(stream.content).toBe("9 to 5");
    expect(recallOf(stream).status).toBe("stale");
  });

  it("rethrows past grace, with grace off, and per call", async () => {
    const { clock, upstream, model } = setup({ grace: 60_000 });
    await model.invoke(HOURS);
    clock.advance(TTL + 1);
    upstream.counter.failNext = 1;
    await expect(model.invoke(HOURS, { recall: { grace: 0 } })).rejects.toThrow("upstream failed");
    clock.advance(60_000);
    upstream.counter.failNext = 1;
    await expect(model.invoke(HOURS)).rejects.toThrow("upstream failed");
  });
});

describe("RecallLangChainCache: freshness", () => {
  it("reads an entry past its TTL as a miss even with a window (a cache cannot refresh), and honours invalidation", async () => {
    const clock = fakeClock();
    const store = createMemoryStore({});
    const cache = createCache({ clock, store, ttl: TTL, staleWhileRevalidate: 30_000 });
    const upstream = new CountingChatModel({ responses: ["9 to 5", "8 to 6", "7 to 7"] });
    upstream.cache = new RecallLangChainCache({ cache });
    await upstream.invoke(HOURS);
    clock.advance(TTL + 1);
    const again = await upstream.invoke(HOURS);
    expect(again.content).toBe("8 to 6");
    expect(recallOf(again)).toMatchObject({ status: "miss", stored: true });

    const later = createCache({ clock, store, invalidate: { before: clock.now() + 1 } });
    const model = new CountingChatModel({ responses: ["7 to 7"] });
    model.cache = new RecallLangChainCache({ cache: later });
    expect(recallOf(await model.invoke(HOURS)).status).toBe("miss");
  });
});

describe("withRecall: invalidation when the model changes", () => {
  it("reads entries the model no longer makes (by the answer's model name) as misses", async () => {
    const clock = fakeClock();
    const store = createMemoryStore({});
    const upstream = new CountingChatModel({ responses: ["9 to 5", "8 to 6"] });
    await withRecall(upstream, { cache: createCache({ clock, store }) }).invoke(HOURS);
    const cache = createCache({ clock, store, invalidate: { models: { "fake-model": "fake-model-2" } } });
    const model = withRecall(upstream, { cache });
    const replaced = await model.invoke(HOURS);
    expect(replaced.content).toBe("8 to 6");
    expect(recallOf(replaced).status).toBe("miss");
  });
});
