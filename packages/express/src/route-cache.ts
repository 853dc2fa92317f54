import type { CacheRequest, LookupMiss, RecallCache } from "@recall/core";
import { assertOption, settleStream } from "@recall/core/adapter";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { checkRequestCacheOptions, type RequestCacheOptions, requestCallOptions } from "./call-options.js";
import { ApiError, sendApiError } from "./errors.js";
import { setRecallHeaders } from "./headers.js";
import { openAIChatRequest } from "./openai-request.js";
import { type AnswerDescription, describeChatCompletion, isChatCompletion } from "./openai-response.js";

/** What `routeCache` stores: the route's status and its JSON exactly as it was sent. */
export interface StoredRouteAnswer {
  status: number;
  json: string;
}

export interface RouteCacheOptions extends RequestCacheOptions {
  cache: RecallCache;
  /**
   * Turns a request into the cache request its answer depends on, or `undefined` to leave this one
   * uncached: a chat (`messages`), or any other call as `{ kind, model, input }`, keyed on `input`
   * exactly. Default: an OpenAI-style chat completions body (`req.body`, so mount `express.json()`
   * first); streamed and `n > 1` requests are left alone.
   */
  toRequest?: (req: Request) => CacheRequest | undefined | Promise<CacheRequest | undefined>;
  /**
   * Describes the route's JSON answer to the engine, which validates it before storing (an empty
   * text, finish reason `length`, … are refused). Default: a `chat.completion` is described by its
   * first choice; any other JSON by its text.
   */
  describe?(body: unknown, req: Request): AnswerDescription;
  /** Provider name for the default `toRequest`. Default `openai`. */
  provider?: string;
}

/**
 * Express middleware that caches a route answering an LLM-backed request with JSON. A hit is
 * answered by the middleware itself (the route does not run); on a miss the route runs, and its JSON
 * answer is stored when the status is 2xx and the engine's validation accepts it. Concurrent
 * identical requests run the route once. Adds `X-Recall-Cache` (on hits `X-Recall-Id`, for
 * `feedbackHandler`; on semantic hits `X-Recall-Similarity` and `X-Recall-Decided-By`; with answer
 * variants `X-Recall-Variant`) to the response and honours the request's `Cache-Control`,
 * `X-Recall-Verify` and `X-Recall-Variants`.
 *
 * @example
 * app.post(
 *   "/summarize",
 *   express.json(),
 *   routeCache({
 *     cache,
 *     toRequest: (req) => ({
 *       model: { provider: "openai", id: "gpt-4.1-mini" },
 *       messages: [{ role: "user", content: `Summarize: ${req.body.text}` }],
 *     }),
 *     describe: (body: { summary: string }) => ({ text: body.summary, finishReason: "stop" }),
 *   }),
 *   async (req, res) => res.json({ summary: await mySummarizer(req.body.text) }),
 * );
 */
export function routeCache(options: RouteCacheOptions): RequestHandler {
  assertOption(typeof options === "object" && options !== null, "routeCache needs options");
  assertOption(typeof options.cache?.lookup === "function", "routeCache needs a cache (createCache())");
  assertOption(
    options.toRequest === undefined || typeof options.toRequest === "function",
    "toRequest must be a function",
  );
  assertOption(
    options.describe === undefined || typeof options.describe === "function",
    "describe must be a function",
  );
  checkRequestCacheOptions(options);
  const provider = options.provider ?? "openai";
  const toRequest = options.toRequest ?? ((req: Request) => openAIChatRequest(req.body, provider));
  const describe = options.describe ?? describeJson;

  return async (req: Request, res: Response, next: NextFunction) => {
    let request: CacheRequest | undefined;
    try {
      request = await toRequest(req);
    } catch {
      request = undefined;
    }
    if (!request) {
      setRecallHeaders(res, { status: "bypass" });
      return next();
    }
    let callOptions: Awaited<ReturnType<typeof requestCallOptions>>;
    try {
      callOptions = await requestCallOptions(req, options);
    } catch (error) {
      if (error instanceof ApiError) return sendApiError(res, error);
      throw error;
    }
    // The route answers misses; this middleware cannot run it again in the background, so an entry
    // past its TTL is a miss here (no stale-while-revalidate), replaced by the route's answer.
    const lookup = await options.cache.lookup<StoredRouteAnswer>(request, {
      ...callOptions,
      staleWhileRevalidate: 0,
    });
    if (lookup.hit) {
      const stored = lookup.outcome.response.body;
      setRecallHeaders(res, lookup.outcome);
      res.statusCode = stored.status;
      res.setHeader("Content-Type", "application/json; charset=utf-8");
      res.end(stored.json);
      return;
    }
    setRecallHeaders(res, lookup);
    captureAnswer(req, res, lookup, describe);
    next();
  };
}

/**
 * Watches what the route sends, as core's `settleStream` watches a stream: the first JSON body with
 * a 2xx status is committed to the ticket; anything else (an error status, another content type, a
 * route that never answers) abandons it, so waiting identical requests run the route themselves.
 */
function captureAnswer(
  req: Request,
  res: Response,
  ticket: LookupMiss<StoredRouteAnswer>,
  describe: (body: unknown, req: Request) => AnswerDescription,
): void {
  const settler = settleStream(ticket);
  const send = res.send;
  res.send = function (this: Response, body?: unknown) {
    // res.json(obj) and res.send(obj) both end up here with the serialized string.
    if (typeof body === "string" || Buffer.isBuffer(body)) {
      const status = this.statusCode;
      const type = String(this.getHeader("content-type") ?? "");
      if (status >= 200 && status < 300 && /[/+]json\b/i.test(type)) {
        const json = typeof body === "string" ? body : body.toString("utf8");
        // A body that does not parse, or a `describe` that throws, is reported and not stored.
        void settler.end(() => ({ ...describe(JSON.parse(json), req), body: { status, json } }));
      } else settler.abandon();
    }
    return send.call(this, body);
  } as Response["send"];
  res.once("finish", settler.abandon);
  res.once("close", settler.abandon);
}

/** The default description: a chat completion by its first choice, other JSON by its text. */
function describeJson(body: unknown): AnswerDescription {
  if (isChatCompletion(body)) return describeChatCompletion(body);
  return { text: typeof body === "string" ? body : JSON.stringify(body), finishReason: "stop" };
}
