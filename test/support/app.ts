import {
  type CacheOptions,
  type CacheRequest,
  type CacheResponse,
  createCache,
  type RecallCache,
} from "@recall/core";
import { fakeEmbedder } from "@recall/core/testing";
import { type RedisRecall, redisRecall } from "@recall/redis";

/** What an app instance needs to know: where Redis and the model are, and how patient to be. */
export interface AppConfig {
  redisUrl: string;
  /** Base URL of an OpenAI-compatible server (the mock), e.g. http://127.0.0.1:4010/v1. */
  upstreamUrl?: string;
  /** Keeps this test's keys and channel apart from any other's. */
  prefix: string;
  storeTimeoutMs?: number;
  commandTimeoutMs?: number;
  lockTtlMs?: number;
  waitTimeoutMs?: number;
  semantic?: boolean;
}

/** Paraphrases the fake embedder maps to one vector. */
export const PARAPHRASES = [
  ["How do I reset my password?", "How can I change my password?"],
  ["Where is my order?", "Where's my package?"],
];

/** One app instance: a cache on Redis with the lock and the bus, as a user would set it up. */
export function createApp(
  config: AppConfig,
  extra: Partial<CacheOptions> = {},
): { cache: RecallCache; redis: RedisRecall } {
  const redis = redisRecall({
    url: config.redisUrl,
    storeNamespace: `${config.prefix}:entries`,
    lockKeyPrefix: `${config.prefix}:lock:`,
    channel: `${config.prefix}:bus`,
    ...(config.commandTimeoutMs ? { commandTimeoutMs: config.commandTimeoutMs } : {}),
  });
  const cache = createCache({
    store: redis.store,
    lock: redis.lock,
    bus: redis.bus,
    storeTimeoutMs: config.storeTimeoutMs ?? 100,
    lockTtlMs: config.lockTtlMs ?? 5_000,
    waitTimeoutMs: config.waitTimeoutMs ?? 20_000,
    ...(config.semantic
      ? { semantic: { embedder: fakeEmbedder({ synonyms: PARAPHRASES }), threshold: 0.95 } }
      : {}),
    ...extra,
  });
  return { cache, redis };
}

export function ask(question: string): CacheRequest {
  return {
    model: { provider: "openai", id: "gpt-4.1-mini" },
    messages: [{ role: "user", content: question }],
  };
}

/** Calls the OpenAI-compatible upstream over HTTP and turns its answer into a CacheResponse. */
export async function callUpstream(upstreamUrl: string, question: string): Promise<CacheResponse> {
  const res = await fetch(`${upstreamUrl}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer test" },
    body: JSON.stringify({ model: "gpt-4.1-mini", messages: [{ role: "user", content: question }] }),
  });
  if (!res.ok) throw new Error(`upstream answered ${res.status}`);
  const body = (await res.json()) as any;
  return {
    body,
    text: body.choices[0].message.content,
    finishReason: "stop",
    usage: { inputTokens: body.usage.prompt_tokens, outputTokens: body.usage.completion_tokens },
    modelId: body.model,
  };
}
