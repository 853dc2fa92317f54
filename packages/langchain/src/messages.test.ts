import { AIMessage, ChatMessage, HumanMessage, SystemMessage, ToolMessage } from "@langchain/core/messages";
import type { FilePart } from "@recall/core";
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

  it("hashes a file's content one way (core's fileDigest): bytes, base64 and data URLs agree", () => {
    const png = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10, 1, 2, 3]);
    const b64 = Buffer.from(png).toString("base64");
    const keyOf = (block: Record<string, unknown>) =>
      (
        toConversation([new HumanMessage({ content: [block as never] })]).messages[0]!.content as FilePart[]
      )[0]!.data;
    // LangChain's standard block: the data as bytes or as base64 (wrapped or not) is one key.
    const standard = keyOf({ type: "image", mimeType: "image/png", data: png });
    expect(keyOf({ type: "image", mimeType: "image/png", data: b64 })).toBe(standard);
    expect(keyOf({ type: "image", mimeType: "image/png", data: b64.replace(/.{1,4}/g, "$&\n") })).toBe(
      standard,
    );
    expect(keyOf({ type: "image", mimeType: "image/png", data: new Uint8Array([1]) })).not.toBe(standard);
    // OpenAI's image_url, as a string or as { url }, and Anthropic's source, as a data URL or base64.
    const dataUrl = `data:image/png;base64,${b64}`;
    expect(keyOf({ type: "image_url", image_url: dataUrl })).toBe(
      keyOf({ type: "image_url", image_url: `data:image/png;base64,${b64.replace(/=+$/, "")}` }),
    );
    expect(keyOf({ type: "image_url", image_url: { url: dataUrl, detail: "low" } })).not.toBe(
      keyOf({ type: "image_url", image_url: { url: dataUrl, detail: "high" } }),
    );
    const anthropic = (data: string) => ({
      type: "image",
      source: { type: "base64", media_type: "image/png", data },
    });
    expect(keyOf(anthropic(b64))).toBe(keyOf(anthropic(Buffer.from(png).toString("base64url"))));
    // A text source is text: two texts that decode alike as base64 stay apart.
    const text = (data: string) => ({
      type: "document",
      source: { type: "text", media_type: "text/plain", data },
    });
    expect(keyOf(text("QQ"))).not.toBe(keyOf(text("QR")));
    // A block that is not a file keeps every member as it is: its data is not decoded.
    const other = (data: string) => ({ type: "redacted_thinking", data });
    expect(keyOf(other("QQ"))).not.toBe(keyOf(other("QR")));
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
