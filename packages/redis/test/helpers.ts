import { createClient } from "@keyv/redis";
import type { CacheRequest, CacheResponse } from "@recall/core";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** A prefix no other test run shares. */
export function uniquePrefix(): string {
  return `recall-test:redis:${Math.random().toString(36).slice(2, 10)}`;
}

export function request(question: string, system = "You are terse."): CacheRequest {
  return {
    model: { provider: "openai", id: "gpt-4.1-mini" },
    messages: [
      { role: "system", content: system },
      { role: "user", content: question },
    ],
  };
}

export function answer(text: string): CacheResponse {
  return { body: { text }, text, finishReason: "stop", usage: { inputTokens: 12, outputTokens: 8 } };
}

/** A plain client for inspecting and tampering with Redis from tests. */
export async function rawClient() {
  const client = createClient({ url: REDIS_URL });
  client.on("error", () => {});
  await client.connect();
  return client;
}

/** Deletes every key under `prefix`. */
export async function deleteKeys(pattern: string): Promise<void> {
  const client = await rawClient();
  for await (const keys of client.scanIterator({ MATCH: pattern, COUNT: 500 })) {
    if (keys.length > 0) await client.del(keys);
  }
  client.destroy();
}

export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  stepMs = 10,
): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return check();
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
