import { once } from "node:events";
import { createServer, request as httpRequest, type IncomingHttpHeaders } from "node:http";
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

/** One request a recording upstream received, exactly as it arrived (the raw path, not normalized). */
export interface RecordedHit {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

/**
 * A bare `node:http` upstream that records what reaches it (method, raw URL, headers) and answers
 * every request with an empty model list; its base URL has a path (`/base/v1`) to climb out of.
 */
export async function recordingUpstream(): Promise<{
  url: string;
  origin: string;
  hits: RecordedHit[];
  close(): Promise<void>;
}> {
  const hits: RecordedHit[] = [];
  const server = createServer((req, res) => {
    hits.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
    req.resume();
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ object: "list", data: [] }));
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/base/v1`,
    origin,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A request sent with `node:http` as it is: the path is not normalized or re-encoded the way
 * `fetch` or supertest would (`/v1/../admin` stays `/v1/../admin`).
 */
export function rawRequest(
  origin: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, method, path, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}
