/**
 * What Recall adds to a LangChain call answered from cache, against calling an instant fake model
 * directly: `invoke` through `RecallLangChainCache` and through `withRecall`, a miss's overhead,
 * and `stream` replays (time to the first chunk and to the end). Both sides go through LangChain;
 * the model answers from memory, so the difference is Recall's own cost.
 *   pnpm --filter @recall/langchain bench [-- --quick]
 */
import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, AIMessageChunk, type BaseMessage } from "@langchain/core/messages";
import { ChatGenerationChunk, type ChatResult } from "@langchain/core/outputs";
import { createCache } from "@recall/core";
import {
  type BenchOptions,
  type Figure,
  percentile,
  round,
  timeInterleaved,
  timeStreams,
} from "../../core/bench/figures.js";
import { RecallLangChainCache, type RecallMetadata, withRecall } from "../src/index.js";

export type { BenchOptions, Figure };

const ANSWER =
  "To reset your password, open Settings, choose Security, then click Reset password. You will get an email with a link that stays valid for one hour; follow it and pick a new password of at least twelve characters.";
const PIECES = ANSWER.match(/\S+\s*/g) ?? [ANSWER];
const usage = { input_tokens: 42, output_tokens: 48, total_tokens: 90 };
const PROMPT = "How do I reset my password?";

/** An instant chat model: one answer, streamed word by word like a provider, with usage at the end. */
class InstantModel extends BaseChatModel {
  _llmType() {
    return "instant";
  }
  override _identifyingParams() {
    return { model: "gpt-4.1", apiKey: "sk-bench-not-a-real-key-000000" };
  }
  async _generate(): Promise<ChatResult> {
    const message = new AIMessage({
      content: ANSWER,
      usage_metadata: usage,
      response_metadata: { model_name: "gpt-4.1", finish_reason: "stop" },
    });
    return { generations: [{ text: ANSWER, message }] };
  }
  override async *_streamResponseChunks(
    _m: BaseMessage[],
    _o: this["ParsedCallOptions"],
    _r?: CallbackManagerForLLMRun,
  ) {
    for (const piece of PIECES)
      yield new ChatGenerationChunk({ text: piece, message: new AIMessageChunk({ content: piece }) });
    yield new ChatGenerationChunk({
      text: "",
      message: new AIMessageChunk({
        content: "",
        usage_metadata: usage,
        response_metadata: { model_name: "gpt-4.1", finish_reason: "stop" },
      }),
    });
  }
}

export async function run({ quick, progress }: BenchOptions): Promise<Figure[]> {
  const count = quick ? 1_000 : 5_000;
  const figures: Figure[] = [];
  const direct = new InstantModel({});
  const viaCache = new InstantModel({ cache: new RecallLangChainCache({ cache: createCache() }) });
  const viaWrapper = withRecall(new InstantModel({}), { cache: createCache() });
  const expectHit = (message: { response_metadata: Record<string, unknown> }) => {
    if ((message.response_metadata.recall as RecallMetadata | undefined)?.status !== "hit")
      throw new Error("expected a hit");
  };
  await viaCache.invoke(PROMPT);
  await viaWrapper.invoke(PROMPT);

  progress(
    `invoke: ${count} direct calls, ${count} RecallLangChainCache hits and ${count} withRecall hits, interleaved`,
  );
  const [invokeDirect, invokeCache, invokeWrapper] = await timeInterleaved(count, [
    () => direct.invoke(PROMPT),
    async () => expectHit(await viaCache.invoke(PROMPT)),
    async () => expectHit(await viaWrapper.invoke(PROMPT)),
  ]);
  const d = percentile(invokeDirect, 50);
  const c = percentile(invokeCache, 50);
  const w = percentile(invokeWrapper, 50);
  figures.push(
    { name: "langchain_invoke_direct_p50_us", value: round(d), unit: "us" },
    {
      name: "langchain_invoke_cache_hit_p50_us",
      value: round(c),
      unit: "us",
      comparedWith: "langchain_invoke_direct_p50_us",
      ratio: round(c / d),
    },
    { name: "langchain_invoke_cache_hit_p99_us", value: round(percentile(invokeCache, 99)), unit: "us" },
    {
      name: "langchain_invoke_wrapper_hit_p50_us",
      value: round(w),
      unit: "us",
      comparedWith: "langchain_invoke_direct_p50_us",
      ratio: round(w / d),
    },
    { name: "langchain_invoke_wrapper_hit_p99_us", value: round(percentile(invokeWrapper, 99)), unit: "us" },
  );

  const misses = Math.floor(count / 2);
  progress(`invoke: ${misses} misses through each (lookup + validate + store around the call)`);
  let n = 0;
  const [missCache, missWrapper] = await timeInterleaved(misses, [
    () => viaCache.invoke(`${PROMPT} (variant ${n})`),
    () => viaWrapper.invoke(`${PROMPT} (variant ${n++})`),
  ]);
  figures.push(
    {
      name: "langchain_invoke_cache_miss_added_p50_us",
      value: round(percentile(missCache, 50) - d),
      unit: "us",
    },
    {
      name: "langchain_invoke_wrapper_miss_added_p50_us",
      value: round(percentile(missWrapper, 50) - d),
      unit: "us",
    },
  );

  const streams = quick ? 500 : 2_000;
  progress(
    `stream: ${streams} direct streams and ${streams} withRecall replays, interleaved (${PIECES.length + 1} chunks each)`,
  );
  await drain(viaWrapper.stream(PROMPT));
  const [streamDirect, streamHit] = await timeStreams(streams, [
    () => direct.stream(PROMPT),
    () => viaWrapper.stream(PROMPT),
  ]);
  const firstDirect = percentile(streamDirect.first, 50);
  const endDirect = percentile(streamDirect.end, 50);
  const firstHit = percentile(streamHit.first, 50);
  const endHit = percentile(streamHit.end, 50);
  figures.push(
    { name: "langchain_stream_direct_first_chunk_p50_us", value: round(firstDirect), unit: "us" },
    { name: "langchain_stream_direct_end_p50_us", value: round(endDirect), unit: "us" },
    {
      name: "langchain_stream_hit_first_chunk_p50_us",
      value: round(firstHit),
      unit: "us",
      comparedWith: "langchain_stream_direct_first_chunk_p50_us",
      ratio: round(firstHit / firstDirect),
    },
    {
      name: "langchain_stream_hit_end_p50_us",
      value: round(endHit),
      unit: "us",
      comparedWith: "langchain_stream_direct_end_p50_us",
      ratio: round(endHit / endDirect),
    },
    { name: "langchain_stream_hit_end_p99_us", value: round(percentile(streamHit.end, 99)), unit: "us" },
  );
  return figures;
}

async function drain(stream: Promise<AsyncIterable<unknown>>): Promise<void> {
  for await (const _ of await stream);
}
