import type { AIMessageChunk } from "@langchain/core/messages";
import { concat } from "@langchain/core/utils/stream";
import { type CacheOptions, createCache } from "@recall/core";
import { mulberry32 } from "@recall/core/testing";
import { describe, expect, it } from "vitest";
import { CountingChatModel } from "../test/fake-models.js";
import { RecallLangChainCache } from "./recall-cache.js";
import type { RecallMetadata } from "./status.js";
import { withRecall } from "./with-recall.js";

const TAGLINE = "Write a tagline for a coffee shop";
const ANSWERS = ["tagline 1", "tagline 2", "tagline 3", "tagline 4"];
const recallOf = (message: { response_metadata: Record<string, unknown> }) =>
  message.response_metadata.recall as RecallMetadata;

function setup(options: CacheOptions = {}) {
  const upstream = new CountingChatModel({ responses: ANSWERS });
  const cache = createCache({ random: mulberry32(17), ...options });
  return { upstream, cache, model: withRecall(upstream, { cache }) };
}

async function streamed(stream: AsyncIterable<AIMessageChunk>): Promise<AIMessageChunk> {
  const chunks: AIMessageChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks.reduce((a, b) => concat(a, b));
}

describe("LangChain: answer variants", () => {
  it("withRecall invoke: the first N calls are kept, then hits draw every variant", async () => {
    const { upstream, model } = setup({ variants: 3 });
    for (let i = 1; i <= 3; i++) {
      const miss = await model.invoke(TAGLINE);
      expect(miss.content).toBe(`tagline ${i}`);
      expect(recallOf(miss)).toMatchObject({ status: "miss", stored: true, variant: i, variants: i });
    }
    const seen = new Set<string>();
    for (let i = 0; i < 45; i++) {
      const hit = await model.invoke(TAGLINE);
      expect(recallOf(hit)).toMatchObject({ status: "hit", variants: 3 });
      expect(hit.content).toBe(`tagline ${recallOf(hit).variant}`);
      seen.add(hit.content as string);
    }
    expect([...seen].sort()).toEqual(["tagline 1", "tagline 2", "tagline 3"]);
    expect(upstream.calls).toBe(3);
  });

  it("withRecall stream: fills from streams, then replays the variant drawn, status on the last chunk", async () => {
    const { upstream, model } = setup({ variants: 2 });
    for (let i = 1; i <= 2; i++) {
      const miss = await streamed(await model.stream(TAGLINE));
      expect(miss.content).toBe(`tagline ${i}`);
      expect(recallOf(miss)).toMatchObject({ status: "miss", variant: i, variants: i });
    }
    const seen = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const replay = await streamed(await model.stream(TAGLINE));
      expect(recallOf(replay)).toMatchObject({ status: "hit", variants: 2 });
      expect(replay.content).toBe(`tagline ${recallOf(replay).variant}`);
      seen.add(replay.content as string);
    }
    expect(seen.size).toBe(2);
    expect(upstream.counter).toMatchObject({ stream: 2, generate: 0 });
  });

  it("per call through the recall call option, and a refused answer is not appended", async () => {
    const { upstream, model } = setup({ validate: (r) => r.text !== "tagline 2" || "no" });
    const ask = () => model.invoke(TAGLINE, { recall: { variants: 2 } });
    expect(recallOf(await ask())).toMatchObject({ status: "miss", variant: 1 });
    expect(recallOf(await ask())).toMatchObject({ status: "miss", stored: false, rejectedBecause: "no" });
    expect(recallOf(await ask())).toMatchObject({ status: "miss", variant: 2, stored: true });
    for (let i = 0; i < 20; i++) {
      const hit = await ask();
      expect(recallOf(hit).status).toBe("hit");
      expect(hit.content).not.toBe("tagline 2");
    }
    // Without the option the cache keeps one answer: the entry's first.
    expect((await model.invoke(TAGLINE)).content).toBe("tagline 1");
    expect(upstream.calls).toBe(3);
    await expect(model.invoke(TAGLINE, { recall: { variants: 0 } })).rejects.toThrow(
      /recall\.variants must be an integer from 1 to 32/,
    );
  });

  it("RecallLangChainCache: variants as an option fill through LangChain's update, then hits draw them", async () => {
    const upstream = new CountingChatModel({ responses: ANSWERS });
    const cache = createCache({ random: mulberry32(4) });
    upstream.cache = new RecallLangChainCache({ cache, variants: 2 });
    expect((await upstream.invoke(TAGLINE)).content).toBe("tagline 1");
    const second = await upstream.invoke(TAGLINE);
    expect(second.content).toBe("tagline 2");
    expect(recallOf(second)).toMatchObject({ status: "miss", variant: 2, variants: 2 });
    const seen = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const hit = await upstream.invoke(TAGLINE);
      expect(recallOf(hit)).toMatchObject({ status: "hit", variants: 2 });
      seen.add(hit.content as string);
    }
    expect([...seen].sort()).toEqual(["tagline 1", "tagline 2"]);
    expect(upstream.calls).toBe(2);
  });
});
