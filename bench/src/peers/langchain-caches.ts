import type { BenchOptions } from "../../../packages/core/bench/figures.js";
/**
 * LangChain.js's own caches against Recall's, on the same `ChatOpenAI` pointed at the local mock
 * OpenAI server: `InMemoryCache` from `@langchain/core/caches` and `RedisCache` from
 * `@langchain/redis` (a node-redis client, as its README shows), beside `RecallLangChainCache`
 * and `withRecall`. Invoke hit latency, then what each does for a streamed call, for 50
 * concurrent identical cold calls, and for a prompt holding an API-key-looking string.
 */

import KeyvRedis from "@keyv/redis";
import type { BaseCache } from "@langchain/core/caches";
import { InMemoryCache } from "@langchain/core/caches";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { Generation } from "@langchain/core/outputs";
import type { Runnable } from "@langchain/core/runnables";
import { ChatOpenAI } from "@langchain/openai";
import { RedisCache } from "@langchain/redis";
import { createCache } from "@recall/core";
import { RecallLangChainCache, withRecall } from "@recall/langchain";
import { defaultAnswer, startMockOpenAI } from "@recall/mock-openai";
import Keyv from "keyv";
import { createClient } from "redis";
import { timeInterleaved } from "../../../packages/core/bench/figures.js";
import {
  attempt,
  type Behaviour,
  emptyReport,
  type PeerReport,
  p50Figure,
  REDIS_URL,
  redisDelete,
  redisDump,
  yesNo,
} from "./common.js";

/** The client's API key (the mock accepts any) and a key-looking string inside a prompt. */
const CLIENT_KEY = "sk-bench-client-key-0123456789abcdef";
const PROMPT_KEY = "sk-proj-benchsecret9f8e7d6c5b4a3210";
const PROMPT = "How do I reset my password?";

type Invokable = Pick<Runnable, "invoke" | "stream">;

interface Subject {
  name: string;
  model: Invokable;
  /** Everything the cache holds, as text, to look for a secret in. */
  dump: () => Promise<string>;
  close?: () => Promise<void>;
}

export async function run({ quick, progress }: BenchOptions): Promise<PeerReport> {
  const report = emptyReport();
  const count = quick ? 500 : 3_000;
  const prefix = `recall-bench-peers-lc-${process.pid}`;
  // The mock's answers quote the question; to the prompt holding a key it answers without quoting,
  // so a key found in the store was kept from the prompt, not from the answer.
  const mock = await startMockOpenAI({
    latencyMs: 50,
    answer: (req) =>
      JSON.stringify(req.messages).includes(PROMPT_KEY)
        ? "Revoke that key at once in Settings, then create a new one."
        : JSON.stringify(req.messages).includes("which key")
          ? `This client authenticates with ${CLIENT_KEY}.`
          : defaultAnswer(req),
  });
  const chat = (cache?: BaseCache) =>
    new ChatOpenAI({
      model: "gpt-4.1",
      apiKey: CLIENT_KEY,
      configuration: { baseURL: mock.url },
      ...(cache ? { cache } : {}),
    });
  const subjects: Subject[] = [];
  const closers: Array<() => Promise<void>> = [];
  try {
    // LangChain's InMemoryCache, over a Map we can read.
    const map = new Map<string, Generation[]>();
    subjects.push({
      name: "LangChain InMemoryCache",
      model: chat(new InMemoryCache(map)),
      dump: async () => JSON.stringify([...map.entries()]),
    });
    // LangChain's RedisCache (@langchain/redis): its keys are bare hashes, so the keys it writes
    // are recorded from its own `keyEncoder` to read and delete them afterwards.
    await attempt(report, "LangChain RedisCache (@langchain/redis)", progress, async () => {
      const client = createClient({ url: REDIS_URL });
      await client.connect();
      const cache = new RedisCache(client as ConstructorParameters<typeof RedisCache>[0]);
      // `keyEncoder` is protected: read it as the cache itself does.
      const encode = (prompt: string, llmKey: string, i: number) =>
        (cache as unknown as { keyEncoder: (...parts: string[]) => string }).keyEncoder(
          prompt,
          llmKey,
          String(i),
        );
      const written = new Set<string>();
      const update = cache.update.bind(cache);
      cache.update = async (prompt, llmKey, value) => {
        for (let i = 0; i < value.length; i++) written.add(encode(prompt, llmKey, i));
        return update(prompt, llmKey, value);
      };
      closers.push(async () => {
        if (written.size) await client.del([...written]);
        await client.quit();
      });
      subjects.push({
        name: "LangChain RedisCache",
        model: chat(cache),
        dump: async () =>
          JSON.stringify(await Promise.all([...written].map(async (k) => [k, await client.get(k)]))),
      });
    });
    // Recall, in memory (a Keyv over a Map we can read, serializing as Recall's default in-memory
    // store does: JSON, not Keyv's default serializer) and on Redis.
    const recallMemory = () => {
      const store = new Map<string, unknown>();
      return {
        cache: createCache({
          store: new Keyv({ store, serialize: JSON.stringify, deserialize: JSON.parse }),
        }),
        dump: async () => JSON.stringify([...store]),
      };
    };
    const recallRedis = (name: string) => {
      const namespace = `${prefix}-${name}`;
      const keyv = new Keyv({ store: new KeyvRedis(REDIS_URL), namespace });
      closers.push(async () => {
        await keyv.clear().catch(() => {});
        await keyv.disconnect().catch(() => {});
        await redisDelete(namespace).catch(() => {});
      });
      return {
        cache: createCache({ store: keyv, storeTimeoutMs: 1_000 }),
        dump: async () => (await redisDump(namespace)).join("\n"),
      };
    };
    const rc = recallMemory();
    subjects.push({
      name: "RecallLangChainCache",
      model: chat(new RecallLangChainCache({ cache: rc.cache })),
      dump: rc.dump,
    });
    const rw = recallMemory();
    subjects.push({
      name: "withRecall",
      model: withRecall(chat() as unknown as BaseChatModel, { cache: rw.cache }) as unknown as Invokable,
      dump: rw.dump,
    });
    const rcr = recallRedis("cache");
    subjects.push({
      name: "RecallLangChainCache (Redis store)",
      model: chat(new RecallLangChainCache({ cache: rcr.cache })),
      dump: rcr.dump,
    });

    // --- invoke hit latency ---
    for (const s of subjects) await s.model.invoke(PROMPT);
    const before = mock.count();
    progress(`invoke hits: ${count} each through ${subjects.map((s) => s.name).join(", ")}, interleaved`);
    const samples = await timeInterleaved(
      count,
      subjects.map((s) => () => s.model.invoke(PROMPT)),
      Math.min(200, count),
    );
    if (mock.count() !== before) throw new Error(`hits called upstream ${mock.count() - before} times`);
    const by = (name: string) => samples[subjects.findIndex((s) => s.name === name)];
    const recallCache = p50Figure("peer_recall_langchain_cache_hit_p50_us", by("RecallLangChainCache")!);
    report.figures.push(
      recallCache,
      p50Figure("peer_recall_langchain_wrapper_hit_p50_us", by("withRecall")!),
      p50Figure("peer_langchain_inmemory_hit_p50_us", by("LangChain InMemoryCache")!, recallCache),
    );
    const recallRedisFigure = p50Figure(
      "peer_recall_langchain_cache_redis_hit_p50_us",
      by("RecallLangChainCache (Redis store)")!,
    );
    report.figures.push(recallRedisFigure);
    const lcRedis = by("LangChain RedisCache");
    if (lcRedis)
      report.figures.push(p50Figure("peer_langchain_redis_hit_p50_us", lcRedis, recallRedisFigure));

    // --- behaviours ---
    progress("behaviours: streams, 50 concurrent cold calls, a prompt holding a key");
    for (const s of subjects) {
      await attempt(report, `${s.name} behaviours`, progress, async () => {
        report.behaviours.push(...(await behaviours(s, mock)));
      });
    }
  } finally {
    for (const close of closers) await close().catch(() => {});
    await mock.close();
  }
  return report;
}

