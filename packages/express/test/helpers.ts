import type { AddressInfo } from "node:net";
import { type CacheOptions, createCache, type RecallCache } from "@recall/core";
import { type MockOpenAIOptions, type MockOpenAIServer, startMockOpenAI } from "@recall/mock-openai";
import express, { type Express } from "express";
import Keyv from "keyv";
import { metricsHandler, type OpenAIProxyOptions, openAIProxy, statsHandler } from "../src/index.js";

export interface ProxyFixture {
  mock: MockOpenAIServer;
  cache: RecallCache;
  /** The raw Map under the Keyv store, to inspect every stored key and value. */
  map: Map<string, unknown>;
  app: Express;
  close(): Promise<void>;
}

/** The mock upstream, a cache over an inspectable Map, and an app with the proxy on /v1. */
export async function proxyFixture(
  options: { mock?: MockOpenAIOptions; cache?: CacheOptions; proxy?: Partial<OpenAIProxyOptions> } = {},
): Promise<ProxyFixture> {
  const mock = await startMockOpenAI(options.mock);
  const map = new Map<string, unknown>();
  const cache = createCache({ store: new Keyv({ store: map }), ...options.cache });
  const app = express();
  app.use("/v1", openAIProxy({ cache, upstream: mock.url, ...options.proxy }));
  app.get("/metrics", metricsHandler(cache));
  app.get("/stats", statsHandler(cache));
  return {
    mock,
    cache,
    map,
    app,
    close: async () => {
      await cache.close();
      await mock.close();
    },
  };
}

/** Listens on a free loopback port; for real HTTP clients (the `openai` SDK). */
export async function listen(app: Express): Promise<{ url: string; close(): Promise<void> }> {
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve, reject) => server.once("listening", resolve).once("error", reject));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Every stored key and value as text, to search for things that must never be stored. */
export function dump(map: Map<string, unknown>): string {
  return [...map.entries()]
    .map(([k, v]) => `${k}\n${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join("\n");
}

/** Resolves once `predicate` holds (polling), or rejects after `timeoutMs`. */
export async function until(predicate: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const chat = (content: string, extra: Record<string, unknown> = {}) => ({
  model: "gpt-4o-mini",
  messages: [{ role: "user", content }],
  ...extra,
});
