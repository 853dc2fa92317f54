/**
 * What the middleware adds to a cache hit, against calling the (instant) mock model directly:
 * `generateText`, and `streamText` replays (time to the first part and to the end). Both sides go
 * through the AI SDK; the model answers from memory, so the difference is Recall's own cost.
 *   pnpm --filter @recall/ai-sdk bench [--quick]
 */
import type { LanguageModelV4StreamPart } from "@ai-sdk/provider";
import { createCache } from "@recall/core";
import { generateText, simulateReadableStream, streamText, wrapLanguageModel } from "ai";
import { MockLanguageModelV4 } from "ai/test";
import {
  type BenchOptions,
  type Figure,
  percentile,
  round,
  timeEach,
  timeInterleaved,
  timeStreams,
} from "../../core/bench/figures.js";
import { recallMiddleware } from "../src/index.js";

export type { BenchOptions, Figure };

/** A typical short answer: ~60 text deltas, as a provider streams them. */
const ANSWER =
  "To reset your password, open Settings, choose Security, then click Reset password. You will get an email with a link that stays valid for one hour; follow it and pick a new password of at least twelve characters.";
const DELTAS = ANSWER.match(/\S+\s*/g) ?? [ANSWER];
const usage = {
  inputTokens: { total: 42, noCache: 42, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 48, text: 48, reasoning: 0 },
};
const timestamp = new Date("2026-01-01T00:00:00Z");

function parts(): LanguageModelV4StreamPart[] {
  return [
    { type: "stream-start", warnings: [] },
    { type: "response-metadata", id: "resp_1", timestamp, modelId: "gpt-4.1" },
    { type: "text-start", id: "0" },
    ...DELTAS.map((delta): LanguageModelV4StreamPart => ({ type: "text-delta", id: "0", delta })),
    { type: "text-end", id: "0" },
    { type: "finish", finishReason: { unified: "stop", raw: "stop" }, usage },
  ];
}

function mockModel(): MockLanguageModelV4 {
  return new MockLanguageModelV4({
    provider: "openai.chat",
    modelId: "gpt-4.1",
    doGenerate: async () => ({
      content: [{ type: "text", text: ANSWER }],
      finishReason: { unified: "stop", raw: "stop" },
      usage,
      response: { id: "resp_1", timestamp, modelId: "gpt-4.1" },
      warnings: [],
    }),
    doStream: async () => ({
      stream: simulateReadableStream({ chunks: parts(), initialDelayInMs: null, chunkDelayInMs: null }),
    }),
  });
}

const PROMPT = "How do I reset my password?";

export async function run({ quick, progress }: BenchOptions): Promise<Figure[]> {
  const count = quick ? 2_000 : 10_000;
  const streamCount = quick ? 1_000 : 5_000;
  // The mock records every call; a fresh one per measured loop keeps memory flat.
  const direct = () => mockModel();
  const cache = createCache();
  const cached = () => wrapLanguageModel({ model: mockModel(), middleware: recallMiddleware({ cache }) });
  const figures: Figure[] = [];

  progress(`generateText: ${count} direct calls and ${count} cache hits, interleaved`);
  const directModel = direct();
  const hitModel = cached();
  await generateText({ model: hitModel, prompt: PROMPT }); // the miss that stores it
  const [generateDirect, generateHit] = await timeInterleaved(
    count,
    [
      () => generateText({ model: directModel, prompt: PROMPT }),
      async () => {
        const r = await generateText({ model: hitModel, prompt: PROMPT });
        if ((r.providerMetadata?.recall as { status?: string } | undefined)?.status !== "hit") {
          throw new Error("expected a hit");
        }
      },
    ],
    Math.min(500, count),
  );
  const gDirect = percentile(generateDirect, 50);
  const gHit = percentile(generateHit, 50);
  figures.push(
    { name: "aisdk_generate_direct_p50_us", value: round(gDirect), unit: "us" },
    {
      name: "aisdk_generate_hit_p50_us",
      value: round(gHit),
      unit: "us",
      comparedWith: "aisdk_generate_direct_p50_us",
      ratio: round(gHit / gDirect),
    },
    { name: "aisdk_generate_hit_p99_us", value: round(percentile(generateHit, 99)), unit: "us" },
    { name: "aisdk_generate_hit_added_p50_us", value: round(gHit - gDirect), unit: "us" },
  );

  progress(`generateText: ${Math.floor(count / 2)} misses (lookup + validate + store around the call)`);
  const missModel = cached();
  let n = 0;
  const generateMiss = await timeEach(Math.floor(count / 2), () =>
    generateText({ model: missModel, prompt: `${PROMPT} (variant ${n++})` }),
  );
  const gMiss = percentile(generateMiss, 50);
  figures.push({ name: "aisdk_generate_miss_added_p50_us", value: round(gMiss - gDirect), unit: "us" });

  progress(
    `streamText: ${streamCount} direct streams and ${streamCount} replays, interleaved (${DELTAS.length + 5} parts each)`,
  );
  const streamDirectModel = direct();
  // A cache of its own: in the shared one the prompt's generate result would be replayed as a
  // stream (generate and stream calls share entries); this measures the replay of a recorded stream.
  const streamCache = createCache();
  const streamHitModel = wrapLanguageModel({
    model: mockModel(),
    middleware: recallMiddleware({ cache: streamCache }),
  });
  await streamText({ model: streamHitModel, prompt: PROMPT }).consumeStream();
  const [streamDirect, streamHit] = await timeStreams(
    streamCount,
    [
      () => streamText({ model: streamDirectModel, prompt: PROMPT }).fullStream,
      () => streamText({ model: streamHitModel, prompt: PROMPT }).fullStream,
    ],
    Math.min(300, streamCount),
  );
  const firstDirect = percentile(streamDirect.first, 50);
  const endDirect = percentile(streamDirect.end, 50);
  const firstHit = percentile(streamHit.first, 50);
  const endHit = percentile(streamHit.end, 50);
  figures.push(
    { name: "aisdk_stream_direct_first_part_p50_us", value: round(firstDirect), unit: "us" },
    { name: "aisdk_stream_direct_end_p50_us", value: round(endDirect), unit: "us" },
    {
      name: "aisdk_stream_hit_first_part_p50_us",
      value: round(firstHit),
      unit: "us",
      comparedWith: "aisdk_stream_direct_first_part_p50_us",
      ratio: round(firstHit / firstDirect),
    },
    {
      name: "aisdk_stream_hit_end_p50_us",
      value: round(endHit),
      unit: "us",
      comparedWith: "aisdk_stream_direct_end_p50_us",
      ratio: round(endHit / endDirect),
    },
    { name: "aisdk_stream_hit_end_p99_us", value: round(percentile(streamHit.end, 99)), unit: "us" },
    { name: "aisdk_stream_hit_first_part_added_p50_us", value: round(firstHit - firstDirect), unit: "us" },
    { name: "aisdk_stream_hit_end_added_p50_us", value: round(endHit - endDirect), unit: "us" },
  );
  return figures;
}
