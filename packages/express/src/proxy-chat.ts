import type { CacheOutcome, Lookup } from "@recall/core";
import { passThrough } from "@recall/core/adapter";
import type { RequestHandler, Response } from "express";
import { requestCallOptions } from "./call-options.js";
import { proxiedOutcome, proxiedRequest } from "./credential-scope.js";
import { setRecallHeaders } from "./headers.js";
import { chatCallFromBody } from "./openai-request.js";
import { describeChatCompletion } from "./openai-response.js";
import type { ProxyContext } from "./proxy-context.js";
import { forwardJson, refreshJson, sendJsonHit } from "./proxy-json.js";
import { streamMiss } from "./proxy-stream.js";
import { replayChatStream } from "./sse.js";

/** `POST /chat/completions`: answered from cache (JSON or replayed SSE), or forwarded and stored. */
export function chatCompletionsHandler(ctx: ProxyContext): RequestHandler {
  return async (req, res) => {
    const call = chatCallFromBody(req.body, ctx.provider);
    const body = req.body as Record<string, unknown>;
    let lookup: Lookup<string> = passThrough(undefined, call.uncacheable);
    if (!call.uncacheable) {
      const pending = requestCallOptions(req, ctx.requestOptions);
      const options = pending instanceof Promise ? await pending : pending;
      lookup = await ctx.cache.lookup(proxiedRequest(req, call.request, ctx), options);
    }
    const send = (found: CacheOutcome<string>) => {
      const outcome = proxiedOutcome(req, found, ctx);
      if (call.stream) sendStreamHit(res, outcome, call.includeUsage);
      else sendJsonHit(res, outcome);
    };
    const describe = (parsed: unknown) => describeChatCompletion(parsed as Record<string, unknown>);
    if (lookup.hit) {
      // A stale answer (stale-while-revalidate): one background refresh, asked without streaming
      // (a stream's entry is the completion its chunks add up to, so one answer serves both).
      void lookup.outcome.refresh?.(() =>
        refreshJson(req, ctx.upstream, "/chat/completions", plainBody(body), describe),
      );
      send(lookup.outcome);
      return;
    }
    if (call.stream) {
      await streamMiss(req, res, ctx.upstream, body, lookup, {
        includeUsage: call.includeUsage,
        forceUsage: ctx.streamUsage && !call.uncacheable,
        sendStale: send,
      });
      return;
    }
    await forwardJson(req, res, ctx.upstream, "/chat/completions", body, lookup, describe, send);
  };
}

/** The request without streaming: what a background refresh asks the upstream. */
function plainBody(body: Record<string, unknown>): Record<string, unknown> {
  const { stream: _stream, stream_options: _options, ...plain } = body;
  return plain;
}

/** Replays a stored completion as the chunk stream the client asked for. */
function sendStreamHit(res: Response, outcome: CacheOutcome<string>, includeUsage: boolean): void {
  const completion = JSON.parse(outcome.response.body) as Record<string, unknown>;
  setRecallHeaders(res, outcome);
  res.statusCode = 200;
  res.setHeader("Content-Type", "text/event-stream; charset=utf-8");
  res.setHeader("Cache-Control", "no-cache");
  res.end(replayChatStream(completion, includeUsage));
}
