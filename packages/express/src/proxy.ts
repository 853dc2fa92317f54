import { RecallCache } from "@recall/core";
import { assertOption } from "@recall/core/adapter";
import express, { type Router } from "express";
import { checkRequestCacheOptions, type RequestCacheOptions } from "./call-options.js";
import { credentialKey, requireCredential } from "./credential-scope.js";
import { bodyErrorHandler, lastErrorHandler } from "./errors.js";
import { feedbackRoute } from "./feedback.js";
import { type PassThroughOption, passThroughHandler, passThroughMatcher } from "./pass-through.js";
import { chatCompletionsHandler } from "./proxy-chat.js";
import type { ProxyContext } from "./proxy-context.js";
import { embeddingsHandler } from "./proxy-embeddings.js";
import { logProxyError, type ProxyErrorListener, secretsOf } from "./proxy-error.js";
import { DEFAULT_FORWARD_HEADERS, type UpstreamConfig } from "./upstream.js";
import { rejectUnsafePath } from "./upstream-path.js";

export interface OpenAIProxyOptions extends RequestCacheOptions {
  /** The cache answers are stored in. */
  cache: RecallCache;
  /** Base URL of the OpenAI-compatible upstream, with its version path, e.g. `https://api.openai.com/v1`. */
  upstream: string;
  /**
   * The upstream API key. With it, every caller is answered with the server's key and all callers
   * share cache entries: the proxy must then sit behind your own authentication. Without it, each
   * client's own `Authorization` header is forwarded, a request without one is refused (401), and
   * entries are scoped per credential (see `credentialSecret`). Either way the key is only sent
   * upstream, never stored.
   */
  apiKey?: string;
  /**
   * The secret of the credential scopes used when client keys are forwarded (no `apiKey`): entries
   * are keyed by HMAC-SHA256(credentialSecret, the client's `Authorization` header), never by the
   * key itself. A string of at least 16 bytes (UTF-8) or a Buffer. Default: a random secret made
   * once per process, so entries of forwarded keys do not survive a restart and are not shared
   * between instances; set it (the same on every instance) for a shared, lasting cache. Ignored
   * with `apiKey`.
   */
  credentialSecret?: string | Buffer;
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
  /**
   * Routes besides the cached ones forwarded to the upstream uncached; any other route is a 404.
   * Default `["/models", "/models/:id"]` (`GET` and `HEAD`). `false`: none. A list widens it (see
   * `PassThroughRoute`: `"POST /responses"`, `/^\/files\/[\w-]+$/`, `{ method, path }`). `true`
   * forwards every route with any method, which is unsafe with `apiKey`: anyone who reaches the
   * proxy could then delete files or start fine-tuning jobs on your account.
   */
  passThrough?: PassThroughOption;
  /**
   * Where failures answered with a generic 5xx are reported (the upstream could not be reached, an
   * unexpected error), with credentials taken out; error bodies never carry these details. Default:
   * one line on stderr.
   */
  onError?: ProxyErrorListener;
  /** The `fetch` used to call upstream. Default: the global one (undici). */
  fetch?: typeof fetch;
  /**
   * Mount `POST /recall/feedback`, where a caller reports a cached answer wrong by its
   * `X-Recall-Id` (`{ "id": "…", "wrong": true }`), for its own namespace and credential only.
   * Default true.
   */
  feedback?: boolean;
}

/**
 * An OpenAI-compatible caching proxy as an Express router. Mount it where the upstream's version
 * path would be (`app.use("/v1", openAIProxy({ cache, upstream: "https://api.openai.com/v1" }))`):
 * `POST /chat/completions` (plain and streamed) and `POST /embeddings` are cached, `POST
 * /recall/feedback` takes reports of wrong answers by their `X-Recall-Id`, the `passThrough` routes
 * (by default only reading models) are forwarded as they are, everything else is a 404.
 *
 * @example
 * app.use("/v1", openAIProxy({
 *   cache,
 *   upstream: "https://api.openai.com/v1",
 *   credentialSecret: process.env.RECALL_CREDENTIAL_SECRET, // clients send their own keys
 * }));
 */
export function openAIProxy(options: OpenAIProxyOptions): Router {
  assertOption(typeof options === "object" && options !== null, "openAIProxy needs options");
  assertOption(
    options.cache instanceof RecallCache ||
      typeof (options.cache as RecallCache | undefined)?.lookup === "function",
    "openAIProxy needs a cache (createCache())",
  );
  assertOption(
    isBaseUrl(options.upstream),
    `upstream must be the http(s) base URL of an OpenAI-compatible API, without query or fragment, got ${JSON.stringify(options.upstream)}`,
  );
  assertOption(
    options.apiKey === undefined || (typeof options.apiKey === "string" && options.apiKey.length > 0),
    "apiKey must be a non-empty string",
  );
  assertOption(
    options.fetch === undefined || typeof options.fetch === "function",
    "fetch must be a function",
  );
  assertOption(
    options.onError === undefined || typeof options.onError === "function",
    "onError must be a function",
  );
  assertOption(
    options.feedback === undefined || typeof options.feedback === "boolean",
    `feedback must be a boolean, got ${JSON.stringify(options.feedback)}`,
  );
  checkRequestCacheOptions(options);
  // Checked even with `apiKey` (where it is unused), so a bad secret never waits for a redeploy.
  const key = credentialKey(options.credentialSecret);
  const allowed = passThroughMatcher(options.passThrough);
  const onError = options.onError ?? logProxyError;
  const secrets = secretsOf(options.upstream, options.apiKey);
  const upstream: UpstreamConfig = {
    baseURL: options.upstream,
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
    forwardHeaders: (options.forwardHeaders ?? DEFAULT_FORWARD_HEADERS).map((h) => h.toLowerCase()),
    fetch: options.fetch ?? globalThis.fetch,
    onError,
    secrets,
  };
  const ctx: ProxyContext = {
    cache: options.cache,
    upstream,
    provider: options.provider ?? "openai",
    streamUsage: options.streamUsage ?? true,
    ...(options.apiKey ? {} : { credentialKey: key }),
    requestOptions: {
      ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
      ...(options.trustNamespaceHeader !== undefined
        ? { trustNamespaceHeader: options.trustNamespaceHeader }
        : {}),
      ...(options.namespaceHeader !== undefined ? { namespaceHeader: options.namespaceHeader } : {}),
      ...(options.callOptions ? { callOptions: options.callOptions } : {}),
    },
  };
  // Any content type is read as JSON: `curl -d` without a header should work too.
  const json = express.json({ limit: options.bodyLimit ?? "4mb", type: () => true });
  const router = express.Router();
  router.use(rejectUnsafePath);
  if (!options.apiKey) router.use(requireCredential);
  router.post("/chat/completions", json, chatCompletionsHandler(ctx));
  router.post("/embeddings", json, embeddingsHandler(ctx));
  if (options.feedback !== false) router.post("/recall/feedback", json, feedbackRoute(ctx));
  router.use(passThroughHandler(allowed, upstream));
  router.use(bodyErrorHandler, lastErrorHandler(onError, secrets));
  return router;
}

function isBaseUrl(value: unknown): boolean {
  if (typeof value !== "string" || !/^https?:\/\//i.test(value)) return false;
  try {
    const url = new URL(value);
    return url.search === "" && url.hash === "" && !value.includes("?") && !value.includes("#");
  } catch {
    return false;
  }
}