async function behaviours(
  s: Subject,
  mock: Awaited<ReturnType<typeof startMockOpenAI>>,
): Promise<Behaviour[]> {
  const out: Behaviour[] = [];
  const tag = `${s.name.replace(/\W+/g, "-")}-${Date.now()}`;
  const calls = async (body: () => Promise<unknown>) => {
    const before = mock.count("chat");
    await body();
    return mock.count("chat") - before;
  };
  const drain = async (prompt: string) => {
    let text = "";
    for await (const chunk of await s.model.stream(prompt))
      text += String((chunk as { content?: unknown }).content ?? "");
    return text;
  };

  // A streamed call, then the same stream again: replayed from cache?
  const streamPrompt = `Explain the refund policy in one paragraph (${tag} stream)`;
  const first = await calls(() => drain(streamPrompt));
  const second = await calls(() => drain(streamPrompt));
  out.push({
    cache: s.name,
    behaviour: "stream: a repeated stream is replayed from cache",
    answer: yesNo(first === 1 && second === 0),
    measured: `upstream calls: first stream ${first}, repeat ${second}`,
  });
  // A plain call after the stream: did the stream store anything?
  const afterStream = await calls(() => s.model.invoke(streamPrompt));
  out.push({
    cache: s.name,
    behaviour: "stream: a streamed answer is stored (a later invoke hits)",
    answer: yesNo(afterStream === 0),
    measured: `upstream calls of the later invoke: ${afterStream}`,
  });

  // 50 concurrent identical cold calls.
  const coldPrompt = `Which regions does the service run in? (${tag} cold)`;
  const cold = await calls(() => Promise.all(Array.from({ length: 50 }, () => s.model.invoke(coldPrompt))));
  out.push({
    cache: s.name,
    behaviour: "stampede: 50 identical cold invokes make 1 upstream call",
    answer: yesNo(cold === 1),
    measured: `${cold} upstream calls`,
  });

  // A prompt holding a key-looking string; then read what the store holds.
  const secretPrompt = `my api key ${PROMPT_KEY} stopped working, what now? (${tag} secret)`;
  await s.model.invoke(secretPrompt);
  const echoed = mock.requests.at(-1)?.body ? JSON.stringify(mock.requests.at(-1)!.body) : "";
  const held = (await s.dump()).toLowerCase();
  out.push({
    cache: s.name,
    behaviour: "secrets: a key-looking string of the prompt is stored in plain text",
    answer: yesNo(held.includes(PROMPT_KEY)),
    measured: `store ${held.includes(PROMPT_KEY) ? "holds" : "does not hold"} it (the answer does not quote it)${echoed.includes(PROMPT_KEY) ? "" : "; upstream never saw it"}`,
  });
  // An answer that repeats the client's own API key (a model echoing its credentials).
  await s.model.invoke(`which key does this client use? (${tag} echo)`);
  const afterEcho = (await s.dump()).toLowerCase();
  out.push({
    cache: s.name,
    behaviour: "secrets: the client's API key is stored in plain text",
    answer: yesNo(afterEcho.includes(CLIENT_KEY)),
    measured: `store ${afterEcho.includes(CLIENT_KEY) ? "holds" : "does not hold"} it after an answer that repeats it (${afterEcho.length} chars read)`,
  });
  return out;
}
