import type { BaseLanguageModel } from "@langchain/core/language_models/base";
import type { BaseMessage } from "@langchain/core/messages";
import type { CacheRequest } from "@recall/core";
import { containsSecret } from "@recall/core/adapter";
import { parseLlmKey } from "./llm-key.js";
import { toConversation } from "./messages.js";
import { modelCall } from "./model-params.js";
import { hasMediaPlaceholder, promptToMessages } from "./prompt.js";

/**
 * A call in Recall's terms (its credentials in `request.secrets`, so the engine stores no answer
 * that carries one), or why it is passed through uncached.
 */
export type BuiltRequest =
  | { cacheable: true; request: CacheRequest }
  | { cacheable: false; reason: string; error?: unknown };

/** From what a `BaseCache` sees: the prompt string and the llmKey. */
export function requestFromPrompt(prompt: string, llmKey: string): BuiltRequest {
  let call: ReturnType<typeof modelCall>;
  try {
    call = modelCall(parseLlmKey(llmKey));
  } catch (error) {
    return { cacheable: false, reason: "the llmKey could not be read", error };
  }
  if (call.kind === "chat" && hasMediaPlaceholder(prompt)) {
    return {
      cacheable: false,
      reason: "the prompt holds images, audio or files LangChain shows only as placeholders",
    };
  }
  if (containsSecret(prompt, call.secrets))
    return { cacheable: false, reason: "the prompt contains a credential" };
  const request: CacheRequest = {
    model: call.model,
    kind: call.kind,
    messages: promptToMessages(prompt, call.kind),
    params: call.params,
    secrets: call.secrets,
  };
  return { cacheable: true, request };
}

/**
 * From what a chat model's `_generate` sees: the messages, and the model's own cache parameters for
 * the call (the llmKey LangChain would build), read the same way as `requestFromPrompt`.
 */
export function requestFromMessages(
  model: BaseLanguageModel,
  messages: BaseMessage[],
  callOptions: Record<string, unknown>,
): BuiltRequest {
  let call: ReturnType<typeof modelCall>;
  try {
    const llmKey = model._getSerializedCacheKeyParametersForCall(callOptions as never);
    call = modelCall(parseLlmKey(llmKey));
  } catch (error) {
    return { cacheable: false, reason: "the model's parameters could not be read", error };
  }
  // Content parts are read as JSON, where a secret with quotes or backslashes appears escaped.
  const escaped = [...call.secrets].map((secret) => JSON.stringify(secret).slice(1, -1));
  if (escaped.length > 0 && messages.some((m) => containsSecret(JSON.stringify(m.content), escaped))) {
    return { cacheable: false, reason: "a message contains a credential" };
  }
  const conversation = toConversation(messages);
  const request: CacheRequest = {
    model: call.model,
    kind: call.kind,
    messages: conversation.messages,
    params: call.params,
    secrets: call.secrets,
  };
  if (conversation.context) request.context = conversation.context;
  return { cacheable: true, request };
}
