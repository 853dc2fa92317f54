import { canonicalJson } from "@recall/core/adapter";
import { describe, expect, it } from "vitest";
import { parseLlmKey } from "./llm-key.js";
import { modelCall } from "./model-params.js";

const KEY = "sk-proj-THIS-IS-THE-SECRET-abc123";

// A real ChatOpenAI llmKey (from @langchain/openai 1.6), with tools bound.
const openai =
  `_model:"base_chat_model",_type:"openai",apiKey:"${KEY}",baseURL:"http://127.0.0.1:4010/v1",dangerouslyAllowBrowser:true,` +
  `model:"gpt-4o-mini",model_name:"gpt-4o-mini",stream:false,temperature:0.2,` +
  `tools:[{"type":"function","function":{"name":"weather","description":"get weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}]`;

describe("modelCall", () => {
  it("maps a ChatOpenAI llmKey to a model, parameters and tools, without the API key or transport", () => {
    const call = modelCall(parseLlmKey(openai));
    expect(call.model).toEqual({ provider: "openai", id: "gpt-4o-mini" });
    expect(call.kind).toBe("chat");
    expect(call.params).toEqual({
      temperature: 0.2,
      tools: [
        {
          name: "weather",
          description: "get weather",
          inputSchema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
        },
      ],
    });
    expect(call.secrets.has(KEY)).toBe(true);
    const text = canonicalJson(call);
    expect(text).not.toContain("127.0.0.1");
  });

  it("finds credentials at any depth and under any of their usual names", () => {
    const members = {
      _type: "x",
      model: "m",
      modelKwargs: { api_key: "k-1234567890", headers: { Authorization: "Bearer abcdefghij" }, keep: 1 },
      credentials: {
        accessKeyId: "AKIAXXXXXXXXXXXX",
        secretAccessKey: "s3cr3t-s3cr3t",
        sessionToken: "tok-tok-tok-tok",
      },
      anthropicApiKey: "sk-ant-0123456789",
      azureOpenAIApiKey: "0123456789abcdef",
      password: "hunter2hunter2",
      auth: "user:passw0rd!",
      extra_body: { note: "sk-live-looks-like-a-key" },
    };
    const call = modelCall(members);
    const text = canonicalJson({ model: call.model, params: call.params });
    for (const secret of [
      "k-1234567890",
      "abcdefghij",
      "AKIAXXXXXXXXXXXX",
      "s3cr3t-s3cr3t",
      "tok-tok-tok-tok",
      "sk-ant-0123456789",
      "0123456789abcdef",
      "hunter2hunter2",
      "passw0rd",
      "sk-live",
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(call.params.extra).toEqual({
      modelKwargs: { keep: 1, headers: {} },
      credentials: {},
      extra_body: {},
    });
    expect(call.secrets).toEqual(
      new Set([
        "k-1234567890",
        "Bearer abcdefghij",
        "AKIAXXXXXXXXXXXX",
        "s3cr3t-s3cr3t",
        "tok-tok-tok-tok",
        "sk-ant-0123456789",
        "0123456789abcdef",
        "hunter2hunter2",
        "user:passw0rd!",
        "sk-live-looks-like-a-key",
      ]),
    );
  });

  it("keeps token limits (max_tokens is no secret) and tool schemas with secret-sounding properties", () => {
    const call = modelCall({
      _type: "openai",
      model: "gpt-4.1",
      max_tokens: 50,
      tools: [
        {
          type: "function",
          function: {
            name: "login",
            parameters: { type: "object", properties: { password: { type: "string" } } },
          },
        },
      ],
    });
    expect(call.params.maxOutputTokens).toBe(50);
    expect(call.params.tools?.[0]?.inputSchema).toEqual({
      type: "object",
      properties: { password: { type: "string" } },
    });
  });

  it("maps aliases, tool choice, response formats and reasoning; keeps the rest as extras", () => {
    const call = modelCall({
      _type: "anthropic",
      _model: "base_chat_model",
      model: "claude-sonnet-4-5",
      maxTokens: 100,
      topP: 0.9,
      top_k: 5,
      stop_sequences: ["END"],
      tool_choice: { type: "function", function: { name: "weather" } },
      response_format: {
        type: "json_schema",
        json_schema: { name: "answer", schema: { type: "object" }, strict: true },
      },
      thinking: { type: "enabled", budget_tokens: 1024 },
      presencePenalty: 0.5,
      logprobs: true,
      streaming: true,
      timeout: 1000,
      maxRetries: 3,
    });
    expect(call.params).toEqual({
      maxOutputTokens: 100,
      topP: 0.9,
      topK: 5,
      stopSequences: ["END"],
      presencePenalty: 0.5,
      toolChoice: { type: "tool", toolName: "weather" },
      responseFormat: { type: "json", name: "answer", schema: { type: "object" } },
      reasoning: { thinking: { type: "enabled", budget_tokens: 1024 } },
      extra: { logprobs: true, response_format_settings: { strict: true } },
    });
  });

  it("tells chat models from completion LLMs, and a parameter that changes from one that does not", () => {
    expect(modelCall({ _type: "openai", _model: "base_llm", model: "gpt-3.5-turbo-instruct" }).kind).toBe(
      "completion",
    );
    const a = modelCall(parseLlmKey(openai));
    const b = modelCall(parseLlmKey(openai.replace("temperature:0.2", "temperature:0.7")));
    const c = modelCall(
      parseLlmKey(openai.replace(KEY, "sk-another-key-0000").replace("127.0.0.1:4010", "example.com")),
    );
    expect(canonicalJson(a.params)).not.toBe(canonicalJson(b.params));
    expect(canonicalJson([a.model, a.params])).toBe(canonicalJson([c.model, c.params]));
  });
});
