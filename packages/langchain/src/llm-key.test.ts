import { describe, expect, it } from "vitest";
import { parseLlmKey } from "./llm-key.js";

/** How LangChain builds an llmKey (`_getSerializedCacheKeyParametersForCall`). */
function llmKeyOf(params: Record<string, unknown>): string {
  return Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}:${JSON.stringify(v)}`)
    .sort()
    .join(",");
}

describe("parseLlmKey", () => {
  it("reads back what LangChain wrote, commas and quotes inside values included", () => {
    const params = {
      _type: "openai",
      _model: "base_chat_model",
      model: "gpt-4o-mini",
      temperature: 0.2,
      stop: ["a,b", 'say "hi", then ]} leave'],
      tools: [
        {
          type: "function",
          function: { name: "w", parameters: { type: "object", properties: { "x,y": { type: "string" } } } },
        },
      ],
      n: null,
      stream: false,
      nested: { a: [1, 2, { b: "},{" }] },
      escaped: 'back\\slash\\"',
    };
    expect(parseLlmKey(llmKeyOf(params))).toEqual(params);
  });

  it("reads an empty key as no parameters", () => {
    expect(parseLlmKey("")).toEqual({});
  });

  it("throws on text that is not an llmKey", () => {
    expect(() => parseLlmKey("not a key")).toThrow(SyntaxError);
    expect(() => parseLlmKey('a:"unterminated')).toThrow(SyntaxError);
    expect(() => parseLlmKey("a:{")).toThrow(SyntaxError);
    expect(() => parseLlmKey('a:"x"b:1')).toThrow(SyntaxError);
  });
});

describe("parseLlmKey with prototype names", () => {
  it("keeps a member named __proto__ as a member", () => {
    const parsed = parseLlmKey('__proto__:{"x":1},model:"m"');
    expect(Object.keys(parsed)).toEqual(["__proto__", "model"]);
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
  });
});
