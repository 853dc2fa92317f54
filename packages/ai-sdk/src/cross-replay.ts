import type { LanguageModelV4GenerateResult, LanguageModelV4StreamPart } from "@ai-sdk/provider";
import { type GenerateBody, isGenerateBody } from "./generate.js";
import { isStreamBody } from "./replay.js";
import type { StreamBody } from "./stream.js";

/*
 * A streamed and a plain call of the same request share one entry (docs/keys-and-partitions.md,
 * "Streamed and plain calls"): whichever came first recorded it, and each is replayed in the shape
 * its caller asks for. Both bodies are converted as stored (JSON data, see `toStorable`): dates,
 * bytes and URLs stay tagged until the replay revives them.
 */

type Part = LanguageModelV4StreamPart;
type StoredResult = Pick<
  LanguageModelV4GenerateResult,
  "content" | "finishReason" | "usage" | "providerMetadata" | "warnings" | "response"
>;

/** The entry as a generate result: itself, or assembled from a recorded stream; undefined when neither. */
export function asGenerateBody(body: unknown): GenerateBody | undefined {
  if (isGenerateBody(body)) return body;
  return isStreamBody(body) ? resultOfStream(body) : undefined;
}

/** The entry as a recorded stream: itself, or the parts a provider streams for a generate result. */
export function asStreamBody(body: unknown): StreamBody | undefined {
  if (isStreamBody(body)) return body;
  return isGenerateBody(body) ? streamOfResult(body) : undefined;
}

/**
 * The parts a provider sends for a generate result, in the order of the AI SDK's
 * `simulateStreamingMiddleware`: `stream-start`, `response-metadata`, each text and reasoning part
 * as start/delta/end, each tool call as its input (start/delta/end) then the call, any other
 * content as it is, and `finish` with the usage. A generate result has no timing but its duration:
 * every part comes when the result came (so `pace` only delays the whole stream).
 */
function streamOfResult(body: GenerateBody): StreamBody {
  const result = body.result as StoredResult;
  const parts: Part[] = [{ type: "stream-start", warnings: result.warnings ?? [] }];
  if (result.response) parts.push({ type: "response-metadata", ...result.response });
  let next = 0;
  for (const part of result.content ?? []) {
    const meta = part.providerMetadata ? { providerMetadata: part.providerMetadata } : {};
    switch (part.type) {
      case "text": {
        if (part.text.length === 0 && !part.citations?.length) break;
        const id = String(next++);
        parts.push(
          { type: "text-start", id, ...meta },
          { type: "text-delta", id, delta: part.text },
          { type: "text-end", id, ...(part.citations ? { citations: part.citations } : {}) },
        );
        break;
      }
      case "reasoning": {
        const id = String(next++);
        parts.push(
          { type: "reasoning-start", id, ...meta },
          { type: "reasoning-delta", id, delta: part.text },
          { type: "reasoning-end", id },
        );
        break;
      }
      case "tool-call": {
        const id = part.toolCallId;
        parts.push(
          {
            type: "tool-input-start",
            id,
            toolName: part.toolName,
            ...(part.providerExecuted !== undefined ? { providerExecuted: part.providerExecuted } : {}),
            ...(part.dynamic !== undefined ? { dynamic: part.dynamic } : {}),
          },
          { type: "tool-input-delta", id, delta: part.input },
          { type: "tool-input-end", id },
          part,
        );
        break;
      }
      default:
        parts.push(part);
    }
  }
  parts.push({
    type: "finish",
    finishReason: result.finishReason,
    usage: result.usage,
    ...(result.providerMetadata ? { providerMetadata: result.providerMetadata } : {}),
  });
  const at = body.ms ?? 0;
  return { v: 1, type: "stream", parts, times: parts.map(() => at) };
}

type Block = { type: "text" | "reasoning"; text: string; providerMetadata?: unknown; citations?: unknown };

/**
 * The generate result of a recorded stream: its content in order (text and reasoning joined per
 * part, tool calls, files, sources and any other content part as they came), the warnings of
 * `stream-start`, the response metadata, and the finish reason, usage and provider metadata of
 * `finish`. Undefined for a recording without a `finish` (never stored by this adapter).
 */
function resultOfStream(body: StreamBody): GenerateBody | undefined {
  const content: unknown[] = [];
  const open = new Map<string, Block>();
  let warnings: StoredResult["warnings"] = [];
  let response: StoredResult["response"];
  let finish: Extract<Part, { type: "finish" }> | undefined;

  for (const part of body.parts as Part[]) {
    const [, type, phase] = /^(text|reasoning)-(start|delta|end)$/.exec(part.type) ?? [];
    if (type) {
      // A text or reasoning part: opened by its start (or its first delta, if the stream skipped the start).
      const span = part as { id: string; delta?: string; providerMetadata?: unknown; citations?: unknown };
      const id = `${type}:${span.id}`;
      if (phase === "start") open.delete(id);
      let block = open.get(id);
      if (!block) {
        block = { type: type as Block["type"], text: "" };
        open.set(id, block);
        content.push(block);
      }
      if (span.delta) block.text += span.delta;
      if (span.providerMetadata) block.providerMetadata = span.providerMetadata;
      if (span.citations) block.citations = span.citations;
      if (phase === "end") open.delete(id);
      continue;
    }
    switch (part.type) {
      case "stream-start":
        warnings = part.warnings;
        break;
      case "response-metadata": {
        const { type: _type, ...meta } = part;
        response = { ...response, ...meta };
        break;
      }
      case "finish":
        finish = part;
        break;
      case "tool-input-start":
      case "tool-input-delta":
      case "tool-input-end":
      case "raw":
      case "ping":
      case "error":
        // The input is repeated whole by its tool-call part; the rest is transport, not content.
        break;
      default:
        content.push(part);
    }
  }
  if (!finish) return undefined;
  const result = {
    content,
    finishReason: finish.finishReason,
    usage: finish.usage,
    warnings,
    ...(finish.providerMetadata ? { providerMetadata: finish.providerMetadata } : {}),
    ...(response ? { response } : {}),
  };
  return { v: 1, type: "generate", result };
}
