import type { LanguageModelV4FinishReason, LanguageModelV4Usage } from "@ai-sdk/provider";
import type { CacheResponse, FinishReason, ResponseToolCall } from "@recall/core";

/** What the engine reads of an answer to validate it and count savings (the body is the adapter's). */
export type AnswerFields = Omit<CacheResponse, "body">;

export interface AnswerInput {
  text: string;
  toolCalls: ResponseToolCall[];
  finishReason: LanguageModelV4FinishReason | undefined;
  usage: LanguageModelV4Usage | undefined;
  modelId: string | undefined;
}

/** An AI SDK answer's text, tool calls, finish reason, usage and model, in core's terms. */
export function answerFields(input: AnswerInput): AnswerFields {
  return {
    text: input.text,
    finishReason: finishReasonOf(input.finishReason),
    toolCalls: input.toolCalls,
    usage: { inputTokens: input.usage?.inputTokens.total, outputTokens: input.usage?.outputTokens.total },
    modelId: input.modelId,
  };
}

/** `interrupted` (the provider's stream ended without its end signal) is as unfit to store as an error. */
function finishReasonOf(reason: LanguageModelV4FinishReason | undefined): FinishReason {
  const unified = reason?.unified;
  if (unified === undefined) return "unknown";
  return unified === "interrupted" ? "error" : unified;
}
