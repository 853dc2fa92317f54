import type { BenchOptions } from "../../../packages/core/bench/figures.js";
/**
 * The AI SDK's own caching recipe (the middleware of its docs' "Caching" page, as the installed
 * `ai` package's docs show it: key `JSON.stringify({ provider, modelId, params })`, `redis.get`,
 * a fire-and-forget `redis.set`, streams recorded part by part and replayed with
 * `simulateReadableStream` at 10 ms a chunk), on the same Redis as `recallMiddleware` with a Redis
 * store, both wrapping the same `@ai-sdk/openai` chat model pointed at the local mock server.
 */

import { createOpenAI } from "@ai-sdk/openai";
import type { LanguageModelV4, LanguageModelV4Middleware, LanguageModelV4StreamPart } from "@ai-sdk/provider";
import KeyvRedis from "@keyv/redis";
import { recallMiddleware } from "@recall/ai-sdk";
import { createCache } from "@recall/core";
import { startMockOpenAI } from "@recall/mock-openai";
import { generateText, simulateReadableStream, streamText, wrapLanguageModel } from "ai";
import { Redis as IORedis } from "ioredis";
import Keyv from "keyv";
import { timeInterleaved } from "../../../packages/core/bench/figures.js";
import {
  type Behaviour,
  emptyReport,
  type PeerReport,
  p50Figure,
  REDIS_URL,
  redisDelete,
  yesNo,
} from "./common.js";

/**
 * The docs use `@upstash/redis` (an HTTP client that JSON-encodes values itself); it cannot reach a
 * local Redis, so this stands in for it: the same `get`/`set` over ioredis, JSON-encoded.
 */
function upstashLike(io: IORedis, written: Set<string>) {
  return {
    async get(key: string): Promise<unknown> {
      const raw = await io.get(key);
      return raw === null ? null : JSON.parse(raw);
    },
    set(key: string, value: unknown): Promise<unknown> {
      written.add(key);
      return io.set(key, JSON.stringify(value));
    },
  };
}

/** The recipe, as the docs write it, over `redis`. */
function cacheMiddleware(redis: ReturnType<typeof upstashLike>): LanguageModelV4Middleware {
  return {
    specificationVersion: "v4",
    wrapGenerate: async ({ doGenerate, params, model }) => {
      const cacheKey = JSON.stringify({ provider: model.provider, modelId: model.modelId, params });
      const cached = (await redis.get(cacheKey)) as Awaited<ReturnType<LanguageModelV4["doGenerate"]>> | null;
      if (cached !== null) {
        return {
          ...cached,
          response: {
            ...cached.response,
            timestamp: cached?.response?.timestamp ? new Date(cached?.response?.timestamp) : undefined,
          },
        };
      }
      const result = await doGenerate();
      redis.set(cacheKey, result);
      return result;
    },
    wrapStream: async ({ doStream, params, model }) => {
      const cacheKey = JSON.stringify({ provider: model.provider, modelId: model.modelId, params });
      const cached = await redis.get(cacheKey);
      if (cached !== null) {
        const formattedChunks = (cached as LanguageModelV4StreamPart[]).map((p) => {
          if (p.type === "response-metadata" && p.timestamp) {
            return { ...p, timestamp: new Date(p.timestamp) };
          }
          return p;
        });
        return {
          stream: simulateReadableStream({
            initialDelayInMs: 0,
            chunkDelayInMs: 10,
            chunks: formattedChunks,
          }),
        };
      }
      const { stream, ...rest } = await doStream();
      const fullResponse: LanguageModelV4StreamPart[] = [];
      const transformStream = new TransformStream<LanguageModelV4StreamPart, LanguageModelV4StreamPart>({
        transform(chunk, controller) {
          fullResponse.push(chunk);
          controller.enqueue(chunk);
        },
        flush() {
          redis.set(cacheKey, fullResponse);
        },
      });
      return { stream: stream.pipeThrough(transformStream), ...rest };
    },
  };
}

interface Streamed {
  types: string[];
  text: string;
  usage: unknown;
  ms: number;
}

