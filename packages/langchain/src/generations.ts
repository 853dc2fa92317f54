import {
  type BaseMessage,
  mapStoredMessageToChatMessage,
  type StoredMessage,
} from "@langchain/core/messages";
import type { Generation } from "@langchain/core/outputs";
import type { CacheResponse, FinishReason, ResponseToolCall } from "@recall/core";

/** What Recall stores for a LangChain answer: plain JSON, so any Keyv store can hold it. */
export interface StoredGenerations {
  format: "langchain-generations";
  generations: StoredGeneration[];
  /** The provider's `llmOutput` (token usage and the like), when the answer came through `withRecall`. */
  llmOutput?: Record<string, unknown>;
  /** The text of each streamed chunk, so a replay streams in the same pieces. */
  pieces?: string[];
}

interface StoredGeneration {
  text: string;
  message?: StoredMessage;
  generationInfo?: Record<string, unknown>;
}

/**
 * Generations to JSON, whole: content, tool calls, additional kwargs, response metadata and usage
 * metadata. The message id is left out (a replayed answer is a new message; reusing the id would
 * make LangGraph's message reducer replace the earlier one), and so is Recall's own status.
 */
export function storeGenerations(
  generations: ReadonlyArray<Generation & { message?: BaseMessage }>,
  extra: Omit<StoredGenerations, "format" | "generations"> = {},
): StoredGenerations {
  return {
    format: "langchain-generations",
    generations: generations.map((g) => {
      const stored: StoredGeneration = { text: g.text };
      const message = g.message;
      if (message) stored.message = storeMessage(message);
      if (g.generationInfo && Object.keys(g.generationInfo).length > 0)
        stored.generationInfo = plain(g.generationInfo);
      return stored;
    }),
    ...extra,
  };
}

function storeMessage(message: BaseMessage): StoredMessage {
  const { type, data } = message.toDict();
  const { id: _id, tool_call_chunks: _chunks, ...rest } = data as unknown as Record<string, unknown>;
  const metadata = rest.response_metadata as Record<string, unknown> | undefined;
  if (metadata && "recall" in metadata) {
    const { recall: _recall, ...others } = metadata;
    rest.response_metadata = others;
  }
  // A chunk stores as the message it adds up to.
  return plain({ type: type === "AIMessageChunk" ? "ai" : type, data: rest }) as unknown as StoredMessage;
}

/** JSON round trip: what a store would give back (and no class instances or functions kept by mistake). */
function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

export function isStoredGenerations(body: unknown): body is StoredGenerations {
  return (
    typeof body === "object" &&
    body !== null &&
    (body as StoredGenerations).format === "langchain-generations" &&
    Array.isArray((body as StoredGenerations).generations)
  );
}

/** Fresh generation objects from a stored body (every hit gets its own, callers may mutate them). */
export function reviveGenerations(body: StoredGenerations): Array<Generation & { message?: BaseMessage }> {
  return body.generations.map((g) => {
    const generation: Generation & { message?: BaseMessage } = { text: g.text };
    if (g.message) generation.message = mapStoredMessageToChatMessage(structuredClone(g.message));
    if (g.generationInfo) generation.generationInfo = structuredClone(g.generationInfo);
    return generation;
  });
}

/** Describes generations for the core: text to validate, finish reason, tool calls, usage, model. */
export function describeGenerations(body: StoredGenerations): CacheResponse<StoredGenerations> {
  const first = body.generations[0];
  const data = (first?.message?.data ?? {}) as Record<string, any>;
  const metadata = (data.response_metadata ?? {}) as Record<string, unknown>;
  const response: CacheResponse<StoredGenerations> = { body, text: first?.text || textOf(data.content) };
  const finish = finishReason(
    first?.generationInfo?.finish_reason ??
      metadata.finish_reason ??
      metadata.stop_reason ??
      metadata.finishReason,
  );
  if (finish) response.finishReason = finish;
  const toolCalls: ResponseToolCall[] = [
    ...((data.tool_calls ?? []) as Array<{ id?: string; name: string; args: unknown }>).map((c) => ({
      toolCallId: c.id ?? "",
      toolName: c.name,
      input: c.args,
    })),
    // LangChain files calls whose arguments did not parse here; the core refuses to store those.
    ...((data.invalid_tool_calls ?? []) as Array<{ id?: string; name?: string; args?: string }>).map((c) => ({
      toolCallId: c.id ?? "",
      toolName: c.name ?? "",
      input: typeof c.args === "string" ? c.args : "",
    })),
  ];
  if (toolCalls.length > 0) response.toolCalls = toolCalls;
  const usage = data.usage_metadata as { input_tokens?: number; output_tokens?: number } | undefined;
  const tokenUsage = (body.llmOutput?.tokenUsage ?? metadata.tokenUsage) as
    | { promptTokens?: number; completionTokens?: number }
    | undefined;
  const inputTokens = usage?.input_tokens ?? tokenUsage?.promptTokens;
  const outputTokens = usage?.output_tokens ?? tokenUsage?.completionTokens;
  if (inputTokens !== undefined || outputTokens !== undefined) response.usage = { inputTokens, outputTokens };
  const modelId = metadata.model_name ?? metadata.model ?? metadata.modelId;
  if (typeof modelId === "string" && modelId) response.modelId = modelId;
  return response;
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((b) => (typeof b === "string" ? b : b?.type === "text" && typeof b.text === "string" ? b.text : ""))
    .join("");
}

/** Provider finish reasons (OpenAI, Anthropic, Google, Bedrock, Ollama…) in Recall's terms. */
function finishReason(value: unknown): FinishReason | undefined {
  if (typeof value !== "string" || !value) return undefined;
  switch (value.toLowerCase()) {
    case "stop":
    case "end_turn":
    case "stop_sequence":
    case "end":
    case "complete":
    case "eos":
      return "stop";
    case "length":
    case "max_tokens":
    case "max_output_tokens":
    case "model_length":
      return "length";
    case "tool_calls":
    case "function_call":
    case "tool_use":
      return "tool-calls";
    case "content_filter":
    case "safety":
    case "recitation":
    case "blocklist":
    case "prohibited_content":
    case "spii":
    case "refusal":
      return "content-filter";
    case "error":
      return "error";
    default:
      return "other";
  }
}
