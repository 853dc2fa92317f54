import type { CacheOutcome, LookupMiss } from "@recall/core";
import { settleStream } from "@recall/core/adapter";
import type { Request, Response } from "express";
import { setRecallHeaders } from "./headers.js";
import { describeChatCompletion } from "./openai-response.js";
import { isObject } from "./openai-validate.js";
import { isUpstreamFailure, reportUnreachable, rescued, upstreamUnreachable } from "./proxy-json.js";
import { ChunkAccumulator, isUsageChunk, type SseEvent, SseParser } from "./sse.js";
import { copyStatusAndHeaders, postJson, type UpstreamConfig } from "./upstream.js";

export interface StreamMissOptions {
  /** The client asked for the usage chunk itself. */
  includeUsage: boolean;
  /**
   * Ask the upstream for usage even when the client did not (so hits can count tokens saved), and
   * drop that chunk before it reaches the client.
   */
  forceUsage: boolean;
  /** Sends the stale entry grace allows when the upstream fails before streaming (see `forwardJson`). */
  sendStale: (outcome: CacheOutcome<string>) => void;
}

/**
 * A streamed miss: forwards the upstream's server-sent events to the client as they arrive, while
 * adding the chunks up to a `chat.completion`. Core's `settleStream` settles the ticket: only a
 * stream that ends cleanly with `data: [DONE]` is committed; a cut, an error event or a client that
 * goes away (the abort signal) abandons it, so waiting callers go upstream themselves.
 */
export async function streamMiss(
  req: Request,
  res: Response,
  config: UpstreamConfig,
  body: Record<string, unknown>,
  ticket: LookupMiss<string>,
  options: StreamMissOptions,
): Promise<void> {
  const dropUsage = options.forceUsage && !options.includeUsage;
  const sent = dropUsage
    ? {
        ...body,
        stream_options: {
          ...(isObject(body.stream_options) ? body.stream_options : {}),
          include_usage: true,
        },
      }
    : body;
  const controller = new AbortController();
  let finished = false;
  res.on("close", () => {
    if (!finished) controller.abort();
  });
  const settler = settleStream(ticket, controller.signal);

  let upstream: globalThis.Response;
  try {
    upstream = await postJson(req, config, "/chat/completions", sent, controller.signal);
  } catch (error) {
    const stale = res.destroyed ? undefined : rescued(ticket, "unreachable");
    settler.abandon();
    if (!stale) return upstreamUnreachable(req, res, config, error);
    reportUnreachable(req, config, error);
    options.sendStale(stale);
    return;
  }
  if (!upstream.ok && isUpstreamFailure(upstream.status)) {
    // Within grace, a failure before the stream started is answered by the stale entry, replayed.
    const stale = rescued(ticket, upstream);
    if (stale) {
      settler.abandon();
      await upstream.body?.cancel().catch(() => {});
      return options.sendStale(stale);
    }
  }
  const isStream = (upstream.headers.get("content-type") ?? "").includes("text/event-stream");
  if (!upstream.ok || !isStream || !upstream.body) {
    // An error (or an upstream that answered without streaming) passes through unchanged.
    settler.abandon();
    let text = "";
    try {
      text = await upstream.text();
    } catch {}
    copyStatusAndHeaders(upstream, res);
    setRecallHeaders(res, ticket);
    res.end(text);
    return;
  }

  copyStatusAndHeaders(upstream, res);
  setRecallHeaders(res, ticket);
  res.flushHeaders();
  const parser = new SseParser();
  const chunks = new ChunkAccumulator();
  const decoder = new TextDecoder();
  let done = false;
  let clean = true;
  const forward = (events: SseEvent[]): string => {
    let out = "";
    for (const event of events) {
      if (event.data === undefined) {
        out += `${event.raw}\n\n`;
        continue;
      }
      if (event.data.trim() === "[DONE]") {
        done = true;
        out += `${event.raw}\n\n`;
        continue;
      }
      try {
        const chunk = JSON.parse(event.data) as unknown;
        if (!isObject(chunk) || chunk.error !== undefined) clean = false;
        else {
          chunks.add(chunk);
          if (dropUsage && isUsageChunk(chunk)) continue;
        }
      } catch {
        clean = false;
      }
      out += `${event.raw}\n\n`;
    }
    return out;
  };
  try {
    for await (const bytes of upstream.body as unknown as AsyncIterable<Uint8Array>) {
      const out = forward(parser.feed(decoder.decode(bytes, { stream: true })));
      if (out && !res.write(out)) {
        await new Promise<void>((resolve) => res.once("drain", resolve).once("close", resolve));
      }
      if (res.destroyed) throw new Error("the client went away");
    }
    const rest = parser.flush();
    if (rest) res.write(forward([rest]));
  } catch {
    finished = true;
    settler.abandon();
    // Mirror the upstream: a stream cut there is cut here too.
    res.destroy();
    return;
  }
  finished = true;
  res.end();
  if (!done || !clean) return settler.abandon();
  await settler.end(() => {
    const completion = chunks.completion();
    return { body: JSON.stringify(completion), ...describeChatCompletion(completion) };
  });
}
