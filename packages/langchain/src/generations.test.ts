import { AIMessage, AIMessageChunk } from "@langchain/core/messages";
import { ChatGenerationChunk } from "@langchain/core/outputs";
import { describe, expect, it } from "vitest";
import { describeGenerations, reviveGenerations, storeGenerations } from "./generations.js";

const answer = () =>
  new AIMessage({
    id: "chatcmpl-123",
    content: "Paris.",
    tool_calls: [{ id: "call_1", name: "weather", args: { city: "Paris" }, type: "tool_call" }],
    additional_kwargs: { refusal: null },
    response_metadata: { finish_reason: "tool_calls", model_name: "gpt-4o-mini", recall: { status: "miss" } },
    usage_metadata: {
      input_tokens: 12,
      output_tokens: 5,
      total_tokens: 17,
      input_token_details: { cache_read: 0 },
    },
  });

describe("storeGenerations / reviveGenerations", () => {
  it("round-trips a message whole through JSON, without its id or Recall's status", () => {
    const body = JSON.parse(
      JSON.stringify(
        storeGenerations([
          { text: "Paris.", message: answer(), generationInfo: { finish_reason: "tool_calls" } },
        ]),
      ),
    );
    const [revived] = reviveGenerations(body) as Array<{
      text: string;
      message: AIMessage;
      generationInfo?: unknown;
    }>;
    const message = revived!.message;
    expect(AIMessage.isInstance(message)).toBe(true);
    expect(message.id).toBeUndefined();
    expect(message.content).toBe("Paris.");
    expect(message.tool_calls).toEqual([
      { id: "call_1", name: "weather", args: { city: "Paris" }, type: "tool_call" },
    ]);
    expect(message.additional_kwargs).toEqual({ refusal: null });
    expect(message.response_metadata).toEqual({ finish_reason: "tool_calls", model_name: "gpt-4o-mini" });
    expect(message.usage_metadata).toEqual({
      input_tokens: 12,
      output_tokens: 5,
      total_tokens: 17,
      input_token_details: { cache_read: 0 },
    });
    expect(revived!.generationInfo).toEqual({ finish_reason: "tool_calls" });
  });

  it("stores a streamed chunk as the message it adds up to", () => {
    const a = new ChatGenerationChunk({ text: "Par", message: new AIMessageChunk({ content: "Par" }) });
    const b = new ChatGenerationChunk({
      text: "is.",
      message: new AIMessageChunk({
        content: "is.",
        usage_metadata: { input_tokens: 3, output_tokens: 2, total_tokens: 5 },
      }),
    });
    const body = storeGenerations([a.concat(b)]);
    expect(body.generations[0]?.message?.type).toBe("ai");
    const [revived] = reviveGenerations(body) as unknown as Array<{ message: AIMessage }>;
    expect(revived!.message.content).toBe("Paris.");
    expect(revived!.message.usage_metadata?.output_tokens).toBe(2);
  });

  it("gives every hit fresh objects", () => {
    const body = storeGenerations([{ text: "x", message: answer() }]);
    const [a] = reviveGenerations(body) as unknown as Array<{ message: AIMessage }>;
    a!.message.response_metadata.changed = true;
    const [b] = reviveGenerations(body) as unknown as Array<{ message: AIMessage }>;
    expect(b!.message.response_metadata.changed).toBeUndefined();
  });
});

describe("describeGenerations", () => {
  it("tells the core the text, finish reason, tool calls, usage and model", () => {
    const response = describeGenerations(storeGenerations([{ text: "Paris.", message: answer() }]));
    expect(response).toMatchObject({
      text: "Paris.",
      finishReason: "tool-calls",
      toolCalls: [{ toolCallId: "call_1", toolName: "weather", input: { city: "Paris" } }],
      usage: { inputTokens: 12, outputTokens: 5 },
      modelId: "gpt-4o-mini",
    });
  });

  it("marks truncated and filtered answers, and calls whose arguments did not parse", () => {
    const of = (response_metadata: Record<string, unknown>, extra = {}) =>
      describeGenerations(
        storeGenerations([
          { text: "x", message: new AIMessage({ content: "x", response_metadata, ...extra }) },
        ]),
      );
    expect(of({ finish_reason: "length" }).finishReason).toBe("length");
    expect(of({ stop_reason: "max_tokens" }).finishReason).toBe("length");
    expect(of({ finishReason: "SAFETY" }).finishReason).toBe("content-filter");
    expect(of({ stop_reason: "end_turn" }).finishReason).toBe("stop");
    const invalid = of(
      {},
      { invalid_tool_calls: [{ id: "c", name: "w", args: '{"city": "Par', type: "invalid_tool_call" }] },
    );
    expect(invalid.toolCalls).toEqual([{ toolCallId: "c", toolName: "w", input: '{"city": "Par' }]);
  });
});
