import { AIMessage, ChatMessage, HumanMessage, SystemMessage, ToolMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { toConversation } from "./messages.js";

describe("toConversation", () => {
  it("maps roles, tool calls and tool results", () => {
    const { messages, context } = toConversation([
      new SystemMessage("Be brief."),
      new HumanMessage("Weather in Paris?"),
      new AIMessage({ content: "", tool_calls: [{ id: "c1", name: "weather", args: { city: "Paris" } }] }),
      new ToolMessage({ content: "sunny", tool_call_id: "c1", name: "weather" }),
      new HumanMessage("And tomorrow?"),
    ]);
    expect(messages).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "Weather in Paris?" },
      {
        role: "assistant",
        content: [{ type: "tool-call", toolCallId: "c1", toolName: "weather", input: { city: "Paris" } }],
      },
      {
        role: "tool",
        content: [{ type: "tool-result", toolCallId: "c1", toolName: "weather", output: "sunny" }],
      },
      { role: "user", content: "And tomorrow?" },
    ]);
    expect(context).toEqual([{ index: 3, name: "weather" }]);
  });

  it("names images by their hash, so two pictures never share a key", () => {
    const ask = (data: string) =>
      toConversation([
        new HumanMessage({
          content: [
            { type: "text", text: "What is this?" },
            { type: "image_url", image_url: { url: `data:image/png;base64,${data}` } },
          ],
        }),
      ]).messages[0]!.content as Array<{ type: string; data?: string; text?: string }>;
    const a = ask("AAAA");
    const b = ask("BBBB");
    expect(a[0]).toEqual({ type: "text", text: "What is this?" });
    expect(a[1]?.type).toBe("file");
    expect(a[1]?.data).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(a[1]?.data).not.toBe(b[1]?.data);
  });

  it("keeps names and unusual roles in the context", () => {
    const { messages, context } = toConversation([
      new HumanMessage({ content: "hi", name: "alice" }),
      new ChatMessage("note", "critic"),
    ]);
    expect(messages).toEqual([
      { role: "user", content: "hi" },
      { role: "user", content: "note" },
    ]);
    expect(context).toEqual([
      { index: 0, name: "alice" },
      { index: 1, role: "critic" },
    ]);
  });
});
