import { assertOption, RecallCache } from "@recall/core";
import express, { type Router } from "express";
import type { RequestCacheOptions } from "./call-options.js";
import { bodyErrorHandler, lastErrorHandler } from "./errors.js";
import { chatCompletionsHandler } from "./proxy-chat.js";
import type { ProxyContext } from "./proxy-context.js";
import { embeddingsHandler } from "./proxy-embeddings.js";
import { upstreamUnreachable } from "./proxy-json.js";
import { DEFAULT_FORWARD_HEADERS, forwardUnchanged, type UpstreamConfig } from "./upstream.js";

export interface OpenAIProxyOptions extends RequestCacheOptions {
  /** The cache answers are stored in. */
  cache: RecallCache;
  /** Base URL of the OpenAI-compatible upstream, with its version path, e.g. `https://api.openai.com/v1`. */
  upstream: string;
  /**
   * The upstream API key. Without it, each client's own `Authorization` header is forwarded. Either
   * way the key is only sent upstream, never stored. Note that hits are answered without asking the
   * upstream, so authenticate clients in front of the proxy.
   */
  apiKey?: string;
  /** The provider name in cache requests (entries of different providers never mix). Default `openai`. */
  provider?: string;
  /** Largest accepted request body (bytes, or a string like `"4mb"`). Default `"4mb"`. */
  bodyLimit?: number | string;
  /**
   * On streamed misses, ask the upstream for the usage chunk even when the client did not (and hide
   * it from the client), so later hits can count the tokens and money they save. Turn off for an
   * upstream that rejects `stream_options`. Default true.
   */
  streamUsage?: boolean;
  /** Request headers forwarded upstream besides `Authorization`. Default: OpenAI's organization, project and beta headers. */
  forwardHeaders?: string[];
  /** Forward every other route (`/models`, `/responses`, …) to the upstream uncached. Default true. */
  passThrough?: boolean;
  /** The `fetch` used to call upstream. Default: the global one (undici). */
  fetch?: typeof fetch;
}

/**
 * An OpenAI-compatible caching proxy as an Express router. Mount it where the upstream's version
 * path would be (`app.use("/v1", openAIProxy({ cache, upstream: "https://api.openai.com/v1" }))`):
 * `POST /chat/completions` (plain and streamed) and `POST /embeddings` are cached, everything else
 * is forwarded as is.
 */
export function openAIProxy(options: OpenAIProxyOptions): Router {
  assertOption(typeof options === "object" && options !== null, "openAIProxy needs options");
  assertOption(
    options.cache instanceof RecallCache ||
      typeof (options.cache as RecallCache | undefined)?.lookup === "function",
    "openAIProxy needs a cache (createCache())",
  );
  assertOption(
    typeof options.upstream === "string" && /^https?:\/\//.test(options.upstream),
    `upstream must be the http(s) base URL of an OpenAI-compatible API, got ${JSON.stringify(options.upstream)}`,
  );
  assertOption(
    options.apiKey === undefined || (typeof options.apiKey === "string" && options.apiKey.length > 0),
    "apiKey must be a non-empty string",
  );
  assertOption(
    options.fetch === undefined || typeof options.fetch === "function",
    "fetch must be a function",
  );
  const upstream: UpstreamConfig = {
    baseURL: options.upstream,
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
    forwardHeaders: (options.forwardHeaders ?? DEFAULT_FORWARD_HEADERS).map((h) => h.toLowerCase()),
    fetch: options.fetch ?? globalThis.fetch,
  };
  const ctx: ProxyContext = {
    cache: options.cache,
    upstream,
    provider: options.provider ?? "openai",
    streamUsage: options.streamUsage ?? true,
    requestOptions: {
      ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
      ...(options.namespaceHeader !== undefined ? { namespaceHeader: options.namespaceHeader } : {}),
      ...(options.callOptions ? { callOptions: options.callOptions } : {}),
    },
  };
  // Any content type is read as JSON: `curl -d` without a header should work too.
  const json = express.json({ limit: options.bodyLimit ?? "4mb", type: () => true });
  const router = express.Router();
  router.post("/chat/completions", json, chatCompletionsHandler(ctx));
  router.post("/embeddings", json, embeddingsHandler(ctx));
  if (options.passThrough !== false) {
    router.use(async (req, res) => {
      try {
        await forwardUnchanged(req, res, upstream);
      } catch (error) {
        upstreamUnreachable(res, upstream, error);
      }
    });
  }
  router.use(bodyErrorHandler, lastErrorHandler);
  return router;
}
