import type {
  LanguageModelV4FinishReason,
  LanguageModelV4StreamPart,
  LanguageModelV4Usage,
} from "@ai-sdk/provider";
import type { LookupMiss, ResponseToolCall } from "@recall/core";
import { settleStream } from "@recall/core/adapter";
import type { GenerateBody } from "./generate.js";
import { withoutRecallMetadata, withRecall } from "./provider-metadata.js";
import { toStorable } from "./storable.js";
import { answerFields } from "./summary.js";

/** A recorded stream: its parts (JSON data, see `toStorable`) and when each came, in ms from the call. */
export interface StreamBody {
  v: 1;
  type: "stream";
  parts: unknown[];
  times: number[];
}

/**
 * The engine's half of a miss: store the recording, or give up so waiting callers go on their own.
 * (An entry holds a recording or a generate result: streamed and plain calls share it.)
 */
export type StreamTicket = LookupMiss<GenerateBody | StreamBody>;

export interface RecordOptions {
  ticket: StreamTicket;
  /** `performance.now()` when the model was called; part times are relative to it. */
  start: number;
  /** The caller's abort signal: a stream it aborted is never stored. */
  signal?: AbortSignal;
  /** The requested model id (for pricing when the stream names none). */
  modelId: string;
}

type FinishPart = Extract<LanguageModelV4StreamPart, { type: "finish" }>;

/**
 * Passes the model's stream through to the caller part by part while recording it. When it ends
 * cleanly (a `finish` part, no `error` part, not aborted) the recording is committed to the cache,
 * and only then is the `finish` part (with `providerMetadata.recall`) handed on, so the caller learns
 * whether it was stored. An error, a cancel or an abort abandons the ticket instead: nothing is stored.
 */
export function recordStream(
  upstream: ReadableStream<LanguageModelV4StreamPart>,
  options: RecordOptions,
): ReadableStream<LanguageModelV4StreamPart> {
  const { start } = options;
  const settler = settleStream(options.ticket, options.signal);
  const reader = upstream.getReader();
  const parts: unknown[] = [];
  const times: number[] = [];
  const toolCalls: ResponseToolCall[] = [];
  let text = "";
  let modelId: string | undefined;
  let finish: FinishPart | undefined;

  const record = (part: LanguageModelV4StreamPart) => {
    times.push(Math.round((performance.now() - start) * 10) / 10);
    parts.push(
      toStorable(
        part.type === "finish"
          ? { ...part, providerMetadata: withoutRecallMetadata(part.providerMetadata) }
          : part,
      ),
    );
  };

  /** The held `finish` part, carrying what became of the recording (none: the stream never finished). */
  const end = async (): Promise<FinishPart | undefined> => {
    if (!finish) {
      settler.abandon();
      return undefined;
    }
    const { finishReason, usage, providerMetadata } = finish;
    const recall = await settler.end(() => ({
      body: { v: 1, type: "stream", parts, times },
      ...answerFields({
        text,
        toolCalls,
        finishReason: finishReason as LanguageModelV4FinishReason,
        usage: usage as LanguageModelV4Usage,
        modelId: modelId ?? options.modelId,
      }),
    }));
    return { ...finish, providerMetadata: withRecall(providerMetadata, recall) };
  };

  return new ReadableStream<LanguageModelV4StreamPart>({
    async pull(controller) {
      // Read until one part is handed on (a held `finish` or a `raw` part alone hands on nothing).
      for (;;) {
        let next: ReadableStreamReadResult<LanguageModelV4StreamPart>;
        try {
          next = await reader.read();
        } catch (error) {
          settler.abandon();
          controller.error(error);
          return;
        }
        if (next.done) {
          const last = await end();
          if (last) controller.enqueue(last);
          controller.close();
          return;
        }
        const part = next.value;
        switch (part.type) {
          case "raw":
            // Raw provider chunks are handed on but not recorded: a replay has none.
            controller.enqueue(part);
            return;
          case "finish":
            finish = part;
            record(part);
            continue;
          case "error":
            // A stream that reported an error is never stored; callers waiting on it go on now.
            settler.abandon();
            break;
          case "text-delta":
            text += part.delta;
            break;
          case "tool-call":
            toolCalls.push({ toolCallId: part.toolCallId, toolName: part.toolName, input: part.input });
            break;
          case "response-metadata":
            if (part.modelId) modelId = part.modelId;
            break;
        }
        record(part);
        controller.enqueue(part);
        return;
      }
    },
    async cancel(reason) {
      settler.abandon();
      await reader.cancel(reason);
    },
  });
}
