import type { LanguageModelV4Content, LanguageModelV4GenerateResult } from "@ai-sdk/provider";
import type { CacheResponse, ResponseToolCall } from "@recall/core";
import { type RecallMetadata, withoutRecallMetadata, withRecall } from "./provider-metadata.js";
import { fromStorable, toStorable } from "./storable.js";
import { answerFields } from "./summary.js";

/** A stored `doGenerate` result: JSON data (see `toStorable`), without transport details. */
export interface GenerateBody {
  v: 1;
  type: "generate";
  result: unknown;
  /** How long the model took, in ms: when a streamed replay of this result (paced) comes. */
  ms?: number;
}

/**
 * A fresh `doGenerate` result as a cache response. Kept: content, finish reason, usage, provider
 * metadata, warnings, structured output text, response id/timestamp/model id. Left out: request
 * and response bodies and headers (transport details, possibly large).
 */
export function toGenerateResponse(
  result: LanguageModelV4GenerateResult,
  modelId: string,
  ms?: number,
): CacheResponse<GenerateBody> {
  const kept = {
    content: result.content,
    finishReason: result.finishReason,
    usage: result.usage,
    providerMetadata: withoutRecallMetadata(result.providerMetadata),
    warnings: result.warnings,
    structuredOutputText: result.structuredOutputText,
    response: result.response
      ? { id: result.response.id, timestamp: result.response.timestamp, modelId: result.response.modelId }
      : undefined,
  };
  return {
    body: { v: 1, type: "generate", result: toStorable(kept), ...(ms !== undefined ? { ms } : {}) },
    ...answerFields({
      text: result.structuredOutputText ?? textOf(result.content),
      toolCalls: toolCallsOf(result.content),
      finishReason: result.finishReason,
      usage: result.usage,
      modelId: result.response?.modelId ?? modelId,
    }),
  };
}

export function isGenerateBody(body: unknown): body is GenerateBody {
  const b = body as Partial<GenerateBody> | null;
  return (
    typeof b === "object" && b !== null && b.v === 1 && b.type === "generate" && typeof b.result === "object"
  );
}

/** A stored result as `doGenerate` returns it: a fresh copy, dates and bytes revived, our metadata added. */
export function replayGenerate(body: GenerateBody, recall: RecallMetadata): LanguageModelV4GenerateResult {
  const result = fromStorable<LanguageModelV4GenerateResult>(body.result);
  result.warnings ??= [];
  result.content ??= [];
  result.providerMetadata = withRecall(result.providerMetadata, recall);
  return result;
}

function textOf(content: LanguageModelV4Content[]): string {
  let text = "";
  for (const part of content) if (part.type === "text") text += part.text;
  return text;
}

function toolCallsOf(content: LanguageModelV4Content[]): ResponseToolCall[] {
  const calls: ResponseToolCall[] = [];
  for (const part of content) {
    if (part.type === "tool-call")
      calls.push({ toolCallId: part.toolCallId, toolName: part.toolName, input: part.input });
  }
  return calls;
}