export async function run({ quick, progress }: BenchOptions): Promise<PeerReport> {
  const report = emptyReport();
  const count = quick ? 500 : 3_000;
  const namespace = `recall-bench-peers-aisdk-${process.pid}`;
  const mock = await startMockOpenAI({ latencyMs: 50 });
  const provider = createOpenAI({ baseURL: mock.url, apiKey: "sk-bench-not-a-real-key" });
  const io = new IORedis(REDIS_URL);
  const written = new Set<string>();
  const keyv = new Keyv({ store: new KeyvRedis(REDIS_URL), namespace });
  const cache = createCache({ store: keyv, storeTimeoutMs: 1_000 });
  const recipeMw = cacheMiddleware(upstashLike(io, written));
  const recallMw = recallMiddleware({ cache });
  const wrap = (middleware: LanguageModelV4Middleware, id = "gpt-4.1") =>
    wrapLanguageModel({ model: provider.chat(id), middleware });
  const subjects = [
    { name: "AI SDK caching recipe", middleware: recipeMw },
    { name: "recallMiddleware", middleware: recallMw },
  ];
  try {
    // --- generate hit latency ---
    const prompt = "How do I reset my password?";
    const models = subjects.map((s) => wrap(s.middleware));
    for (const model of models) await generateText({ model, prompt });
    await new Promise((resolve) => setTimeout(resolve, 100)); // the recipe's set is not awaited
    const before = mock.count();
    progress(
      `generateText hits on Redis: ${count} each through the recipe and recallMiddleware, interleaved`,
    );
    const [recipe, recall] = await timeInterleaved(
      count,
      models.map((model) => () => generateText({ model, prompt })),
      Math.min(200, count),
    );
    if (mock.count() !== before) throw new Error(`hits called upstream ${mock.count() - before} times`);
    const recallFigure = p50Figure("peer_recall_aisdk_generate_hit_redis_p50_us", recall!);
    report.figures.push(
      recallFigure,
      p50Figure("peer_aisdk_recipe_generate_hit_p50_us", recipe!, recallFigure),
    );

    // --- behaviours ---
    const tag = Date.now();
    const calls = async (body: () => Promise<unknown>) => {
      const n = mock.count("chat");
      await body();
      return mock.count("chat") - n;
    };
    const recallStreamMs: number[] = [];
    const recipeStreamMs: number[] = [];
    for (const s of subjects) {
      const model = wrap(s.middleware);
      const drain = async (p: string): Promise<Streamed> => {
        const t0 = performance.now();
        const result = streamText({ model, prompt: p });
        const types: string[] = [];
        let text = "";
        for await (const part of result.fullStream) {
          types.push(part.type);
          if (part.type === "text-delta") text += part.text;
        }
        return { types, text, usage: await result.totalUsage, ms: performance.now() - t0 };
      };
      const streamPrompt = `Explain the refund policy in one paragraph (${tag})`;
      let first: Streamed | undefined;
      let second: Streamed | undefined;
      const firstCalls = await calls(async () => {
        first = await drain(streamPrompt);
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const secondCalls = await calls(async () => {
        second = await drain(streamPrompt);
      });
      const sameParts =
        JSON.stringify(first!.types) === JSON.stringify(second!.types) && first!.text === second!.text;
      const sameUsage = JSON.stringify(first!.usage) === JSON.stringify(second!.usage);
      const behaviours: Behaviour[] = [
        {
          cache: s.name,
          behaviour: "stream: a repeated stream is replayed from cache",
          answer: yesNo(firstCalls === 1 && secondCalls === 0),
          measured: `upstream calls: first stream ${firstCalls}, repeat ${secondCalls}`,
        },
        {
          cache: s.name,
          behaviour: "stream: the replay has every part and the usage",
          answer: yesNo(secondCalls === 0 && sameParts && sameUsage),
          measured: `${second!.types.length}/${first!.types.length} parts, text ${first!.text === second!.text ? "same" : "differs"}, usage ${sameUsage ? "same" : `differs (${JSON.stringify(second!.usage)})`}`,
        },
      ];
      for (let i = 0; i < (quick ? 3 : 10); i++)
        (s.middleware === recallMw ? recallStreamMs : recipeStreamMs).push(
          (await drain(streamPrompt)).ms * 1_000,
        );

      // The same prompt on another model id: a miss (the key holds the model id) or the first model's answer?
      const idPrompt = `Which regions does the service run in? (${tag})`;
      await generateText({ model, prompt: idPrompt });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const otherCalls = await calls(() =>
        generateText({ model: wrap(s.middleware, "gpt-4.1-mini"), prompt: idPrompt }),
      );
      behaviours.push({
        cache: s.name,
        behaviour: "model id in key: another model misses",
        answer: yesNo(otherCalls === 1),
        measured: `upstream calls for the same prompt on gpt-4.1-mini: ${otherCalls}`,
      });

      const coldPrompt = `What is the uptime guarantee? (${tag})`;
      const cold = await calls(() =>
        Promise.all(Array.from({ length: 50 }, () => generateText({ model, prompt: coldPrompt }))),
      );
      behaviours.push({
        cache: s.name,
        behaviour: "stampede: 50 identical cold generates make 1 upstream call",
        answer: yesNo(cold === 1),
        measured: `${cold} upstream calls`,
      });
      report.behaviours.push(...behaviours);
    }
    const recallStream = p50Figure("peer_recall_aisdk_stream_hit_end_p50_us", recallStreamMs);
    report.figures.push(
      recallStream,
      p50Figure("peer_aisdk_recipe_stream_hit_end_p50_us", recipeStreamMs, recallStream),
    );
  } finally {
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (written.size) await io.del(...written).catch(() => {});
    io.disconnect();
    await keyv.clear().catch(() => {});
    await keyv.disconnect().catch(() => {});
    await redisDelete(namespace).catch(() => {});
    await mock.close();
  }
  return report;
}
