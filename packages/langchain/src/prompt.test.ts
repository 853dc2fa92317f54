import {
  AIMessage,
  getBufferString,
  HumanMessage,
  SystemMessage,
  ToolMessage,
} from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { hasMediaPlaceholder, promptToMessages } from "./prompt.js";

describe("promptToMessages", () => {
  it("splits LangChain's buffer string into turns, the last human turn last", () => {
    const prompt = getBufferString([
      new SystemMessage("Be brief."),
      new HumanMessage("Hi\nthere"),
      new AIMessage("Hello."),
      new HumanMessage("What is the capital of France?"),
    ]);
    expect(promptToMessages(prompt, "chat")).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "Hi\nthere" },
      { role: "assistant", content: "Hello." },
      { role: "user", content: "What is the capital of France?" },
    ]);
  });

  it("keeps tool results inside the turn before them, so a conversation ending in one is not matched by meaning", () => {
    const prompt = getBufferString([
      new HumanMessage("Weather in Paris?"),
      new AIMessage({ content: "", tool_calls: [{ id: "c1", name: "weather", args: { city: "Paris" } }] }),
      new ToolMessage({ content: "sunny", tool_call_id: "c1" }),
    ]);
    const messages = promptToMessages(prompt, "chat");
    expect(messages.at(-1)?.role).toBe("assistant");
    expect(messages.at(-1)?.content).toContain("Tool: sunny");
    expect(messages.at(-1)?.content).toContain('"city":"Paris"');
  });

  it("reads a completion prompt as one user turn", () => {
    expect(promptToMessages("Human: not a role here", "completion")).toEqual([
      { role: "user", content: "Human: not a role here" },
    ]);
  });

  it("spots the placeholders LangChain writes for media", () => {
    const prompt = getBufferString([
      new HumanMessage({
        content: [
          { type: "text", text: "What is this?" },
          { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
        ],
      }),
    ]);
    expect(prompt).toContain("[image]");
    expect(hasMediaPlaceholder(prompt)).toBe(true);
    expect(hasMediaPlaceholder("Human: plain text")).toBe(false);
  });
});
