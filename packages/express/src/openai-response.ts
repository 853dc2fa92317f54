import type { CacheResponse, FinishReason, ResponseToolCall } from "@recall/core";
import { isObject } from "./openai-validate.js";

type Json = Record<string, unknown>;

/** What the engine needs to know about an answer (for validation and savings), without its body. */
export type AnswerDescription = Omit<CacheResponse, "body">;

const FINISH: Record<string, FinishReason> = {
  stop: "stop",
  length: "length",
  content_filter: "content-filter",
  tool_calls: "tool-calls",
  function_call: "tool-calls",
};

/** True for a `chat.completion` object (what `routeCache` uses to pick the default description). */
export function isChatCompletion(value: unknown): value is Json {
  return (
    isObject(value) &&
    Array.isArray(value.choices) &&
    (value.object === "chat.completion" || value.object === undefined)
  );
}

/**
 * Describes a `chat.completion` for the engine: the first choice's text, finish reason and tool
 * calls, the usage, and the model that answered. A completion without choices describes as an
 * error, which the engine's validation refuses to store.
 */
export function describeChatCompletion(completion: Json): AnswerDescription {
  const choice = Array.isArray(completion.choices) ? (completion.choices[0] as Json | undefined) : undefined;
  if (!isObject(choice)) return { text: "", finishReason: "error" };
  const message = isObject(choice.message) ? choice.message : {};
  const toolCalls: ResponseToolCall[] = [];
  for (const call of Array.isArray(message.tool_calls) ? (message.tool_calls as Json[]) : []) {
    const fn = isObject(call.function) ? call.function : isObject(call.custom) ? call.custom : {};
    toolCalls.push({
      toolCallId: String(call.id ?? ""),
      toolName: String(fn.name ?? ""),
      input: fn.arguments ?? fn.input,
    });
  }
  if (isObject(message.function_call)) {
    const fn = message.function_call;
    toolCalls.push({ toolCallId: "function_call", toolName: String(fn.name ?? ""), input: fn.arguments });
  }
  const reason = typeof choice.finish_reason === "string" ? choice.finish_reason : undefined;
  const usage = isObject(completion.usage) ? completion.usage : undefined;
  // A refusal is an answer too, but not one worth replaying to the next user.
  const text = typeof message.content === "string" ? message.content : "";
  return {
    text,
    finishReason: reason === undefined ? "unknown" : (FINISH[reason] ?? "other"),
    ...(typeof message.refusal === "string" && message.refusal
      ? { finishReason: "content-filter" as const }
      : {}),
    ...(toolCalls.length > 0 ? { toolCalls } : {}),
    ...(usage ? { usage: usageOf(usage) } : {}),
    ...(typeof completion.model === "string" ? { modelId: completion.model } : {}),
  };
}

/**
 * Describes an embeddings response: stored only when it holds one vector per input (an embeddings
 * call has no text; the engine never matches it by meaning).
 */
export function describeEmbeddings(response: unknown, inputs: number): AnswerDescription {
  if (!isObject(response) || !Array.isArray(response.data)) {
    return { doNotStore: "the upstream's answer is not an embeddings list" };
  }
  const complete =
    response.data.length === inputs &&
    response.data.every(
      (d) => isObject(d) && (Array.isArray(d.embedding) || typeof d.embedding === "string"),
    );
  if (!complete) {
    return { doNotStore: `the upstream sent an incomplete embeddings list (${inputs} inputs)` };
  }
  const usage = isObject(response.usage) ? response.usage : undefined;
  return {
    finishReason: "stop",
    ...(usage ? { usage: { inputTokens: num(usage.prompt_tokens) ?? 0, outputTokens: 0 } } : {}),
    ...(typeof response.model === "string" ? { modelId: response.model } : {}),
  };
}

function usageOf(usage: Json): { inputTokens?: number; outputTokens?: number } {
  return {
    ...(num(usage.prompt_tokens) !== undefined ? { inputTokens: num(usage.prompt_tokens) } : {}),
    ...(num(usage.completion_tokens) !== undefined ? { outputTokens: num(usage.completion_tokens) } : {}),
  };
}

function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}
